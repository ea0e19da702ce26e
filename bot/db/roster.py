"""A therapist's clients at a glance (/clients): status, adherence, who needs attention.

Fast with many clients: never a query per client. The order (who needs attention,
then by label) takes one light query for all of a therapist's clients; the counts,
the costly part, are summed in SQL, grouped by client, for the clients on the page
being shown (`adherence_counts` takes any set of clients). They count the same
occurrences as the client's /progress (bot/db/history.py: nudges that went out or
were answered) by the same rules (bot/domain/adherence.py: "some of it" counts as
done, today's open nudge is not counted yet), over the last 7 and 28 local days.
Local days depend on the client's zone, and at any instant the zones span at most
three dates, so one counting query per distinct "today" covers everyone; an index
covering what is counted (migration 0012) keeps the nudge rows unread.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, and_, case, exists, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import Client, ConcernReport, Nudge, QuietSpell
from bot.domain.adherence import Tally
from bot.domain.types import ClientStatus, NudgeStatus, ReplyKind, RosterStatus

WEEK, MONTH = 7, 28
PAIN_RECENT = timedelta(days=14)  # a pain report this recent puts a client at the top
_DONE = (ReplyKind.DONE.value,)
_SOME = (ReplyKind.SOME.value,)
_NOT_TODAY = (ReplyKind.NOT_TODAY.value, ReplyKind.SKIPPED.value)


@dataclass(frozen=True)
class Adherence:
    """One window's counts, as adherence.Tally counts them."""

    tally: Tally

    @property
    def done(self) -> int:
        return self.tally.sessions

    @property
    def scheduled(self) -> int:
        return self.tally.answered + self.tally.no_reply


@dataclass(frozen=True)
class RosterEntry:
    client_id: int
    label: str
    status: RosterStatus
    pain: bool  # reported pain, "too hard" or soreness recently
    week: Adherence = Adherence(Tally())
    month: Adherence = Adherence(Tally())
    zone: str | None = None

    @property
    def needs_attention(self) -> bool:
        return self.pain or self.status in (RosterStatus.QUIET, RosterStatus.UNREACHABLE)


def local_today(zone: str | None, now: datetime) -> date:
    return now.astimezone(ZoneInfo(zone or "UTC")).date()


def roster_status(status: str, reachable: bool, quiet: bool) -> RosterStatus:
    """What the therapist reads for a client: being out of reach or quiet shows over "active"."""
    if status in (ClientStatus.INVITED, ClientStatus.STOPPED):
        return RosterStatus(status)
    if not reachable:
        return RosterStatus.UNREACHABLE
    if status == ClientStatus.PAUSED:
        return RosterStatus.PAUSED
    return RosterStatus.QUIET if quiet else RosterStatus.ACTIVE


@dataclass(frozen=True)
class RosterPage:
    entries: list[RosterEntry]  # this page's clients, with their counts
    total: int  # clients on every page
    attention: int  # of them, those who need attention
    page: int  # 0-based, within range
    pages: int


async def roster_page(
    session: AsyncSession, therapist_id: int, now: datetime, page: int, size: int
) -> RosterPage:
    """One page of the therapist's clients (the last page if `page` is past the end).

    The order needs every client's status and recent pain, one light query for all;
    the counts are shown for one page, so only its clients are counted.
    """
    everyone = await _everyone(session, therapist_id, now)
    pages = max(1, -(-len(everyone) // size))
    page = min(max(page, 0), pages - 1)
    shown = everyone[page * size : (page + 1) * size]
    counts = await adherence_counts(session, [(e.client_id, e.zone) for e in shown], now)
    entries = [
        replace(e, week=Adherence(week), month=Adherence(month))
        for e in shown
        for week, month in [counts.get(e.client_id, (Tally(), Tally()))]
    ]
    attention = sum(1 for entry in everyone if entry.needs_attention)
    return RosterPage(entries, len(everyone), attention, page, pages)


async def _everyone(session: AsyncSession, therapist_id: int, now: datetime) -> list[RosterEntry]:
    """Every client of the therapist, uncounted: who needs attention first, then by label."""
    quiet = exists().where(
        col(QuietSpell.client_id) == col(Client.id), col(QuietSpell.ended_at).is_(None)
    )
    pain = exists().where(
        col(ConcernReport.client_id) == col(Client.id),
        col(ConcernReport.at) >= now - PAIN_RECENT,
    )
    result = await session.exec(
        select(  # type: ignore[call-overload]
            Client.id, Client.label, Client.status, Client.reachable, Client.timezone, quiet, pain
        ).where(Client.therapist_id == therapist_id)
    )
    entries = [
        RosterEntry(
            client_id,
            label,
            roster_status(status, reachable, bool(is_quiet)),
            bool(has_pain),
            zone=zone,
        )
        for client_id, label, status, reachable, zone, is_quiet, has_pain in result
    ]
    entries.sort(key=lambda e: (not e.needs_attention, e.label.casefold(), e.client_id))
    return entries


def _sum(condition: object) -> object:
    return func.sum(case((condition, 1), else_=0)).cast(Integer)  # type: ignore[arg-type]


async def adherence_counts(
    session: AsyncSession, clients: Sequence[tuple[int, str | None]], now: datetime
) -> dict[int, tuple[Tally, Tally]]:
    """(last 7 days, last 28 days) for each (client id, zone) that had occurrences in them,
    in one grouped query per distinct local "today" among the clients."""
    by_today: dict[date, list[int]] = defaultdict(list)
    for client_id, zone in clients:
        if zone is not None:
            by_today[local_today(zone, now)].append(client_id)
    found: dict[int, tuple[Tally, Tally]] = {}
    for today, ids in by_today.items():
        week_from = today - timedelta(days=WEEK - 1)
        month_from = today - timedelta(days=MONTH - 1)
        outcome, day = col(Nudge.outcome), col(Nudge.local_date)
        # As adherence.classify: any other outcome is no reply, and an unanswered nudge
        # is one once its day is over (today's may still be answered).
        no_reply = or_(
            outcome.not_in(_DONE + _SOME + _NOT_TODAY), and_(outcome.is_(None), day < today)
        )
        columns = []
        for start in (week_from, month_from):
            recent = day >= start
            columns += [
                _sum(and_(recent, outcome.in_(_DONE))),
                _sum(and_(recent, outcome.in_(_SOME))),
                _sum(and_(recent, outcome.in_(_NOT_TODAY))),
                _sum(and_(recent, no_reply)),
            ]
        result = await session.exec(
            select(col(Nudge.client_id), *columns)  # type: ignore[call-overload]
            .where(
                col(Nudge.client_id).in_(ids),
                day >= month_from,
                day <= today,
                # The occurrences history.occurrences counts: sent, or answered anyway.
                or_(col(Nudge.status) == NudgeStatus.SENT, outcome.is_not(None)),
            )
            .group_by(col(Nudge.client_id))
        )
        for client_id, *sums in result:
            found[client_id] = (Tally(*sums[:4]), Tally(*sums[4:]))
    return found
