"""When a weekly reminder at a local wall-clock time is next due.

Clients pick a time on *their* clock ("19:30 on weekdays"), but the dispatcher
works on UTC instants. The mapping is only interesting around daylight-saving
transitions, and the rules chosen here are the ones that keep a promise to the
client: every chosen local day gets exactly one nudge, never zero and never two.

* A local time that does not exist (spring-forward gap) fires at the first valid
  local minute after the gap, i.e. at the transition itself: late by less than
  the gap, rather than skipped.
* A local time that exists twice (fall-back overlap) fires only at the first
  occurrence (``fold=0``), so the repeated hour does not produce a second nudge.

Weekdays are an int bitmask (bit 0 = Monday ... bit 6 = Sunday) because that is
cheap to store in one column and to test.
"""

import math
from collections.abc import Collection, Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

EVERY_DAY = 0x7F
"""All seven weekday bits set."""

_DAYS_IN_WEEK = 7
# The after-instant's own local date plus the following week is enough for any
# non-empty mask; one extra day covers a clock that fell back across midnight and
# thereby hides the next day's first occurrence behind ``after``.
_SEARCH_DAYS = _DAYS_IN_WEEK + 2
_ONE_DAY = timedelta(days=1)


def weekdays_to_mask(weekdays: Iterable[int]) -> int:
    """Pack weekday numbers (Monday = 0, as ``date.weekday()``) into a bitmask.

    An empty selection is rejected rather than encoded as 0: a reminder that can
    never fire is a bug upstream, not a schedule.
    """
    mask = 0
    for day in weekdays:
        if isinstance(day, bool) or not isinstance(day, int) or not 0 <= day < _DAYS_IN_WEEK:
            raise ValueError(f"weekday must be an int in 0..6, got {day!r}")
        mask |= 1 << day
    _check_mask(mask)
    return mask


def mask_to_weekdays(mask: int) -> list[int]:
    """Unpack a bitmask into sorted weekday numbers, refusing masks that cannot fire."""
    _check_mask(mask)
    return [day for day in range(_DAYS_IN_WEEK) if mask >> day & 1]


def next_due(local_time: time, weekdays: int, tz: ZoneInfo, after: datetime) -> datetime:
    """First occurrence strictly after ``after``, as an aware UTC datetime.

    "Strictly" lets the dispatcher feed the occurrence it just handled back in
    and get the following one, which is also what makes the fall-back rule hold:
    the second pass through a repeated hour is never an occurrence of its own.
    Only calendar days are iterated (at most nine, usually one or two), never
    minutes, because this runs for every slot whenever the bot starts.
    """
    _check_mask(weekdays)
    if after.tzinfo is None or after.utcoffset() is None:
        raise ValueError("after must be timezone-aware")
    wall, wall_fold1 = _wall_clock(local_time)
    after_utc = after.astimezone(UTC)
    day = after_utc.astimezone(tz).date()
    for _ in range(_SEARCH_DAYS):
        if weekdays >> day.weekday() & 1:
            due = _resolve(day, wall, wall_fold1, tz)
            if due > after_utc:
                return due
        day += _ONE_DAY
    # Unreachable for masks in 1..127: no tzdata transition is long enough to hide
    # a whole week. Kept as a loud failure rather than an implicit None.
    raise RuntimeError(f"no occurrence of {local_time} within {_SEARCH_DAYS} days of {after}")


def next_due_after_change(
    local_time: time, weekdays: int, tz: ZoneInfo, now: datetime, taken: Collection[date] = ()
) -> datetime:
    """The next occurrence of a slot whose time, days or zone the client just changed.

    The promise is "if today's nudge has not come yet, today's comes at the new
    time; never two nudges on one day". ``taken`` holds the local dates that
    already have an occurrence of this slot (usually just today's, when it came
    before the change); those dates are passed over. Occurrences are unique per
    (slot, local date) in the database too, but a slot pointing at a taken date
    would be skipped silently by the claim there, and the client would have been
    told a wrong "next". Dates are the slot's local dates in ``tz``, so a move to
    another zone compares like with like.
    """
    due = next_due(local_time, weekdays, tz, now)
    while occurrence_local_date(due, local_time, tz) in taken:
        due = next_due(local_time, weekdays, tz, due)
    return due


def occurrence_local_date(due_utc: datetime, local_time: time, tz: ZoneInfo) -> date:
    """The local date an occurrence belongs to, for the (slot, date) uniqueness key.

    Usually that is simply the local date of ``due_utc``, but a gap-shifted
    occurrence can land on the next local date when a transition crosses
    midnight; recomputing candidates from ``local_time`` attributes it to the day
    it was scheduled for. If ``due_utc`` is not an occurrence of ``local_time``
    at all (the slot was edited in between), the plain local date is returned so
    a dispatcher never crashes on a stale row.
    """
    if due_utc.tzinfo is None or due_utc.utcoffset() is None:
        raise ValueError("due_utc must be timezone-aware")
    wall, wall_fold1 = _wall_clock(local_time)
    local_day = due_utc.astimezone(tz).date()
    for day in (local_day, local_day - _ONE_DAY):
        if _resolve(day, wall, wall_fold1, tz) == due_utc:
            return day
    return local_day


def _check_mask(mask: int) -> None:
    """Reject masks with no day (never fires) or bits beyond Sunday (corrupt data)."""
    if isinstance(mask, bool) or not isinstance(mask, int) or not 1 <= mask <= EVERY_DAY:
        raise ValueError(f"weekday mask must be in 1..{EVERY_DAY}, got {mask!r}")


def _wall_clock(local_time: time) -> tuple[time, time]:
    """The requested wall time as (fold=0, fold=1) naive times.

    Dropping tzinfo and fold means a stray ``fold=1`` cannot select the second
    pass of a repeated hour; the fold=1 twin is built once per call because
    ``replace`` is the slowest step in the hot loop.
    """
    wall = local_time.replace(tzinfo=None, fold=0)
    return wall, wall.replace(fold=1)


def _resolve(day: date, wall: time, wall_fold1: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of ``wall`` on local ``day`` under the gap/overlap rules.

    PEP 495 gives both answers cheaply: with ``fold=0`` zoneinfo uses the offset
    from before a transition and with ``fold=1`` the one after. If the earlier
    offset is smaller, the clock jumped forward over this wall time (a gap); if
    it is larger or equal, fold=0 is the first (or only) real occurrence.
    """
    local = datetime.combine(day, wall, tzinfo=tz)
    offset_before = local.utcoffset()
    offset_after = datetime.combine(day, wall_fold1, tzinfo=tz).utcoffset()
    if offset_before is None or offset_after is None:
        raise ValueError(f"time zone {tz!r} gives no UTC offset")
    if offset_before >= offset_after:
        return local.astimezone(UTC)
    naive = local.replace(tzinfo=None)
    return _end_of_gap(naive - offset_after, naive - offset_before, offset_after, tz)


def _end_of_gap(lower: datetime, upper: datetime, new_offset: timedelta, tz: ZoneInfo) -> datetime:
    """First whole local minute after the transition that opened a gap.

    The transition instant lies in (lower, upper], an interval as long as the gap
    itself; zoneinfo does not expose transitions publicly, so bisect whole POSIX
    seconds (about a dozen steps for an hour) instead of scanning minutes.
    This only runs on the rare days a chosen time falls into a gap.
    """
    low = math.floor(lower.replace(tzinfo=UTC).timestamp())  # still on the old offset
    high = math.ceil(upper.replace(tzinfo=UTC).timestamp())  # already on the new one
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, tz).utcoffset() == new_offset:
            high = middle
        else:
            low = middle
    transition = datetime.fromtimestamp(high, UTC)
    wall_second = (transition + new_offset).second
    if wall_second:
        # Only historical local-mean-time offsets have seconds; round up to a minute.
        transition += timedelta(seconds=60 - wall_second)
    return transition
