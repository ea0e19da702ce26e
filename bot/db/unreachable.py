"""Clients who became unreachable (they blocked the bot): their therapist is told once.

The sender marks a client unreachable on a 403 (bot/db/attempts.py). Telling the
therapist is claimed here with one conditional UPDATE, so each transition is told
once, by one replica; the client writing again clears the mark (clients.mark_reachable).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import Client, Therapist

_CLIENT = Client.__table__  # type: ignore[attr-defined]
_THERAPIST = Therapist.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class UnreachableNotice:
    client_id: int
    label: str
    therapist_chat: int
    language: str


async def claim_notices(session: AsyncSession, now: datetime) -> list[UnreachableNotice]:
    conn = await session.connection()
    untold = (_CLIENT.c.reachable.is_(False), _CLIENT.c.unreachable_told_at.is_(None))
    # Read first: this runs on every pass, and an UPDATE (even of no row) would take
    # SQLite's write lock from the nudges' writer each time.
    if not (await conn.execute(select(_CLIENT.c.id).where(*untold).limit(1))).first():
        return []
    claimed = await conn.execute(
        update(_CLIENT).where(*untold).values(unreachable_told_at=now).returning(_CLIENT.c.id)
    )
    ids = list(claimed.scalars())
    if not ids:
        return []
    result = await session.exec(
        select(Client, Therapist)  # type: ignore[call-overload]
        .join(Therapist, Therapist.id == Client.therapist_id)
        .where(Client.id.in_(ids))  # type: ignore[union-attr]
        .order_by(Client.id)
    )
    return [
        UnreachableNotice(client.id, client.label, therapist.telegram_user_id, therapist.language)
        for client, therapist in result
    ]
