"""A yes/no question about something that can't be taken back (stop, erase)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.texts import Texts
from bot.views.callbacks import encode

YES = "y"
NO = "n"


def confirm_keyboard(
    texts: Texts, lang: str, prefix: str, yes_key: str, no_key: str
) -> InlineKeyboardMarkup:
    """The careful answer first on its own row, so a hurried thumb doesn't hit "yes"."""
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(texts.get(lang, no_key), callback_data=encode(prefix, NO))],
            [InlineKeyboardButton(texts.get(lang, yes_key), callback_data=encode(prefix, YES))],
        ]
    )
