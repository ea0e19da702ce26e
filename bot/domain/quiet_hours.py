"""Quiet hours: the part of a person's night that no follow-up may reach.

Stored as local wall-clock "HH:MM" strings in the person's own time zone, so a
move to another zone keeps "after 22:00" meaning the same evening. The window
usually wraps past midnight (21:30–08:00).
"""

from __future__ import annotations

from datetime import time

from bot.domain.quiet import in_quiet_hours

QuietHours = tuple[str, str]

DEFAULT_QUIET_HOURS: QuietHours = ("21:30", "08:00")
# The choices offered in /settings; "off" is offered beside them.
QUIET_PRESETS: tuple[QuietHours, ...] = (
    ("21:00", "08:00"),
    DEFAULT_QUIET_HOURS,
    ("22:00", "07:00"),
    ("23:00", "09:00"),
)


def is_quiet(at: time, quiet: QuietHours | None) -> bool:
    """Whether a local wall-clock time falls inside the window (start included, end not)."""
    if quiet is None:
        return False
    start, end = (time.fromisoformat(value) for value in quiet)
    return in_quiet_hours(at.replace(second=0, microsecond=0, tzinfo=None), start, end)


def preset_code(quiet: QuietHours) -> str:
    """ "21:30"–"08:00" as "2130-0800", short enough for a button's callback data."""
    return "-".join(value.replace(":", "") for value in quiet)


def preset_from_code(code: str) -> QuietHours | None:
    """Only the offered presets: callback data may be forged."""
    return next((quiet for quiet in QUIET_PRESETS if preset_code(quiet) == code), None)
