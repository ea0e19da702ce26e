"""Who is a therapist here: invites for colleagues, the list, and removal.

Admins (ADMIN_IDS) are therapists by configuration; everyone else becomes one by
opening a single-use link an admin made, which creates their Therapist row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import col, delete, exists, func, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import Client, Therapist, TherapistInvite
from bot.domain.tokens import hash_token, new_token


async def create_invite(
    session: AsyncSession, admin_id: int, now: datetime, ttl: timedelta
) -> tuple[TherapistInvite, str]:
    """A colleague's link; the clear-text token is returned once, never stored."""
    token = new_token()
    invite = TherapistInvite(
        token_hash=hash_token(token), created_by=admin_id, created_at=now, expires_at=now + ttl
    )
    session.add(invite)
    await session.flush()
    return invite, token


async def find_invite(session: AsyncSession, token: str) -> TherapistInvite | None:
    """Is this /start token a colleague's invite (rather than a client's)?"""
    result = await session.exec(
        select(TherapistInvite).where(TherapistInvite.token_hash == hash_token(token))
    )
    return result.first()


async def redeem_invite(
    session: AsyncSession,
    invite_id: int,
    user_id: int,
    display_name: str,
    language: str,
    now: datetime,
) -> Therapist | None:
    """Use the link (once, atomically, even across replicas) and make its opener a therapist."""
    result = await session.exec(
        update(TherapistInvite)  # type: ignore[call-overload]
        .where(
            col(TherapistInvite.id) == invite_id,
            col(TherapistInvite.used_at).is_(None),
            col(TherapistInvite.expires_at) > now,
        )
        .values(used_at=now, used_by=user_id)
    )
    if result.rowcount != 1:
        return None
    therapist = Therapist(
        telegram_user_id=user_id, display_name=display_name, language=language, created_at=now
    )
    session.add(therapist)
    await session.flush()
    return therapist


@dataclass(frozen=True)
class TherapistEntry:
    therapist: Therapist
    clients: int


async def all_therapists(session: AsyncSession) -> list[TherapistEntry]:
    """Every therapist with a row, oldest first, with how many clients each has."""
    counts = (
        select(Client.therapist_id, func.count().label("n"))
        .group_by(col(Client.therapist_id))
        .subquery()
    )
    result = await session.exec(
        select(Therapist, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.therapist_id == Therapist.id)
        .order_by(col(Therapist.id))
    )
    return [TherapistEntry(therapist, int(n)) for therapist, n in result]


async def by_id(session: AsyncSession, therapist_id: int) -> Therapist | None:
    return await session.get(Therapist, therapist_id)


async def client_count(session: AsyncSession, therapist_id: int) -> int:
    result = await session.exec(
        select(func.count()).select_from(Client).where(Client.therapist_id == therapist_id)
    )
    return int(result.one())


async def remove(session: AsyncSession, therapist_id: int) -> bool:
    """Remove a therapist who has no clients; False if they have any (or are gone).

    One conditional DELETE, so a client created at the same moment is never left
    without a therapist.
    """
    has_clients = exists().where(col(Client.therapist_id) == therapist_id)
    result = await session.exec(
        delete(Therapist).where(  # type: ignore[call-overload]
            col(Therapist.id) == therapist_id, ~has_clients
        )
    )
    return bool(result.rowcount)


async def languages(session: AsyncSession) -> dict[int, str]:
    """Every therapist's Telegram user id and language, for their command menus."""
    result = await session.exec(select(Therapist.telegram_user_id, Therapist.language))
    return dict(result.all())
