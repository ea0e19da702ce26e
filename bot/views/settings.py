"""The /settings message and the language choice: one message, edited in place on each tap."""

from __future__ import annotations

from collections.abc import Callable
from datetime import time

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.db.person_settings import Preferences
from bot.domain.quiet_hours import QUIET_PRESETS, QuietHours, preset_code
from bot.texts import Texts
from bot.views.callbacks import LANGUAGE, SETTINGS, encode

FROM_SETTINGS = "s"
# What the /settings buttons say in their callback data (y:<what>[:<value>]).
OPEN_LANGUAGES, FOLLOWUPS, QUIET, BACK, CLOSE = "l", "f", "q", "b", "x"
WHEN = "w"  # on to /time: when nudges come is the first thing people look for here
ON, OFF = "on", "off"


def _button(text: str, prefix: str, *args: object) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(text, callback_data=encode(prefix, *args))]


def language_rows(
    texts: Texts, current: str, data: Callable[[str], str]
) -> list[list[InlineKeyboardButton]]:
    """One button per language in its own name, the current one ticked; `data` makes a
    language's callback data for the flow that asks."""
    return [
        [
            InlineKeyboardButton(
                ("✓ " if code == current else "") + texts.get(code, "meta.language_name"),
                callback_data=data(code),
            )
        ]
        for code in texts.languages
    ]


def language_keyboard(
    texts: Texts, current: str, *, from_settings: bool = False
) -> InlineKeyboardMarkup:
    """Each language in its own name ("Deutsch", "Español"), the current one ticked."""
    after = [FROM_SETTINGS] if from_settings else []
    rows = language_rows(texts, current, lambda code: encode(LANGUAGE, code, *after))
    if from_settings:
        rows.append(_button(texts.get(current, "settings.button_back"), SETTINGS, BACK))
    return InlineKeyboardMarkup(rows)


def _span(texts: Texts, lang: str, quiet: QuietHours) -> dict[str, str]:
    start, end = (texts.format_time(lang, time.fromisoformat(value)) for value in quiet)
    return {"start": start, "end": end}


def settings_view(texts: Texts, lang: str, prefs: Preferences) -> tuple[str, InlineKeyboardMarkup]:
    """The overview: what is set now, one button per setting."""
    language = texts.get(lang, "meta.language_name")
    followups = ON if prefs.followups else OFF
    lines = [
        texts.get(lang, "settings.title"),
        "",
        texts.get(lang, "settings.line_language", language=language),
        texts.get(lang, f"settings.line_followups_{followups}"),
        texts.get(lang, "settings.line_quiet", **_span(texts, lang, prefs.quiet))
        if prefs.quiet
        else texts.get(lang, "settings.line_quiet_off"),
    ]
    quiet_button = (
        texts.get(lang, "settings.button_quiet", **_span(texts, lang, prefs.quiet))
        if prefs.quiet
        else texts.get(lang, "settings.button_quiet_off")
    )
    markup = InlineKeyboardMarkup(
        [
            _button(
                texts.get(lang, "settings.button_language", language=language),
                SETTINGS,
                OPEN_LANGUAGES,
            ),
            _button(
                texts.get(lang, f"settings.button_followups_{followups}"),
                SETTINGS,
                FOLLOWUPS,
                OFF if prefs.followups else ON,
            ),
            _button(quiet_button, SETTINGS, QUIET),
            _button(texts.get(lang, "settings.button_when"), SETTINGS, WHEN),
            _button(texts.get(lang, "settings.button_close"), SETTINGS, CLOSE),
        ]
    )
    return "\n".join(lines), markup


def quiet_keyboard(texts: Texts, lang: str, current: QuietHours | None) -> InlineKeyboardMarkup:
    """The preset windows and "none"; the current choice ticked."""

    def tick(chosen: bool) -> str:
        return "✓ " if chosen else ""

    rows = [
        _button(
            tick(quiet == current)
            + texts.get(lang, "settings.button_quiet_preset", **_span(texts, lang, quiet)),
            SETTINGS,
            QUIET,
            preset_code(quiet),
        )
        for quiet in QUIET_PRESETS
    ]
    rows.append(
        _button(
            tick(current is None) + texts.get(lang, "settings.button_quiet_none"),
            SETTINGS,
            QUIET,
            OFF,
        )
    )
    rows.append(_button(texts.get(lang, "settings.button_back"), SETTINGS, BACK))
    return InlineKeyboardMarkup(rows)
