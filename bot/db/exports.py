"""A client's own records, read for /export."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlmodel import and_, col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import Client, Nudge, ReminderSlot, Reply
from bot.domain.export import ExportRow, outcome_code
from bot.domain.types import NudgeStatus

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
    # The feeling hangs on the done/some reply; at most one reply per nudge has one.
    felt = and_(col(Reply.nudge_id) == col(Nudge.id), col(Reply.feeling).is_not(None))
    rows = await session.exec(
        select(
            Nudge.local_date,
            Nudge.due_at,
            Nudge.outcome,
            Nudge.later_at,
            ReminderSlot.timezone,
            Reply.feeling,
        )
        .join(ReminderSlot, col(ReminderSlot.id) == col(Nudge.slot_id))
        .outerjoin(Reply, felt)
        .where(
            col(Nudge.client_id).in_(client_ids),
            or_(col(Nudge.status).in_(_REACHED), col(Nudge.outcome).is_not(None)),
        )
        .order_by(col(Nudge.due_at), col(Nudge.id))
    )
    return [
        ExportRow(
            local_date=local_date,
            local_time=_local_time(due_at, zone),
            outcome=outcome_code(outcome, later_at is not None),
            feeling=feeling,
            barrier=None,  # no barriers are recorded yet
        )
        for local_date, due_at, outcome, later_at, zone, feeling in rows
    ]


def _local_time(due_at: datetime, zone: str) -> time:
    return due_at.astimezone(ZoneInfo(zone)).time().replace(second=0, microsecond=0)
