"""Records for export: a client's own (/export) and a therapist's clients' (/csv)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import and_, col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db import routine_versions
from bot.db.models import Client, Nudge, ReminderSlot, Reply
from bot.domain.export import ClientRow, ExportRow, outcome_code
from bot.domain.types import NudgeStatus
from bot.domain.versions import version_at

# Nudges that reached the client (or may have: the sender died mid-request).
# Occurrences that came due while the bot was down, were cancelled by a pause, or
# could not be delivered never asked the client anything, so they are no record of theirs.
_REACHED = (NudgeStatus.SENT, NudgeStatus.UNCONFIRMED)


async def records_of(session: AsyncSession, user_id: int) -> list[ExportRow] | None:
    """One row per nudge the person received, oldest first; None if they aren't a client."""
    client_ids = list(
        await session.exec(select(Client.id).where(col(Client.telegram_user_id) == user_id))
    )
    if not client_ids:
        return None
    rows = await _nudges(session, col(Nudge.client_id).in_(client_ids), col(Nudge.due_at))
    return [_record(row) for row in rows]


@dataclass(frozen=True)
class ClientsExport:
    labels: dict[int, str]  # the clients exported, by id (empty: the therapist has none)
    rows: list[ClientRow]


async def therapist_records(
    session: AsyncSession, therapist_id: int, client_id: int | None = None
) -> ClientsExport | None:
    """A therapist's clients' rows (or one client's), client by client, oldest first.

    None when `client_id` is not one of this therapist's clients: the caller cannot
    tell someone else's client from no client at all.
    """

    def owned(*columns: Any) -> Any:
        query = select(*columns).where(col(Client.therapist_id) == therapist_id)
        return query.where(col(Client.id) == client_id) if client_id is not None else query

    labels: dict[int, str] = dict((await session.exec(owned(Client.id, Client.label))).all())
    if client_id is not None and not labels:
        return None
    which = col(Nudge.client_id).in_(owned(Client.id))
    found = await _nudges(session, which, col(Nudge.client_id), col(Nudge.due_at))
    starts = await routine_versions.starts_by_client(session, labels)
    rows = [
        ClientRow(labels[n.client_id], _record(n), version_at(starts[n.client_id], n.due_at))
        for n in found
        if n.client_id in labels  # not a client added since labels were read
    ]
    return ClientsExport(labels, rows)


async def _nudges(session: AsyncSession, which: Any, *order: Any) -> Sequence[Any]:
    # The feeling hangs on the done/some reply; at most one reply per nudge has one.
    felt = and_(col(Reply.nudge_id) == col(Nudge.id), col(Reply.feeling).is_not(None))
    result = await session.exec(
        select(
            Nudge.client_id,
            Nudge.local_date,
            Nudge.due_at,
            Nudge.outcome,
            Nudge.later_at,
            ReminderSlot.timezone,
            Reply.feeling,
            Nudge.barrier,
        )
        .join(ReminderSlot, col(ReminderSlot.id) == col(Nudge.slot_id))
        .outerjoin(Reply, felt)
        .where(which, or_(col(Nudge.status).in_(_REACHED), col(Nudge.outcome).is_not(None)))
        .order_by(*order, col(Nudge.id))
    )
    return result.all()


def _record(row: Any) -> ExportRow:
    return ExportRow(
        local_date=row.local_date,
        local_time=_local_time(row.due_at, row.timezone),
        outcome=outcome_code(row.outcome, row.later_at is not None),
        feeling=row.feeling,
        barrier=row.barrier,  # the code the client tapped; their own words stay private
    )


def _local_time(due_at: datetime, zone: str) -> time:
    return due_at.astimezone(ZoneInfo(zone)).time().replace(second=0, microsecond=0)
