"""Silence, read kindly: when a follow-up may go, a quiet spell, and a welcome back.

Pure decisions, so the engine (follow-ups, quiet spells) and the flows (the
welcome back, after a quiet spell here or after a /pause elsewhere) share one
rule each instead of each keeping its own copy of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

# This many occurrences in a row without any answer make a quiet spell.
QUIET_AFTER = 7
# A follow-up this much later than planned (the bot was down) is no longer gentle.
FOLLOWUP_GRACE = timedelta(hours=1)


@dataclass(frozen=True)
class PastOccurrence:
    """One nudge the client was sent, and whether they answered it at all (Later counts)."""

    due_at: datetime
    answered: bool


def in_quiet_hours(local: time, start: time, end: time) -> bool:
    """Whether a local wall time falls in [start, end); the span may wrap past midnight."""
    if start == end:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end


def is_quiet_spell(recent: Sequence[PastOccurrence]) -> bool:
    """The latest `QUIET_AFTER` occurrences (newest first) all went unanswered."""
    latest = recent[:QUIET_AFTER]
    return len(latest) == QUIET_AFTER and not any(o.answered for o in latest)


def is_welcome_back(
    earlier: Sequence[PastOccurrence],
    *,
    answered_before: bool = False,
    after_pause: bool = False,
) -> bool:
    """Whether the answer being recorded now is the first after a pause or a quiet spell.

    `earlier`: the client's occurrences before the one being answered, newest first.
    `answered_before`: the one being answered already had an answer ("Later", then
    "Done"), so this is not the first. `after_pause`: this is the first answer since
    the client's pause ended (bot/db/pauses.py keeps that as a flag, taken once).
    The words that follow never mention the gap; this only decides that they come.
    """
    if after_pause:
        return True
    return not answered_before and is_quiet_spell(earlier)


class FollowupDecision(StrEnum):
    SEND = "send"
    WAIT = "wait"  # not yet
    OFF = "off"  # the client switched follow-ups off
    AWAY = "away"  # paused, stopped, or the bot is blocked
    QUIET_HOURS = "quiet_hours"  # skipped, not postponed
    DAY_OVER = "day_over"
    LATE = "late"  # the bot was down when it was due
    QUIET_SPELL = "quiet_spell"  # follow-ups stop until the client answers again
    SUPERSEDED = "superseded"  # a newer nudge has gone out since


@dataclass(frozen=True)
class FollowupContext:
    """What decides one occurrence's follow-up, all of it read before deciding."""

    now: datetime
    due_at: datetime  # when the follow-up was planned: sent + the configured delay
    day_ends_at: datetime  # the end of the occurrence's local day
    local_now: time  # `now` on the client's clock
    enabled: bool
    quiet_start: time
    quiet_end: time
    quiet_spell: bool = False
    superseded: bool = False
    away: bool = False


def followup_decision(c: FollowupContext) -> FollowupDecision:
    """At most one gentle follow-up per occurrence, and only when it is welcome."""
    if c.now < c.due_at:
        return FollowupDecision.WAIT
    if c.away:
        return FollowupDecision.AWAY
    if not c.enabled:
        return FollowupDecision.OFF
    if c.quiet_spell:
        return FollowupDecision.QUIET_SPELL
    if c.superseded:
        return FollowupDecision.SUPERSEDED
    if c.now >= c.day_ends_at:
        return FollowupDecision.DAY_OVER
    if c.now - c.due_at > FOLLOWUP_GRACE:
        return FollowupDecision.LATE
    if in_quiet_hours(c.local_now, c.quiet_start, c.quiet_end):
        return FollowupDecision.QUIET_HOURS
    return FollowupDecision.SEND


def end_of_local_day(day: date, zone: ZoneInfo) -> datetime:
    """The instant the client's local `day` ends (their next midnight), in UTC."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
