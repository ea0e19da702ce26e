"""The life of one send attempt, as single-row Core statements.

These run inside the batched writer (bot/db/batch_writer.py), many per commit, so
they use Core on a plain connection: no ORM identity map, no per-row objects.
The order is the safety argument: an attempt is committed as "sending" before the
request goes out, and its outcome is committed after it comes back.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db.models import Client, Nudge, NudgeStatus

_NUDGE = Nudge.__table__  # type: ignore[attr-defined]
_CLIENT = Client.__table__  # type: ignore[attr-defined]
MAX_LOG = 200


async def begin(conn: AsyncConnection, nudge_id: int, now: datetime) -> bool:
    """Take a claimed nudge for an attempt; False if someone else already has it."""
    result = await conn.execute(
        update(_NUDGE)
        .where(_NUDGE.c.id == nudge_id, _NUDGE.c.status == NudgeStatus.CLAIMED)
        .values(status=NudgeStatus.SENDING, attempt_at=now)
    )
    return result.rowcount == 1


async def sent(
    conn: AsyncConnection,
    nudge_id: int,
    chat_id: int,
    message_id: int,
    now: datetime,
    log: str,
    attempts: int,
) -> None:
    await conn.execute(
        update(_NUDGE)
        .where(_NUDGE.c.id == nudge_id)
        .values(
            status=NudgeStatus.SENT,
            sent_at=now,
            chat_id=chat_id,
            message_id=message_id,
            attempts=_NUDGE.c.attempts + attempts,
            attempt_log=_NUDGE.c.attempt_log + log[-MAX_LOG:],
        )
    )


async def retry_later(
    conn: AsyncConnection,
    nudge_id: int,
    retry_at: datetime,
    error: str,
    log: str,
    attempts: int,
) -> None:
    """Transient trouble: hand the nudge back for another try after retry_at."""
    await conn.execute(
        update(_NUDGE)
        .where(_NUDGE.c.id == nudge_id)
        .values(
            status=NudgeStatus.CLAIMED,
            retry_at=retry_at,
            last_error=error[:500],
            attempts=_NUDGE.c.attempts + attempts,
            attempt_log=_NUDGE.c.attempt_log + log[-MAX_LOG:],
        )
    )


async def undeliverable(
    conn: AsyncConnection,
    nudge_id: int,
    client_id: int,
    error: str,
    log: str,
    attempts: int,
    *,
    unreachable: bool,
) -> None:
    """Permanent failure; a blocked bot also pauses the client's nudges until they write."""
    await conn.execute(
        update(_NUDGE)
        .where(_NUDGE.c.id == nudge_id)
        .values(
            status=NudgeStatus.UNDELIVERABLE,
            last_error=error[:500],
            attempts=_NUDGE.c.attempts + attempts,
            attempt_log=_NUDGE.c.attempt_log + log[-MAX_LOG:],
        )
    )
    if unreachable:
        await conn.execute(update(_CLIENT).where(_CLIENT.c.id == client_id).values(reachable=False))


async def renudge_sent(conn: AsyncConnection, nudge_id: int, message_id: int) -> None:
    await conn.execute(
        update(_NUDGE).where(_NUDGE.c.id == nudge_id).values(renudge_message_id=message_id)
    )
