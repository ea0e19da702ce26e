"""What a break from nudges looks like: the length buttons, days as words, welcome back."""

from __future__ import annotations

from datetime import date, datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.texts import Texts
from bot.views.callbacks import PAUSE, encode

PAUSE_DAYS = (3, 7, 14)
DATE = "d"
OPEN = "u"  # until I say
NEVER_MIND = "x"


def pause_keyboard(texts: Texts, lang: str) -> InlineKeyboardMarkup:
    def button(key: str, arg: object) -> InlineKeyboardButton:
        label = texts.get(lang, f"buttons.{key}")
        return InlineKeyboardButton(label, callback_data=encode(PAUSE, arg))

    return InlineKeyboardMarkup(
        [
            [button(f"pause_{days}", days) for days in PAUSE_DAYS],
            [button("pause_date", DATE), button("pause_open", OPEN)],
            [button("pause_cancel", NEVER_MIND)],
        ]
    )


def format_day(texts: Texts, lang: str, day: date, today: date | None = None) -> str:
    """ "tomorrow", or "Monday 7 December" in the reader's language."""
    if today is not None and day == today:
        return texts.get(lang, "dates.today")
    if today is not None and (day - today).days == 1:
        return texts.get(lang, "dates.tomorrow")
    return texts.get(
        lang,
        "dates.format",
        weekday=texts.raw(lang, "dates.weekdays")[day.weekday()],
        day=day.day,
        month=texts.raw(lang, "dates.months")[day.month - 1],
    )


def format_when(texts: Texts, lang: str, local: datetime, today: date) -> str:
    """ "today at 9:00 am", "Monday 7 December at 19:30"."""
    return texts.get(
        lang,
        "dates.at",
        day=format_day(texts, lang, local.date(), today),
        time=texts.format_time(lang, local.time()),
    )


def welcome_back(texts: Texts, lang: str) -> str:
    """The greeting before the first answer after a pause; never a word about the gap."""
    return f"{texts.get(lang, 'pause.welcome_back')}\n"
