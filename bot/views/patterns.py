"""The offer to move a reminder, made once when the answers show a pattern."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.patterns import PatternKind, Suggestion, part_of_day
from bot.texts import Texts
from bot.views.callbacks import PATTERN, encode


def day_names(texts: Texts, lang: str, suggestion: Suggestion) -> dict[str, str]:
    """The weekday words an offer or its answer may use ({days}, {day}, {to_day})."""
    plural, single = texts.raw(lang, "patterns.weekdays"), texts.raw(lang, "patterns.weekday")
    names: dict[str, str] = {}
    if suggestion.weekday is not None:
        names |= {"days": plural[suggestion.weekday], "day": single[suggestion.weekday]}
    if suggestion.to_weekday is not None:
        names["to_day"] = single[suggestion.to_weekday]
    return names


def offer_text(texts: Texts, lang: str, suggestion: Suggestion) -> str:
    if suggestion.kind is PatternKind.MOVE_TIME and suggestion.local_time is not None:
        at = texts.format_time(lang, suggestion.local_time)
        return texts.get(lang, f"patterns.move_{part_of_day(suggestion.local_time)}", time=at)
    return texts.get(
        lang, f"patterns.{suggestion.kind.value}", **day_names(texts, lang, suggestion)
    )


def done_text(texts: Texts, lang: str, suggestion: Suggestion) -> str:
    """What the client is told once the change is made."""
    if suggestion.kind is PatternKind.MOVE_TIME and suggestion.local_time is not None:
        at = texts.format_time(lang, suggestion.local_time)
        return texts.get(lang, "patterns.moved_time", time=at)
    key = (
        "patterns.dropped_day" if suggestion.kind is PatternKind.DROP_DAY else "patterns.moved_day"
    )
    return texts.get(lang, key, **day_names(texts, lang, suggestion))


def offer_keyboard(texts: Texts, lang: str, offer_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.get(lang, "buttons.pattern_yes"),
                    callback_data=encode(PATTERN, offer_id, "y"),
                ),
                InlineKeyboardButton(
                    texts.get(lang, "buttons.pattern_no"),
                    callback_data=encode(PATTERN, offer_id, "n"),
                ),
            ]
        ]
    )
