"""Keyboards for settling when nudges come, shared by joining and by /time.

Each takes the flow's button letter (`prefix`), because the dispatcher routes a
press by its letter to the flow that owns it. Times travel as "HHMM".
"""

from __future__ import annotations

from datetime import time

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup

from bot.domain.timeparse import TimeReading
from bot.texts import Texts
from bot.views.callbacks import encode

NEARBY_STEP_MINUTES = 30
NEARBY_EACH_SIDE = 4  # four earlier and four later: two rows of four
PLACES_PER_ROW = 3


def hhmm(value: time) -> str:
    return value.strftime("%H%M")


def time_arg(value: str) -> time | None:
    """A time from callback data ("0730"), or None for anything else."""
    if len(value) != 4 or not value.isdigit():
        return None
    hour, minute = int(value[:2]), int(value[2:])
    return time(hour, minute) if hour < 24 and minute < 60 else None


def zone_reply_keyboard(texts: Texts, lang: str) -> ReplyKeyboardMarkup:
    """Share-my-location plus a few common places; a tapped place arrives as typed text."""
    location = KeyboardButton(texts.get(lang, "buttons.share_location"), request_location=True)
    places = [KeyboardButton(place) for place in texts.raw(lang, "timing.places")]
    rows = [[location]] + [
        places[i : i + PLACES_PER_ROW] for i in range(0, len(places), PLACES_PER_ROW)
    ]
    return ReplyKeyboardMarkup(rows, resize_keyboard=True, one_time_keyboard=True)


def proposal_keyboard(
    texts: Texts, lang: str, reading: TimeReading, prefix: str
) -> InlineKeyboardMarkup:
    """For a part of the day: "Yes, 8:00 am" / "Pick another time"; for an open half of
    the day: one button per candidate ("7:30 am", "7:30 pm")."""
    if reading.vague:
        at = reading.candidates[0]
        label = texts.get(lang, "buttons.time_yes", time=texts.format_time(lang, at))
        return InlineKeyboardMarkup(
            [
                [InlineKeyboardButton(label, callback_data=encode(prefix, hhmm(at)))],
                [
                    InlineKeyboardButton(
                        texts.get(lang, "buttons.time_other"),
                        callback_data=encode(prefix, "m", hhmm(at)),
                    )
                ],
            ]
        )
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.format_time(lang, at), callback_data=encode(prefix, hhmm(at))
                )
                for at in reading.candidates
            ]
        ]
    )


def nearby_keyboard(texts: Texts, lang: str, center: time, prefix: str) -> InlineKeyboardMarkup:
    """Half-hour steps around a proposed time (same day only), edited into its message."""
    middle = center.hour * 60 + center.minute
    steps = [k for k in range(-NEARBY_EACH_SIDE, NEARBY_EACH_SIDE + 1) if k]
    minutes = [middle + k * NEARBY_STEP_MINUTES for k in steps]
    buttons = [
        InlineKeyboardButton(
            texts.format_time(lang, at := time(*divmod(m, 60))),
            callback_data=encode(prefix, hhmm(at)),
        )
        for m in minutes
        if 0 <= m < 24 * 60
    ]
    half = (len(buttons) + 1) // 2
    return InlineKeyboardMarkup([buttons[:half], buttons[half:]])


def twice_keyboard(
    texts: Texts, lang: str, first: time, second: time, prefix: str
) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.get(lang, "buttons.twice_yes"),
                    callback_data=encode(prefix, hhmm(first), hhmm(second)),
                )
            ],
            [
                InlineKeyboardButton(
                    texts.get(lang, "buttons.twice_own"), callback_data=encode(prefix, "own")
                )
            ],
        ]
    )


def days_differ_keyboard(texts: Texts, lang: str, prefix: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.get(lang, "buttons.days_keep"), callback_data=encode(prefix, "keep")
                ),
                InlineKeyboardButton(
                    texts.get(lang, "buttons.days_change"), callback_data=encode(prefix, "change")
                ),
            ]
        ]
    )
