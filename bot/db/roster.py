"""A therapist's clients at a glance (/clients): status, adherence, who needs attention.

Fast with many clients: a handful of grouped queries for all of a therapist's clients
at once, never one per client. Adherence counts the same occurrences as the client's
/progress (bot/db/history.py: nudges that went out or were answered) by the same
rules (bot/domain/adherence.py: "some of it" counts as done, today's open nudge is
not counted yet), but summed in SQL by client over the last 7 and 28 local days.
Local days depend on the client's zone, and at any instant the zones span at most
three dates, so one counting query per distinct "today" covers everyone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
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
    week: Adherence
    month: Adherence

    @property
    def needs_attention(self) -> bool:
        return self.pain or self.status in (RosterStatus.QUIET, RosterStatus.UNREACHABLE)


def local_today(zone: str | None, now: datetime) -> date:
    return now.astimezone(ZoneInfo(zone or "UTC")).date()


def roster_status(client: Client | _Listed, quiet: bool) -> RosterStatus:
    """What the therapist reads for a client: being out of reach or quiet shows over "active"."""
    if client.status in (ClientStatus.INVITED, ClientStatus.STOPPED):
        return RosterStatus(client.status)
    if not client.reachable:
        return RosterStatus.UNREACHABLE
    if client.status == ClientStatus.PAUSED:
        return RosterStatus.PAUSED
    return RosterStatus.QUIET if quiet else RosterStatus.ACTIVE


@dataclass(frozen=True)
class _Listed:
    """What the list needs of a client row: no first name to decrypt, no ORM object."""

    id: int
    label: str
    status: str
    reachable: bool
    timezone: str | None
    quiet: bool  # a quiet spell is open
    pain: bool  # pain, "too hard" or soreness reported lately


async def roster(session: AsyncSession, therapist_id: int, now: datetime) -> list[RosterEntry]:
    """Every client of the therapist: who needs attention first, then by label and id."""
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
    clients = [_Listed(*row) for row in result]
    counts = await _counts(session, therapist_id, clients, now)
    entries = []
    for client in clients:
        week, month = counts.get(client.id, (Tally(), Tally()))
        entries.append(
            RosterEntry(
                client.id,
                client.label,
                roster_status(client, bool(client.quiet)),
                bool(client.pain),
                Adherence(week),
                Adherence(month),
            )
        )
    entries.sort(key=lambda e: (not e.needs_attention, e.label.casefold(), e.client_id))
    return entries


def _sum(condition: object) -> object:
    return func.sum(case((condition, 1), else_=0)).cast(Integer)  # type: ignore[arg-type]


async def _counts(
    session: AsyncSession, therapist_id: int, clients: Sequence[_Listed], now: datetime
) -> dict[int, tuple[Tally, Tally]]:
    """(last 7 days, last 28 days) per client that has had any occurrence in them."""
    zones_by_today: dict[date, set[str]] = defaultdict(set)
    for client in clients:
        if client.timezone is not None:
            zones_by_today[local_today(client.timezone, now)].add(client.timezone)
    found: dict[int, tuple[Tally, Tally]] = {}
    for today, zones in zones_by_today.items():
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
            .join(Client, col(Client.id) == col(Nudge.client_id))
            .where(
                Client.therapist_id == therapist_id,
                col(Client.timezone).in_(zones),
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
