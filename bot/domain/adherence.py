"""Counting what a client did, week by week, and spotting the small wins in it.

Pure on purpose: the client's /progress and the therapist's adherence chart read
the same occurrences and must agree, and the counting rules (some of it counts as
done; today's unanswered nudge is not "no reply" yet) are easiest to get right,
and to keep right, as plain functions over plain data.

Weeks start on Monday and are the client's local weeks: an occurrence carries the
local date it was due on, and "today" is the client's local date.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from bot.domain.types import ReplyKind, Win

_DONE = {ReplyKind.DONE.value: "done", ReplyKind.SOME.value: "some"}
# Both are an honest "not now": "Skip this one" closes one slot of a twice-a-day routine.
_NOT_TODAY = {ReplyKind.NOT_TODAY.value, ReplyKind.SKIPPED.value}
# Round numbers worth a word; past the last one, every further 500.
_MILESTONES = (5, 10, 20, 30, 50, 75, 100, 150, 200, 300, 400, 500, 750, 1000)
_WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Occurrence:
    """One nudge that reached the client: its local date and its final answer, if any."""

    local_date: date
    outcome: str | None


@dataclass(frozen=True)
class Tally:
    """Occurrences by how they ended. Today's still-open nudge is in none of them."""

    done: int = 0
    some: int = 0
    not_today: int = 0
    no_reply: int = 0

    @property
    def sessions(self) -> int:
        """What was done: "some of it" counts as done, always."""
        return self.done + self.some

    @property
    def answered(self) -> int:
        return self.done + self.some + self.not_today

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            self.done + other.done,
            self.some + other.some,
            self.not_today + other.not_today,
            self.no_reply + other.no_reply,
        )


@dataclass(frozen=True)
class WeekTally:
    start: date  # the Monday
    tally: Tally
    active_days: int  # days with at least one session


@dataclass(frozen=True)
class Progress:
    week: WeekTally  # this week, so far
    total: Tally  # since starting
    weeks: list[WeekTally]  # every week since starting, oldest first, empty ones included
    started: date
    wins: tuple[Win, ...]
    milestone: int | None  # the round number behind Win.MILESTONE


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def classify(occurrence: Occurrence, today: date) -> str | None:
    """done / some / not_today / no_reply, or None while today's nudge may still be answered."""
    if occurrence.outcome in _DONE:
        return _DONE[occurrence.outcome]
    if occurrence.outcome in _NOT_TODAY:
        return "not_today"
    if occurrence.outcome is None and occurrence.local_date >= today:
        return None
    return "no_reply"


def tally(occurrences: Iterable[Occurrence], today: date) -> Tally:
    counts = {"done": 0, "some": 0, "not_today": 0, "no_reply": 0}
    for occurrence in occurrences:
        bucket = classify(occurrence, today)
        if bucket is not None:
            counts[bucket] += 1
    return Tally(**counts)


def weekly(
    occurrences: Iterable[Occurrence], today: date, since: date | None = None
) -> list[WeekTally]:
    """One tally per week from the week of `since` (or of the first occurrence) to today's.

    Weeks without any nudge (a pause, a quiet spell) are there as empty weeks, so a
    chart's x axis is honest time; occurrences before `since` or after today are left out.
    """
    kept = [
        o for o in occurrences if o.local_date <= today and (since is None or o.local_date >= since)
    ]
    first = since if since is not None else min((o.local_date for o in kept), default=today)
    by_week: dict[date, list[Occurrence]] = {}
    for occurrence in kept:
        by_week.setdefault(week_start(occurrence.local_date), []).append(occurrence)
    weeks: list[WeekTally] = []
    start = week_start(min(first, today))
    while start <= today:
        items = by_week.get(start, [])
        active = {o.local_date for o in items if classify(o, today) in ("done", "some")}
        weeks.append(WeekTally(start, tally(items, today), len(active)))
        start += _WEEK
    return weeks


def milestone_reached(before: int, after: int) -> int | None:
    """The largest round number in (before, after], if the count passed one."""
    candidates = [m for m in _MILESTONES if before < m <= after]
    last = _MILESTONES[-1]
    candidates += range(last + 500, after + 1, 500)
    candidates = [m for m in candidates if m > before]
    return max(candidates, default=None)


def small_wins(weeks: Sequence[WeekTally]) -> tuple[tuple[Win, ...], int | None]:
    """What to celebrate about the last week of `weeks`; never what was not done."""
    if not weeks:
        return (), None
    *earlier, this = weeks
    before = sum(w.tally.sessions for w in earlier)
    now = this.tally.sessions
    wins: list[Win] = []
    if now > 0 and before == 0:
        wins.append(Win.FIRST)
    milestone = milestone_reached(before, before + now)
    if milestone is not None:
        wins.append(Win.MILESTONE)
    if before > 0 and now > max(w.tally.sessions for w in earlier):
        wins.append(Win.BEST_WEEK)
    if this.tally.answered >= 2 and this.tally.no_reply == 0:
        wins.append(Win.ALL_ANSWERED)
    return tuple(wins), milestone


def progress(
    occurrences: Iterable[Occurrence], today: date, started: date | None = None
) -> Progress:
    """This week and since starting (the client's join date), with the week's small wins."""
    items = list(occurrences)
    since = started if started is not None else min((o.local_date for o in items), default=today)
    since = min(since, today)
    weeks = weekly(items, today, since)
    total = Tally()
    for week in weeks:
        total += week.tally
    wins, milestone = small_wins(weeks)
    return Progress(weeks[-1], total, weeks, since, wins, milestone)


def recent(occurrences: Iterable[Occurrence], today: date, days: int) -> Tally:
    """The last `days` local days up to today (the therapist's "5/7" over a week or four)."""
    since = today - timedelta(days=days - 1)
    return tally((o for o in occurrences if since <= o.local_date <= today), today)
