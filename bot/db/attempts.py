"""The life of one send attempt, as bulk Core statements for the batched writer.

Each function takes many items and returns one result per item, so concurrent
senders share a statement (see bot/db/batch_writer.py). The order is the safety
argument: an attempt is committed as "sending" before its request goes out, and
its outcome is committed after the answer comes back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db.models import Client, Nudge
from bot.domain.types import NudgeStatus

_NUDGE = Nudge.__table__  # type: ignore[attr-defined]
_CLIENT = Client.__table__  # type: ignore[attr-defined]
MAX_LOG = 200


@dataclass(frozen=True)
class Begin:
    nudge_id: int
    now: datetime


@dataclass(frozen=True)
class Finished:
    """How an attempt ended; `status` picks the statement that records it."""

    nudge_id: int
    status: NudgeStatus  # SENT, CLAIMED (retry later) or UNDELIVERABLE
    log: str
    attempts: int
    now: datetime
    chat_id: int | None = None
    message_id: int | None = None
    retry_at: datetime | None = None
    error: str | None = None
    client_id: int | None = None
    unreachable: bool = False


async def begin(conn: AsyncConnection, items: list[Begin]) -> list[bool]:
    """Take claimed nudges for an attempt; False where someone else already has one."""
    ids = [item.nudge_id for item in items]
    result = await conn.execute(
        update(_NUDGE)
        .where(_NUDGE.c.id.in_(ids), _NUDGE.c.status == NudgeStatus.CLAIMED)
        .values(status=NudgeStatus.SENDING, attempt_at=max(item.now for item in items))
        .returning(_NUDGE.c.id)
    )
    taken = set(result.scalars())
    return [nudge_id in taken for nudge_id in ids]


_RECORD = (
    update(_NUDGE)
    .where(_NUDGE.c.id == bindparam("b_id"))
    .values(
        status=bindparam("b_status"),
        sent_at=bindparam("b_sent_at"),
        chat_id=bindparam("b_chat_id"),
        message_id=bindparam("b_message_id"),
        retry_at=bindparam("b_retry_at"),
        last_error=bindparam("b_error"),
        attempts=_NUDGE.c.attempts + bindparam("b_attempts"),
        attempt_log=_NUDGE.c.attempt_log + bindparam("b_log"),
    )
)
_UNREACHABLE = update(_CLIENT).where(_CLIENT.c.id == bindparam("b_id")).values(reachable=False)


async def record(conn: AsyncConnection, items: list[Finished]) -> list[None]:
    """Record how attempts ended; a blocked bot also pauses that client's nudges."""
    await conn.execute(
        _RECORD,
        [
            {
                "b_id": item.nudge_id,
                "b_status": item.status,
                "b_sent_at": item.now if item.status == NudgeStatus.SENT else None,
                "b_chat_id": item.chat_id,
                "b_message_id": item.message_id,
                "b_retry_at": item.retry_at,
                "b_error": item.error[:500] if item.error else None,
                "b_attempts": item.attempts,
                "b_log": item.log[-MAX_LOG:],
            }
            for item in items
        ],
    )
    blocked = [{"b_id": item.client_id} for item in items if item.unreachable]
    if blocked:
        await conn.execute(_UNREACHABLE, blocked)
    return [None] * len(items)


_RENUDGE = (
    update(_NUDGE)
    .where(_NUDGE.c.id == bindparam("b_id"))
    .values(renudge_message_id=bindparam("b_message_id"))
)


async def renudge_sent(conn: AsyncConnection, items: list[tuple[int, int]]) -> list[None]:
    """(nudge id, message id) of re-nudges Telegram accepted."""
    await conn.execute(_RENUDGE, [{"b_id": n, "b_message_id": m} for n, m in items])
    return [None] * len(items)
