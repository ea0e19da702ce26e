"""A therapist's /settings: language, time zone and the weekly digest, edited in place.

Callback data is "Ts:<what>[:<value>]". The time and zone questions reuse the
pickers of joining and /time (bot/flows/picking.py), which put their own values
after the prefix they are given: here "Ts:t" and "Ts:z", so "Ts:t:0730",
"Ts:t:m:0800" and "Ts:z:2" all stay within this flow's prefix.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.texts import Texts
from bot.views.callbacks import THERAPIST_SETTINGS, encode
from bot.views.enrolment import slot_keyboard
from bot.views.settings import language_rows

# What the buttons say after "Ts:".
LANGUAGE, PICK_LANGUAGE, ZONE, DIGEST, WEEKDAY, TIME = "l", "g", "z", "d", "w", "t"
AS_CLIENT, BACK, CLOSE = "c", "b", "x"
ON, OFF = "on", "off"
TIME_PREFIX = f"{THERAPIST_SETTINGS}:{TIME}"
ZONE_PREFIX = f"{THERAPIST_SETTINGS}:{ZONE}"


@dataclass(frozen=True)
class TherapistChoices:
    """What the view shows; a therapist without a row yet (an admin) has the defaults."""

    language: str
    timezone: str | None
    digest: bool
    weekday: int
    at: str  # "HH:MM"
    also_client: bool  # a client too: a button leads to their client settings


def _row(text: str, *args: object) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(text, callback_data=encode(THERAPIST_SETTINGS, *args))]


def _weekday(texts: Texts, lang: str, day: int) -> str:
    return str(texts.raw(lang, "tsettings.weekdays")[day])


def _at(texts: Texts, lang: str, at: str) -> str:
    return texts.format_time(lang, time.fromisoformat(at))


def settings_view(
    texts: Texts, lang: str, choices: TherapistChoices
) -> tuple[str, InlineKeyboardMarkup]:
    def t(key: str, **values: object) -> str:
        return texts.get(lang, f"tsettings.{key}", **values)

    language = texts.get(lang, "meta.language_name")
    when = {"day": _weekday(texts, lang, choices.weekday), "time": _at(texts, lang, choices.at)}
    lines = [
        t("title"),
        "",
        t("line_language", language=language),
        t("line_zone", zone=choices.timezone) if choices.timezone else t("line_zone_none"),
        t("line_digest_on", **when) if choices.digest else t("line_digest_off"),
    ]
    rows = [
        _row(t("button_language", language=language), LANGUAGE),
        _row(t("button_zone", zone=choices.timezone or "UTC"), ZONE),
        _row(
            t(f"button_digest_{ON if choices.digest else OFF}"),
            DIGEST,
            OFF if choices.digest else ON,
        ),
    ]
    if choices.digest:
        rows.append(_row(t("button_weekday", day=when["day"]), WEEKDAY))
        rows.append(_row(t("button_time", time=when["time"]), TIME))
    if choices.also_client:
        rows.append(_row(t("button_as_client"), AS_CLIENT))
    rows.append(_row(t("button_close"), CLOSE))
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def _back(texts: Texts, lang: str) -> list[InlineKeyboardButton]:
    return _row(texts.get(lang, "tsettings.button_back"), BACK)


def language_keyboard(texts: Texts, current: str) -> InlineKeyboardMarkup:
    rows = language_rows(
        texts, current, lambda code: encode(THERAPIST_SETTINGS, PICK_LANGUAGE, code)
    )
    return InlineKeyboardMarkup([*rows, _back(texts, current)])


def weekday_keyboard(texts: Texts, lang: str, current: int) -> InlineKeyboardMarkup:
    rows = [
        _row(("✓ " if day == current else "") + _weekday(texts, lang, day), WEEKDAY, day)
        for day in range(7)
    ]
    return InlineKeyboardMarkup([*rows, _back(texts, lang)])


def time_keyboard(texts: Texts, lang: str) -> InlineKeyboardMarkup:
    """Morning, midday, evening (as when joining); any other time can be typed."""
    slots = slot_keyboard(texts, lang, TIME_PREFIX)
    return InlineKeyboardMarkup([*slots.inline_keyboard, _back(texts, lang)])
