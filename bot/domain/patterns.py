"""Timing that learns, never imposes: patterns in a client's answers, as suggestions.

A suggestion is only ever an offer; nothing moves unless the client says yes.
Two patterns are spotted, both in one reminder slot's recent occurrences:

* "Later", then "Done" (or "Some of it") at a similar later hour, in three of the
  last five: suggest that hour, rounded to the half hour.
* "Not today" on the same weekday three weeks running: for a daily routine,
  suggest leaving that day out; for chosen days, suggest the next free day.

Each suggestion has a key, so the flow can remember that it offered it and
never offers the same thing twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from enum import StrEnum

LOOK_BACK = 5  # occurrences considered for the "later, then done" pattern
LATER_HITS = 3  # of which this many must fit it
SIMILAR = 90  # minutes: answers this close together count as the same hour
MIN_SHIFT = 60  # minutes: a suggestion must be at least this much later than now
WEEKS_RUNNING = 3
_DONE = frozenset({"done", "some"})
_DAY = 24 * 60
_LATEST = 23 * 60 + 30  # no suggestion past 23:30


class PatternKind(StrEnum):
    MOVE_TIME = "move_time"  # a later time of day
    DROP_DAY = "drop_day"  # leave one weekday out
    MOVE_DAY = "move_day"  # swap one weekday for a free neighbour


@dataclass(frozen=True)
class Answered:
    """One occurrence of a slot and how the client answered it (by the final answer)."""

    local_date: date
    outcome: str | None  # done, some, not_today, skipped, no_reply, or None
    later: bool = False  # "Later" came first
    final_at: time | None = None  # local time of the final answer


@dataclass(frozen=True)
class Suggestion:
    kind: PatternKind
    key: str  # the same pattern always has the same key: offered once
    local_time: time | None = None  # MOVE_TIME
    weekday: int | None = None  # DROP_DAY / MOVE_DAY: the day that does not suit (Monday = 0)
    to_weekday: int | None = None  # MOVE_DAY


def part_of_day(value: time) -> str:
    """morning, afternoon or evening: how an offer names the time it suggests."""
    minutes = _minutes(value)
    return "morning" if minutes < 12 * 60 else "afternoon" if minutes < 17 * 60 else "evening"


def spot_pattern(
    history: Sequence[Answered],
    slot_time: time,
    weekdays: int,
    other_times: Sequence[time] = (),
) -> Suggestion | None:
    """The pattern the slot's history shows, if any; `history` newest first.

    `weekdays` is the slot's day mask (bit 0 = Monday); `other_times` are the
    client's other reminder times, which a suggested time must keep clear of.
    """
    return _later_then_done(history, slot_time, other_times) or _weekday_not_today(
        history, weekdays
    )


def _minutes(value: time) -> int:
    return value.hour * 60 + value.minute


def _later_then_done(
    history: Sequence[Answered], slot_time: time, other_times: Sequence[time]
) -> Suggestion | None:
    times = sorted(
        _minutes(a.final_at)
        for a in history[:LOOK_BACK]
        if a.later and a.outcome in _DONE and a.final_at is not None
    )
    best: list[int] = []
    for index, start in enumerate(times):
        group = [m for m in times[index:] if m - start <= SIMILAR]
        if len(group) > len(best):
            best = group
    if len(best) < LATER_HITS:
        return None
    median = best[len(best) // 2]
    suggested = min((median + 15) // 30 * 30, _LATEST)
    if suggested - _minutes(slot_time) < MIN_SHIFT:
        return None
    if any(abs(suggested - _minutes(other)) < MIN_SHIFT for other in other_times):
        return None
    at = time(suggested // 60, suggested % 60)
    return Suggestion(PatternKind.MOVE_TIME, f"time:{part_of_day(at)}", local_time=at)


def _weekday_not_today(history: Sequence[Answered], weekdays: int) -> Suggestion | None:
    if not history:
        return None
    newest = history[0].local_date
    day = newest.weekday()
    wanted = {newest - timedelta(weeks=week) for week in range(WEEKS_RUNNING)}
    said = {a.local_date for a in history if a.local_date in wanted and a.outcome == "not_today"}
    if said != wanted or not weekdays >> day & 1 or weekdays == 1 << day:
        return None
    key = f"day:{day}"
    if weekdays == 0x7F:
        return Suggestion(PatternKind.DROP_DAY, key, weekday=day)
    for other in ((day + 1) % 7, (day - 1) % 7):
        if not weekdays >> other & 1:
            return Suggestion(PatternKind.MOVE_DAY, key, weekday=day, to_weekday=other)
    return None


def apply_to_days(suggestion: Suggestion, weekdays: int) -> int:
    """The slot's day mask once the client has said yes to a day suggestion."""
    if suggestion.weekday is None:
        return weekdays
    mask = weekdays & ~(1 << suggestion.weekday)
    if suggestion.to_weekday is not None:
        mask |= 1 << suggestion.to_weekday
    return mask or weekdays
