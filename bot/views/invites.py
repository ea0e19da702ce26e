"""An invite as the therapist gets it: a QR code of the link, its caption and buttons."""

from __future__ import annotations

import io

import segno
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.db.models import Client
from bot.texts import Texts
from bot.views.callbacks import REISSUE_INVITE, REVOKE_INVITE, encode
from bot.views.routine import MAX_CAPTION, clip

QR_PIXELS = 540  # about this wide: sharp on a phone, scannable from a printout
QR_BORDER = 4  # the quiet zone the QR standard asks for, in modules


def invite_link(bot_username: str, token: str) -> str:
    return f"https://t.me/{bot_username}?start={token}"


def qr_png(link: str) -> bytes:
    """A PNG QR code that encodes exactly `link` (black on white, quiet zone included)."""
    code = segno.make_qr(link, error="m")
    modules = code.symbol_size(scale=1, border=QR_BORDER)[0]
    out = io.BytesIO()
    code.save(out, kind="png", scale=max(4, QR_PIXELS // modules), border=QR_BORDER)
    return out.getvalue()


def caption(text: str) -> str:
    """Telegram refuses a caption over 1024 characters; ours are short, but never fail."""
    return clip(text, MAX_CAPTION)


def revoke_keyboard(texts: Texts, lang: str, invite_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.get(lang, "buttons.revoke_link"),
                    callback_data=encode(REVOKE_INVITE, invite_id),
                )
            ]
        ]
    )


def waiting_keyboard(texts: Texts, lang: str, waiting: list[Client]) -> InlineKeyboardMarkup:
    """One "new link" button per client who has not joined yet."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.get(lang, "buttons.new_link", label=client.label[:40]),
                    callback_data=encode(REISSUE_INVITE, client.id),
                )
            ]
            for client in waiting
        ]
    )
