"""The buttons around messages between a client and their therapist."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.texts import Texts
from bot.views.callbacks import PASS_ON, REPLY_CLIENT, encode
from bot.views.confirm import NO, YES


def reply_keyboard(texts: Texts, lang: str, message_id: int) -> InlineKeyboardMarkup:
    button = InlineKeyboardButton(
        texts.get(lang, "buttons.reply_to_client"), callback_data=encode(REPLY_CLIENT, message_id)
    )
    return InlineKeyboardMarkup([[button]])


def pass_on_keyboard(texts: Texts, lang: str, therapist: str) -> InlineKeyboardMarkup:
    """Send it, or keep it: the text goes nowhere without this press."""
    send = texts.get(lang, "buttons.pass_on", therapist=therapist)
    keep = texts.get(lang, "buttons.keep_to_myself")
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(send, callback_data=encode(PASS_ON, YES))],
            [InlineKeyboardButton(keep, callback_data=encode(PASS_ON, NO))],
        ]
    )
