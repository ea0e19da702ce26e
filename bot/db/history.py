"""What a client's nudges came to: the occurrences /progress and adherence charts count."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import Client, Nudge
from bot.domain.adherence import Occurrence
from bot.domain.types import NudgeStatus


async def joined_client(session: AsyncSession, user_id: int) -> Client | None:
    """The person's most recent enrolment that got as far as a schedule, if any."""
    result = await session.exec(
        select(Client)
        .where(col(Client.telegram_user_id) == user_id, col(Client.joined_at).is_not(None))
        .order_by(col(Client.joined_at).desc(), col(Client.id).desc())
        .limit(1)
    )
    return result.first()


async def occurrences(session: AsyncSession, client_id: int) -> list[Occurrence]:
    """Every nudge that reached the client (or was answered), by local date, oldest first.

    Occurrences that never went out (the bot was down, the chat was gone) are no
    part of anyone's record: the client never saw them.
    """
    result = await session.exec(
        select(Nudge.local_date, Nudge.outcome)
        .where(
            col(Nudge.client_id) == client_id,
            (col(Nudge.status) == NudgeStatus.SENT) | col(Nudge.outcome).is_not(None),
        )
        .order_by(col(Nudge.local_date), col(Nudge.id))
    )
    return [Occurrence(local_date, outcome) for local_date, outcome in result]
