"""A client's invite links as their therapist manages them: issue, revoke, re-issue, state.

Every function that takes a therapist's id touches only that therapist's clients:
an id typed or forged by another therapist finds nothing, exactly like an id that
does not exist, so callers cannot tell the two apart (and neither can the person).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import Client, Invite, Therapist
from bot.domain.tokens import hash_token, new_token
from bot.domain.types import InviteStatus


async def issue(
    session: AsyncSession, client_id: int, now: datetime, ttl: timedelta
) -> tuple[Invite, str]:
    """A new link for the client; the clear-text token is returned once, never stored."""
    token = new_token()
    invite = Invite(
        client_id=client_id, token_hash=hash_token(token), created_at=now, expires_at=now + ttl
    )
    session.add(invite)
    await session.flush()
    return invite, token


def status_of(invite: Invite, now: datetime) -> InviteStatus:
    if invite.used_at is not None:
        return InviteStatus.USED
    if invite.revoked_at is not None:
        return InviteStatus.REVOKED
    if invite.expires_at <= now:
        return InviteStatus.EXPIRED
    return InviteStatus.WAITING


async def own_client(session: AsyncSession, therapist_id: int, client_id: int) -> Client | None:
    """The client, if it is this therapist's; None for anyone else's and for no one's."""
    result = await session.exec(
        select(Client).where(Client.id == client_id, Client.therapist_id == therapist_id)
    )
    return result.first()


async def own_pair(
    session: AsyncSession, therapist_id: int, client_id: int
) -> tuple[Client, Therapist] | None:
    """The client with their therapist, if the client is this therapist's."""
    row = (
        await session.exec(
            select(Client, Therapist)
            .join(Therapist, col(Therapist.id) == col(Client.therapist_id))
            .where(col(Client.id) == client_id, col(Client.therapist_id) == therapist_id)
        )
    ).first()
    return (row[0], row[1]) if row is not None else None


@dataclass(frozen=True)
class Revocation:
    client: Client
    invite: Invite
    before: InviteStatus  # WAITING means this call revoked it; otherwise why it could not


async def revoke_invite(
    session: AsyncSession, therapist_id: int, invite_id: int, now: datetime
) -> Revocation | None:
    """Revoke one link (the button under its QR code) if it is still waiting."""
    result = await session.exec(
        select(Invite, Client)
        .join(Client, col(Client.id) == col(Invite.client_id))
        .where(Invite.id == invite_id, Client.therapist_id == therapist_id)
    )
    row = result.first()
    if row is None:
        return None
    invite, client = row
    before = status_of(invite, now)
    if before is InviteStatus.WAITING:
        await _revoke_waiting(session, invite_id=invite_id, now=now)
        await session.refresh(invite)
    return Revocation(client, invite, before)


async def revoke_client_invites(
    session: AsyncSession, therapist_id: int, client_id: int, now: datetime
) -> int | None:
    """Revoke every waiting link of a client (the client's detail); None if not theirs."""
    if await own_client(session, therapist_id, client_id) is None:
        return None
    return await _revoke_waiting(session, client_id=client_id, now=now)


async def _revoke_waiting(
    session: AsyncSession,
    *,
    now: datetime,
    invite_id: int | None = None,
    client_id: int | None = None,
) -> int:
    """Conditional, so a link opened at the same moment is either used or revoked, not both."""
    statement = update(Invite).where(  # type: ignore[call-overload]
        col(Invite.used_at).is_(None),
        col(Invite.revoked_at).is_(None),
        col(Invite.expires_at) > now,
    )
    if invite_id is not None:
        statement = statement.where(col(Invite.id) == invite_id)
    if client_id is not None:
        statement = statement.where(col(Invite.client_id) == client_id)
    result = await session.exec(statement.values(revoked_at=now))
    return int(result.rowcount)


async def reissue_invite(
    session: AsyncSession, therapist_id: int, client_id: int, now: datetime, ttl: timedelta
) -> tuple[Client, Invite, str] | None:
    """A fresh link for a client who has not joined yet; the old ones stop working.

    None when the client is not this therapist's, or has already joined (their
    link did its job, and a second one could connect another person to their record).
    """
    client = await own_client(session, therapist_id, client_id)
    if client is None or client.telegram_user_id is not None:
        return None
    assert client.id is not None
    await _revoke_waiting(session, client_id=client.id, now=now)
    invite, token = await issue(session, client.id, now, ttl)
    return client, invite, token


async def invite_status(
    session: AsyncSession, therapist_id: int, client_id: int, now: datetime
) -> InviteStatus | None:
    """The state of the client's latest link, for their detail; None if not theirs or no link."""
    result = await session.exec(
        select(Invite)
        .join(Client, col(Client.id) == col(Invite.client_id))
        .where(Invite.client_id == client_id, Client.therapist_id == therapist_id)
        .order_by(col(Invite.id).desc())
        .limit(1)
    )
    invite = result.first()
    return status_of(invite, now) if invite is not None else None


async def waiting_clients(session: AsyncSession, therapist_id: int, limit: int) -> list[Client]:
    """This therapist's clients who have not joined yet, newest first."""
    result = await session.exec(
        select(Client)
        .where(Client.therapist_id == therapist_id, col(Client.telegram_user_id).is_(None))
        .order_by(col(Client.created_at).desc(), col(Client.id).desc())
        .limit(limit)
    )
    return list(result)
