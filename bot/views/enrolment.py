"""What a client sees while joining: consent, time-zone, time-slot and weekday keyboards."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.texts import Texts
from bot.views.callbacks import CONSENT, DAYS, TIME, ZONE, encode

SLOT_WORDS = ("morning", "midday", "evening")


def consent_keyboard(texts: Texts, lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.get(lang, "buttons.agree"), callback_data=encode(CONSENT, "y")
                ),
                InlineKeyboardButton(
                    texts.get(lang, "buttons.decline"), callback_data=encode(CONSENT, "n")
                ),
            ],
            [
                InlineKeyboardButton(
                    texts.get(lang, "buttons.consent_more"), callback_data=encode(CONSENT, "m")
                )
            ],
        ]
    )


def zone_keyboard(zones: list[str], prefix: str = ZONE) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(zone, callback_data=encode(prefix, i))]
            for i, zone in enumerate(zones)
        ]
    )


def slot_keyboard(texts: Texts, lang: str, prefix: str = TIME) -> InlineKeyboardMarkup:
    """Morning / midday / evening, each with the clock time it stands for in this language.

    `prefix` is the flow's time-button letter: joining and /time both offer these."""
    words = texts.slot_times(lang)
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.get(
                        lang, f"buttons.slot_{word}", time=texts.format_time(lang, words[word])
                    ),
                    callback_data=encode(prefix, words[word].strftime("%H%M")),
                )
            ]
            for word in SLOT_WORDS
        ]
    )


def days_keyboard(
    texts: Texts, lang: str, chosen: list[int], prefix: str = DAYS
) -> InlineKeyboardMarkup:
    """Weekday toggles (ticked when chosen) and a Done button; edited in place on each tap."""
    names = texts.raw(lang, "meta.weekdays_short")
    day_buttons = [
        InlineKeyboardButton(
            ("✓ " if day in chosen else "") + names[day], callback_data=encode(prefix, day)
        )
        for day in range(7)
    ]
    done = InlineKeyboardButton(
        texts.get(lang, "buttons.days_done"), callback_data=encode(prefix, "ok")
    )
    return InlineKeyboardMarkup([day_buttons[:4], day_buttons[4:], [done]])
