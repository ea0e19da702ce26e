"""Read the day a client types ("12 Dec", "2026-12-12", "next monday") as a date.

Used for "pause until a date": the client names the day nudges should start
again. Like the time parser, it is liberal in spelling (any case, accents or
none, ordinals, filler words such as "until" or "el") and strict in meaning: a
day-month order it cannot be sure of ("3/4") is refused rather than guessed.
Month and weekday names come from the locale, so the domain stays
language-neutral.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

MAX_INPUT_LENGTH = 60
# A date typed without a year that is this far behind today means next year's
# (in December, "10 Jan" is January coming); a nearer one is a date just gone.
YEAR_ROLLOVER = timedelta(days=60)
# A pause longer than this is more likely a typo ("2062") than a plan.
MAX_AHEAD = timedelta(days=366)

_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_NUMERIC = re.compile(r"(\d{1,2})([./])(\d{1,2})(?:[./](\d{2}|\d{4})?)?")
_DAY = re.compile(r"(\d{1,2})(?:st|nd|rd|th|er|o|a|\.)?")
_YEAR = re.compile(r"\d{4}")
_NUMBER = re.compile(r"\d{1,3}")
_SEPARATORS = re.compile(r"[,;!?()]+")


@dataclass(frozen=True)
class DateWords:
    """A language's words for dates, already folded (see `fold`)."""

    months: Mapping[str, int] = field(default_factory=dict)  # "dec", "dezember" → 12
    weekdays: Mapping[str, int] = field(default_factory=dict)  # "monday", "lunes" → 0
    relative: Mapping[str, int] = field(default_factory=dict)  # "tomorrow" → 1
    units: Mapping[str, int] = field(default_factory=dict)  # "days" → 1, "weeks" → 7
    numbers: Mapping[str, int] = field(default_factory=dict)  # "a", "two" → 1, 2
    fillers: frozenset[str] = frozenset()  # "until", "next", "el", "de" …

    @classmethod
    def build(
        cls,
        months: Mapping[str, int],
        weekdays: Mapping[str, int],
        relative: Mapping[str, int],
        units: Mapping[str, int],
        numbers: Mapping[str, int],
        fillers: list[str],
    ) -> DateWords:
        def folded(words: Mapping[str, int]) -> dict[str, int]:
            return {fold(word): value for word, value in words.items()}

        return cls(
            folded(months),
            folded(weekdays),
            folded(relative),
            folded(units),
            folded(numbers),
            frozenset(fold(word) for word in fillers),
        )


def fold(text: str) -> str:
    """Case, width, accents and spacing folded away: "Mär" and "mar" compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.split())


def parse_date(text: str, today: date, words: DateWords) -> date | None:
    """The date the text names, or None when it names none (or not unambiguously)."""
    if len(text) > MAX_INPUT_LENGTH:
        return None
    folded = fold(_SEPARATORS.sub(" ", text))
    tokens = [token for token in folded.split() if token not in words.fillers]
    phrase = " ".join(tokens)
    if not tokens:
        return None
    if phrase in words.relative:
        return today + timedelta(days=words.relative[phrase])
    if len(tokens) == 1 and tokens[0] in words.weekdays:
        ahead = (words.weekdays[tokens[0]] - today.weekday() - 1) % 7 + 1
        return today + timedelta(days=ahead)
    if len(tokens) == 1:
        return _numeric(tokens[0], today)
    return _relative_span(tokens, today, words) or _day_and_month(tokens, today, words)


def _numeric(token: str, today: date) -> date | None:
    """2026-12-12, 12.12., 12.12.2026 (day first, as dots are written), 12/25, or "15th"."""
    if match := _ISO.fullmatch(token):
        return _make(int(match[1]), int(match[2]), int(match[3]))
    if (day := _DAY.fullmatch(token)) is not None:
        return _next_day_of_month(today, int(day[1]))
    match = _NUMERIC.fullmatch(token.rstrip("."))
    if match is None:
        return None
    first, sep, second, year_text = int(match[1]), match[2], int(match[3]), match[4]
    if sep == "/" and first != second and max(first, second) <= 12:
        return None  # 3/4: March 4th or 3 April? Not ours to guess.
    day, month = (second, first) if sep == "/" and second > 12 else (first, second)
    if year_text:
        year = int(year_text) + (2000 if len(year_text) == 2 else 0)
        return _make(year, month, day)
    return _without_year(today, month, day)


def _relative_span(tokens: list[str], today: date, words: DateWords) -> date | None:
    """ "in 3 days", "a week", "zwei Wochen", "dos semanas" (fillers already gone)."""
    if len(tokens) != 2 or tokens[1] not in words.units:
        return None
    count = words.numbers.get(tokens[0])
    if count is None and _NUMBER.fullmatch(tokens[0]):
        count = int(tokens[0])
    if not count:
        return None
    return today + timedelta(days=count * words.units[tokens[1]])


def _day_and_month(tokens: list[str], today: date, words: DateWords) -> date | None:
    """ "12 Dec", "Dec 12th", "12. Dezember 2026", "12 de diciembre" (fillers gone)."""
    year: int | None = None
    if len(tokens) == 3 and _YEAR.fullmatch(tokens[2]):
        year = int(tokens[2])
        tokens = tokens[:2]
    if len(tokens) != 2:
        return None
    for day_token, month_token in (tokens, tokens[::-1]):
        month = words.months.get(month_token.rstrip("."))
        day = _DAY.fullmatch(day_token)
        if month is not None and day is not None:
            if year is not None:
                return _make(year, month, int(day[1]))
            return _without_year(today, month, int(day[1]))
    return None


def _without_year(today: date, month: int, day: int) -> date | None:
    this_year = _make(today.year, month, day)
    if this_year is not None and this_year < today - YEAR_ROLLOVER:
        return _make(today.year + 1, month, day)
    return this_year


def _next_day_of_month(today: date, day: int) -> date | None:
    """ "the 15th": this month's if it is still ahead, else next month's."""
    this_month = _make(today.year, today.month, day)
    if this_month is not None and this_month > today:
        return this_month
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    return _make(year, month, day)


def _make(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


class DateProblem(StrEnum):
    PASSED = "passed"  # today or earlier: nothing to wait for
    TOO_FAR = "too_far"


def check_resume_date(day: date, today: date) -> DateProblem | None:
    """Whether a typed day works as the day nudges start again."""
    if day <= today:
        return DateProblem.PASSED
    if day - today > MAX_AHEAD:
        return DateProblem.TOO_FAR
    return None


def start_of_day(day: date, zone: ZoneInfo) -> datetime:
    """The first instant of a local day (a pause ends then), as an aware datetime."""
    return datetime.combine(day, time(0), zone)
