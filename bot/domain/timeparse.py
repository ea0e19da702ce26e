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
from functools import cached_property

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
            return _whole_minute(value)
    clock = _read_clock(normalized)
    return clock[0] if clock is not None else None


def _read_clock(normalized: str) -> tuple[time, bool] | None:
    """The digits' time, and whether they named an am/pm (so no half of the day is open)."""
    match = _CLOCK.fullmatch(normalized)
    if match is None:
        return None
    if match["compact"] is not None:
        hour, minute = divmod(int(match["compact"]), 100)
    else:
        hour = int(match["hour"])
        minute_text = match["minute"] or match["h_minute"]
        minute = int(minute_text) if minute_text is not None else 0
    at = _to_time(hour, minute, match["meridiem"])
    return (at, match["meridiem"] is not None) if at is not None else None


def _whole_minute(value: time) -> time:
    return value.replace(second=0, microsecond=0, tzinfo=None, fold=0)


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


MINUTES_PER_HALF_DAY = 12 * 60


@dataclass(frozen=True)
class TimeVocabulary:
    """One language's words for and around a typed time, as its locale files list them.

    ``aliases`` name a part of the day ("morning" → 08:00, "mañana", "abends");
    those in ``exact`` name one clock time ("noon") rather than a span.
    ``prefixes`` and ``suffixes`` only say "this is a time" ("at 7", "a las 7",
    "um 19 Uhr", "7 o'clock"). ``day_parts`` after an hour settle the half of the
    day ("7 in the evening", "7 de la tarde": "am" or "pm"). ``minutes`` after an
    hour add minutes ("7 y media"). ``phrases`` are patterns around an hour
    ``{h}`` with the minutes they add: "half past {h}" → 30, the German
    "halb {h}" → -30; ``hours`` are the hour words ("seven", "sieben", "siete").
    """

    aliases: Mapping[str, time] = field(default_factory=dict)
    prefixes: Sequence[str] = ()
    suffixes: Sequence[str] = ()
    day_parts: Mapping[str, str] = field(default_factory=dict)  # phrase -> "am" | "pm"
    minutes: Mapping[str, int] = field(default_factory=dict)
    exact: frozenset[str] = frozenset()
    hours: Mapping[str, int] = field(default_factory=dict)
    phrases: Mapping[str, int] = field(default_factory=dict)

    @cached_property
    def _aliases(self) -> dict[str, tuple[time, bool]]:
        exact = {_normalize(word) for word in self.exact}
        return {
            _normalize(word): (_whole_minute(value), _normalize(word) not in exact)
            for word, value in self.aliases.items()
        }

    @cached_property
    def _phrases(self) -> list[tuple[re.Pattern[str], int]]:
        words = sorted((_normalize(w) for w in self.hours), key=len, reverse=True)
        hour = "|".join([r"\d{1,2}", *map(re.escape, words)])
        patterns = {"{h}": 0}
        patterns |= {f"{{h}} {_normalize(word)}": added for word, added in self.minutes.items()}
        patterns |= {_normalize(phrase): added for phrase, added in self.phrases.items()}
        compiled = []
        for phrase, offset in patterns.items():
            parts = [r"\s+".join(map(re.escape, part.split())) for part in phrase.split("{h}")]
            glue = rf"\s*(?P<h>{hour})\s*"
            compiled.append((re.compile(glue.join(parts).strip()), offset))
        return compiled

    @cached_property
    def _hours(self) -> dict[str, int]:
        return {_normalize(word): value for word, value in self.hours.items()}

    @cached_property
    def _edges(self) -> tuple[list[str], list[tuple[str, str]], list[str]]:
        """Prefixes, then (day part, "am"/"pm"), then suffixes; longest first so "in the
        evening" is tried before "evening"."""

        def longest_first(items: Sequence[str]) -> list[str]:
            return sorted({_normalize(i) for i in items if i.strip()}, key=len, reverse=True)

        markers = [(_normalize(part), half) for part, half in self.day_parts.items()]
        markers.sort(key=lambda pair: len(pair[0]), reverse=True)
        return longest_first(self.prefixes), markers, longest_first(self.suffixes)


@dataclass(frozen=True)
class TimeReading:
    """What a typed time means: one clock time, or times to offer for confirmation.

    ``vague`` is a part of the day ("morning", "after lunch"): its one candidate is
    a suggestion, not what was said. Several candidates are the halves of the day
    an hour word leaves open ("half past seven": 07:30 or 19:30).
    """

    candidates: tuple[time, ...]
    vague: bool = False

    @property
    def certain(self) -> time | None:
        """The time itself when nothing needs confirming."""
        return self.candidates[0] if len(self.candidates) == 1 and not self.vague else None


_EDGE_PUNCTUATION = " .!?¡¿,;"


def read_time(text: str, words: TimeVocabulary) -> TimeReading | None:
    """Read what a person typed for "when should I remind you?", or None.

    Digits are a clock ("7pm", "19:30", and "7" or "7 y cuarto" on the 24-hour
    clock) and are certain. Words for parts of the day are vague and come back as
    a suggestion to confirm; hour words ("half past seven", "halb acht", "siete
    y media") are certain only when a day part says which half of the day.
    Nothing here guesses silently: what is not certain is returned as candidates,
    and a day part that contradicts the hour ("19 de la mañana") is no time.
    """
    if len(text) > MAX_INPUT_LENGTH:
        return None
    prefixes, markers, suffixes = words._edges
    normalized = _normalize(text).strip(_EDGE_PUNCTUATION)
    for candidate in (normalized, _strip_edge(normalized, prefixes, leading=True)):
        alias = words._aliases.get(candidate)
        if alias is not None:
            return TimeReading((alias[0],), vague=alias[1])
    normalized = _strip_edge(normalized, prefixes, leading=True)
    if not normalized:
        return None
    rest, meridiem = normalized, None
    for marker, half in markers:
        if _ends_with_word(rest, marker):
            rest, meridiem = rest[: -len(marker)].strip(), half
            break
    rest = _strip_edge(rest, suffixes, leading=False)
    clock = _read_clock(rest)
    if clock is not None:
        at, said_half = clock
        if meridiem is None or said_half:
            return TimeReading((at,))
        placed = _placed(at.hour * 60 + at.minute, meridiem)
        return TimeReading((placed,)) if placed is not None else None
    return _read_phrase(rest, meridiem, words)


def read_time_of_day(text: str, words: TimeVocabulary) -> time | None:
    """One time for what was typed, a part of the day taken at its usual time; None
    when nothing, or more than one time, could be meant."""
    reading = read_time(text, words)
    return reading.candidates[0] if reading is not None and len(reading.candidates) == 1 else None


def _strip_edge(text: str, words: list[str], *, leading: bool) -> str:
    """Drop filler words at the start ("at 7") or suffixes at the end ("7 o'clock")."""
    changed = True
    while changed:
        changed = False
        for word in words:
            if leading and text.startswith(word + " "):
                text, changed = text[len(word) :].strip(), True
            elif not leading and _ends_with_word(text, word):
                text, changed = text[: -len(word)].strip(), True
    return text


def _ends_with_word(text: str, word: str) -> bool:
    """``word`` closes ``text`` after a space or a digit ("7pm", "19 uhr"), not inside a word."""
    if len(text) <= len(word) or not text.endswith(word):
        return False
    before = text[-len(word) - 1]
    return before.isspace() or before.isdigit()


def _read_phrase(text: str, meridiem: str | None, words: TimeVocabulary) -> TimeReading | None:
    for pattern, offset in words._phrases:
        match = pattern.fullmatch(text)
        if match is None:
            continue
        named = match["h"]
        hour = int(named) if named.isdigit() else words._hours[named]
        if named.isdigit() or not 1 <= hour <= 12:
            # Digits read as a 24-hour clock, as "7" and "7:15" are.
            minutes = hour * 60 + offset
            if not 0 <= minutes < 24 * 60:
                return None
            placed = _placed(minutes, meridiem) if meridiem else _from_minutes(minutes)
            return TimeReading((placed,)) if placed is not None else None
        minutes = (hour * 60 + offset) % MINUTES_PER_HALF_DAY
        if meridiem is not None:
            return TimeReading((_in_half(minutes, meridiem),))
        return TimeReading((_from_minutes(minutes), _from_minutes(minutes + MINUTES_PER_HALF_DAY)))
    return None


def _placed(minutes: int, meridiem: str) -> time | None:
    """A clock time with a day part: 7:00 "pm" is 19:00; 19:00 "pm" stays, "am" is no time."""
    if 60 <= minutes < 13 * 60:  # 1:00 to 12:59, which the day part places
        return _in_half(minutes % MINUTES_PER_HALF_DAY, meridiem)
    if (minutes >= 12 * 60) != (meridiem == "pm"):
        return None
    return _from_minutes(minutes)


def _in_half(minutes_into_half: int, meridiem: str) -> time:
    """12-hour minutes placed in the morning or the afternoon half of the day."""
    return _from_minutes(minutes_into_half + (MINUTES_PER_HALF_DAY if meridiem == "pm" else 0))


def _from_minutes(minutes: int) -> time:
    return time(*divmod(minutes, 60))
