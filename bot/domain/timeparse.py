"""Turn the time of day a client types into a ``datetime.time``.

Clients answer "when should I remind you?" in whatever style their locale and
keyboard produce, so the parser is deliberately liberal in what it accepts and
strict about what the numbers mean: it never guesses a time that was not typed.
"""

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import time

MAX_INPUT_LENGTH = 40
"""Longer input is not a time of day; refusing it early bounds the regex work."""

# One pattern covers "7", "19", "7pm", "7 p.m.", "7:30pm", "7.30 pm", "19:30",
# "19.30", "19h30", "19h", "1930" and "730pm". Minutes are always two digits so
# "7.5" (a decimal, or a typo) is not silently read as 07:05.
_CLOCK = re.compile(
    r"""
    (?:
        (?P<compact>\d{3,4})
      | (?P<hour>\d{1,2})
        (?:
            \s*[:.]\s*(?P<minute>\d{2})
          | \s*h\s*(?P<h_minute>\d{2})?
        )?
    )
    \s*
    (?:(?P<meridiem>[ap])\s*\.?\s*(?:m\s*\.?)?)?
    """,
    re.VERBOSE,
)


def parse_time_of_day(text: str, aliases: Mapping[str, time]) -> time | None:
    """Read a wall-clock time from free text, or None when it is not one.

    Aliases ("morning", "abends", ...) come from per-language config so that the
    domain layer stays language-neutral; they win over digit parsing so a locale
    can redefine anything. NFKC folding lets full-width digits and colons typed
    on CJK keyboards, and symbols like "㏘", parse like their ASCII forms.
    """
    if len(text) > MAX_INPUT_LENGTH:
        return None
    normalized = _normalize(text)
    if not normalized:
        return None

    for alias, value in aliases.items():
        if _normalize(alias) == normalized:
            return value.replace(second=0, microsecond=0, tzinfo=None, fold=0)

    match = _CLOCK.fullmatch(normalized)
    if match is None:
        return None
    if match["compact"] is not None:
        hour, minute = divmod(int(match["compact"]), 100)
    else:
        hour = int(match["hour"])
        minute_text = match["minute"] or match["h_minute"]
        minute = int(minute_text) if minute_text is not None else 0
    return _to_time(hour, minute, match["meridiem"])


@dataclass(frozen=True)
class TimeVocabulary:
    """One language's words around a typed time, from its locale files.

    `aliases` name a time outright ("mañana", "abends"); `prefixes` and `suffixes`
    only say "this is a time" ("a las 7", "um 19 Uhr", "7 o'clock"); `day_parts`
    after an hour make it am or pm ("7 de la tarde", "7 in the evening");
    `minutes` after an hour add minutes ("7 y media").
    """

    aliases: Mapping[str, time]
    prefixes: Sequence[str] = ()
    suffixes: Sequence[str] = ()
    day_parts: Mapping[str, str] = field(default_factory=dict)  # phrase -> "am" | "pm"
    minutes: Mapping[str, int] = field(default_factory=dict)


def read_time_of_day(text: str, words: TimeVocabulary) -> time | None:
    """A time typed in a language's own words: "a las 7 y media de la tarde" is 19:30.

    The words around the number are peeled off one kind at a time, longest first,
    and what is left must still be a clock time; nothing is guessed.
    """
    if len(text) > MAX_INPUT_LENGTH:
        return None
    direct = parse_time_of_day(text, words.aliases)
    if direct is not None:
        return direct
    rest = _normalize(text).strip(" .!?¡¿")
    rest = _drop(rest, words.prefixes, at_start=True)[0]
    by_alias = parse_time_of_day(rest, words.aliases)
    if by_alias is not None:
        return by_alias
    rest, meridiem = _drop(rest, list(words.day_parts), spaced=True)
    rest = _drop(rest, words.suffixes)[0]
    rest, minute_word = _drop(rest, list(words.minutes), spaced=True)
    if minute_word is not None:
        rest = f"{rest}:{words.minutes[minute_word]:02d}"
    if meridiem is None:
        return parse_time_of_day(rest, {})
    half = words.day_parts[meridiem]
    at = parse_time_of_day(f"{rest} {half}", {})
    if at is None:
        # "19 de la tarde": already a 24-hour time, and the day part agrees with it.
        at = parse_time_of_day(rest, {})
        if at is not None and (at.hour >= 12) != (half == "pm"):
            return None
    return at


def _drop(
    text: str, phrases: Sequence[str], *, at_start: bool = False, spaced: bool = False
) -> tuple[str, str | None]:
    """Remove the longest phrase found at the start (or end) of text; say which it was."""
    for phrase in sorted(phrases, key=len, reverse=True):
        folded = _normalize(phrase)
        if at_start and text.startswith(f"{folded} "):
            return text[len(folded) + 1 :].strip(), phrase
        if not at_start:
            tail = f" {folded}" if spaced else folded
            if text.endswith(tail) and len(text) > len(tail):
                return text[: -len(tail)].strip(), phrase
    return text, None


def _normalize(text: str) -> str:
    """Fold case, width, accents and spacing so equivalent spellings compare equal.

    Accents go because phone keyboards often drop them: "manana" is "mañana",
    "spaet" is not "spät" but "spat" is.
    """
    folded = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", text).casefold())
    return " ".join("".join(c for c in folded if not unicodedata.combining(c)).split())


def _to_time(hour: int, minute: int, meridiem: str | None) -> time | None:
    """Apply the 12-hour convention, rejecting numbers no clock can show.

    "12am" is midnight and "12pm" is noon, which is what people mean even though
    the arithmetic looks odd; "0am" and "13pm" are contradictions, not times.
    """
    if not 0 <= minute <= 59:
        return None
    if meridiem is None:
        return time(hour, minute) if 0 <= hour <= 23 else None
    if not 1 <= hour <= 12:
        return None
    hour %= 12
    if meridiem == "p":
        hour += 12
    return time(hour, minute)
