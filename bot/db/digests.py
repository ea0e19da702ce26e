"""The therapist's weekly digest: its settings, claiming it once, and the week's counts.

Claiming moves `digest_next_at` on with a conditional UPDATE before anything is
sent, so two passes (or two replicas) can't both send the same week's digest.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, func, select, update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db import clients
from bot.db.models import Client, ConcernReport, Nudge, QuietSpell, Therapist
from bot.domain.digest import DigestRow, next_digest_at
from bot.domain.types import NudgeStatus, ReplyKind

_CHOOSABLE = {"timezone", "digest_enabled", "digest_weekday", "digest_time"}
_THERAPIST = Therapist.__table__  # type: ignore[attr-defined]
_CLIENT = Client.__table__  # type: ignore[attr-defined]
_NUDGE = Nudge.__table__  # type: ignore[attr-defined]
_CONCERN = ConcernReport.__table__  # type: ignore[attr-defined]
_SPELL = QuietSpell.__table__  # type: ignore[attr-defined]


def reschedule(therapist: Therapist, now: datetime) -> None:
    """Set when the next digest is due from the therapist's choices (None while off)."""
    therapist.digest_next_at = (
        next_digest_at(therapist.digest_weekday, therapist.digest_time, therapist.timezone, now)
        if therapist.digest_enabled
        else None
    )


async def change(
    session: AsyncSession,
    user_id: int,
    name: str,
    language: str,
    now: datetime,
    **values: object,
) -> Therapist:
    """A therapist's own choice (timezone, digest_enabled, digest_weekday, digest_time),
    with the next digest moved to fit. An admin without a row yet gets one here."""
    therapist = await clients.ensure_therapist(session, user_id, name, language, now)
    for column, value in values.items():
        if column not in _CHOOSABLE:
            raise ValueError(f"not a therapist's choice: {column}")
        setattr(therapist, column, value)
    reschedule(therapist, now)
    session.add(therapist)
    return therapist


async def due(session: AsyncSession, now: datetime, limit: int) -> list[Therapist]:
    result = await session.exec(
        select(Therapist)  # type: ignore[call-overload]
        .where(col(Therapist.digest_next_at) <= now, col(Therapist.digest_enabled).is_(True))
        .order_by(col(Therapist.digest_next_at))
        .limit(limit)
    )
    return list(result.scalars())


async def claim(session: AsyncSession, therapist: Therapist, now: datetime) -> bool:
    """Take this week's digest: True if this call moved `digest_next_at` on (and so sends)."""
    was = therapist.digest_next_at
    following = next_digest_at(
        therapist.digest_weekday, therapist.digest_time, therapist.timezone, now
    )
    result = await session.exec(
        update(Therapist)  # type: ignore[call-overload]
        .where(col(Therapist.id) == therapist.id, col(Therapist.digest_next_at) == was)
        .values(digest_next_at=following)
    )
    return bool(result.rowcount == 1)


async def next_wake(session: AsyncSession) -> datetime | None:
    conn = await session.connection()
    return (
        await conn.execute(
            select(func.min(_THERAPIST.c.digest_next_at)).where(
                _THERAPIST.c.digest_enabled.is_(True)
            )
        )
    ).scalar_one()


async def rows(
    session: AsyncSession, therapist_id: int, since: datetime, until: datetime
) -> list[DigestRow]:
    """Every client of this therapist (and no one else's), with the period's counts.

    Three grouped reads scoped by the therapist, joined here in memory: labels are
    sealed, so sorting happens after decryption anyway.
    """
    conn = await session.connection()
    mine = _CLIENT.c.therapist_id == therapist_id
    done = _NUDGE.c.outcome.in_([ReplyKind.DONE.value, ReplyKind.SOME.value])
    reached = (_NUDGE.c.status == NudgeStatus.SENT) | _NUDGE.c.outcome.is_not(None)
    nudges = await conn.execute(
        select(_NUDGE.c.client_id, func.count(), func.sum(case((done, 1), else_=0)))
        .join(_CLIENT, _CLIENT.c.id == _NUDGE.c.client_id)
        .where(mine, _NUDGE.c.due_at >= since, _NUDGE.c.due_at < until, reached)
        .group_by(_NUDGE.c.client_id)
    )
    counts = {client: (int(n), int(d or 0)) for client, n, d in nudges}
    concerns = await conn.execute(
        select(_CONCERN.c.client_id, func.count())
        .join(_CLIENT, _CLIENT.c.id == _CONCERN.c.client_id)
        .where(mine, _CONCERN.c.at >= since, _CONCERN.c.at < until)
        .group_by(_CONCERN.c.client_id)
    )
    reported = {client: int(n) for client, n in concerns}
    quiet = set(
        (
            await conn.execute(
                select(_SPELL.c.client_id)
                .join(_CLIENT, _CLIENT.c.id == _SPELL.c.client_id)
                .where(mine, _SPELL.c.ended_at.is_(None))
            )
        ).scalars()
    )
    clients = await session.exec(
        select(Client).where(col(Client.therapist_id) == therapist_id)  # type: ignore[call-overload]
    )
    result: list[DigestRow] = []
    for client in clients.scalars():
        scheduled, sessions = counts.get(client.id, (0, 0))
        result.append(
            DigestRow(
                label=client.label,
                status=client.status,
                reachable=client.reachable,
                quiet=client.id in quiet,
                sessions=sessions,
                scheduled=scheduled,
                concerns=reported.get(client.id, 0),
            )
        )
    return result
