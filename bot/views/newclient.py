"""What a therapist sees while building a client's routine: the builder's keyboards."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.texts import Texts
from bot.views.callbacks import NEWCLIENT, encode


def _keyboard(rows: list[list[tuple[str, tuple[object, ...]]]]) -> InlineKeyboardMarkup:
    """Rows of (label, callback args) for the builder's buttons."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(label, callback_data=encode(NEWCLIENT, *args))
                for label, args in row
            ]
            for row in rows
        ]
    )


def more_keyboard(texts: Texts, lang: str) -> InlineKeyboardMarkup:
    return _keyboard(
        [
            [
                (texts.get(lang, "buttons.add_exercise"), ("add",)),
                (texts.get(lang, "buttons.exercises_done"), ("done",)),
            ]
        ]
    )


def frequency_keyboard(texts: Texts, lang: str) -> InlineKeyboardMarkup:
    return _keyboard(
        [
            [
                (texts.get(lang, "buttons.freq_daily"), ("daily",)),
                (texts.get(lang, "buttons.freq_weekly"), ("weekly",)),
            ]
        ]
    )


def times_keyboard(texts: Texts, lang: str) -> InlineKeyboardMarkup:
    return _keyboard(
        [
            [(texts.get(lang, "buttons.times_per_week", n=n), ("t", n)) for n in range(f, f + 3)]
            for f in (1, 4)
        ]
    )
