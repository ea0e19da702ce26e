"""Turn the time of day a client types into a ``datetime.time``.

Clients answer "when should I remind you?" in whatever style their locale and
keyboard produce, so the parser is deliberately liberal in what it accepts and
strict about what the numbers mean: it never guesses a time that was not typed.
"""

import re
import unicodedata
from collections.abc import Mapping
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


def _normalize(text: str) -> str:
    """Fold case, width and spacing so equivalent spellings compare equal."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


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
