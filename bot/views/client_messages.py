"""The "Reply" button under a client's message in the therapist's chat."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.texts import Texts
from bot.views.callbacks import REPLY_CLIENT, encode


def reply_keyboard(texts: Texts, lang: str, message_id: int) -> InlineKeyboardMarkup:
    button = InlineKeyboardButton(
        texts.get(lang, "buttons.reply_to_client"), callback_data=encode(REPLY_CLIENT, message_id)
    )
    return InlineKeyboardMarkup([[button]])
