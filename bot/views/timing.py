"""/time: what to change (time, days, time zone), and which nudge when there are two."""

from __future__ import annotations

from datetime import time

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.texts import Texts
from bot.views.callbacks import TIMING, encode


def change_keyboard(texts: Texts, lang: str, *, days: bool) -> InlineKeyboardMarkup:
    """Days only for routines done on chosen days; the rest come every day."""
    first = [
        InlineKeyboardButton(
            texts.get(lang, "buttons.change_time"), callback_data=encode(TIMING, "t")
        )
    ]
    if days:
        first.append(
            InlineKeyboardButton(
                texts.get(lang, "buttons.change_days"), callback_data=encode(TIMING, "d")
            )
        )
    return InlineKeyboardMarkup(
        [
            first,
            [
                InlineKeyboardButton(
                    texts.get(lang, "buttons.change_zone"), callback_data=encode(TIMING, "z")
                )
            ],
            [
                InlineKeyboardButton(
                    texts.get(lang, "buttons.change_nothing"), callback_data=encode(TIMING, "x")
                )
            ],
        ]
    )


def which_keyboard(texts: Texts, lang: str, slots: list[tuple[int, time]]) -> InlineKeyboardMarkup:
    """One button per nudge of a twice-a-day routine, named by its time."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.get(lang, "buttons.which_nudge", time=texts.format_time(lang, at)),
                    callback_data=encode(TIMING, "s", slot_id),
                )
            ]
            for slot_id, at in slots
        ]
    )
