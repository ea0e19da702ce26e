"""Therapists, clients, invites, routines and reminder slots."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db import invites, routine_versions
from bot.db.models import Client, Exercise, Invite, ReminderSlot, Routine, Therapist
from bot.domain.schedule import next_due
from bot.domain.tokens import hash_token
from bot.domain.types import ClientStatus, Frequency


@dataclass(frozen=True)
class ExerciseSpec:
    name: str
    dose: str
    notes: str | None = None
    media_file_id: str | None = None  # a photo or video sent in the chat (Telegram file id)
    media_kind: str | None = None  # MediaKind


async def therapist_by_user(session: AsyncSession, user_id: int) -> Therapist | None:
    result = await session.exec(select(Therapist).where(Therapist.telegram_user_id == user_id))
    return result.first()


async def ensure_therapist(
    session: AsyncSession, user_id: int, display_name: str, language: str, now: datetime
) -> Therapist:
    therapist = await therapist_by_user(session, user_id)
    if therapist is None:
        therapist = Therapist(
            telegram_user_id=user_id, display_name=display_name, language=language, created_at=now
        )
        session.add(therapist)
        await session.flush()
    elif therapist.display_name != display_name:
        therapist.display_name = display_name
        session.add(therapist)
    return therapist


async def create_client_with_invite(
    session: AsyncSession,
    therapist: Therapist,
    label: str,
    exercises: Sequence[ExerciseSpec],
    frequency: Frequency,
    times_per_week: int | None,
    now: datetime,
    invite_ttl: timedelta,
) -> tuple[Client, Invite, str]:
    """Create everything in one transaction; the clear-text token is returned once, never stored."""
    assert therapist.id is not None
    client = Client(therapist_id=therapist.id, label=label, created_at=now)
    session.add(client)
    await session.flush()
    assert client.id is not None
    routine = Routine(
        client_id=client.id,
        frequency=frequency,
        times_per_week=times_per_week,
        created_at=now,
        updated_at=now,
    )
    session.add(routine)
    await session.flush()
    assert routine.id is not None
    for position, spec in enumerate(exercises, start=1):
        session.add(
            Exercise(
                routine_id=routine.id,
                position=position,
                name=spec.name,
                dose=spec.dose,
                notes=spec.notes,
                media_file_id=spec.media_file_id,
                media_kind=spec.media_kind if spec.media_file_id else None,
            )
        )
    await session.flush()
    await routine_versions.record(session, routine, now)
    invite, token = await invites.issue(session, client.id, now, invite_ttl)
    return client, invite, token


class InviteState(StrEnum):
    OK = "ok"
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    REVOKED = "revoked"
    ALREADY_JOINED = "already_joined"


@dataclass(frozen=True)
class InviteCheck:
    state: InviteState
    invite: Invite | None = None
    client: Client | None = None
    therapist: Therapist | None = None


async def check_invite(
    session: AsyncSession, token: str, user_id: int, now: datetime
) -> InviteCheck:
    """Say what a /start token means for this person, without changing anything."""
    result = await session.exec(select(Invite).where(Invite.token_hash == hash_token(token)))
    invite = result.first()
    if invite is None:
        return InviteCheck(InviteState.UNKNOWN)
    client = await session.get(Client, invite.client_id)
    therapist = await session.get(Therapist, client.therapist_id) if client else None
    if client is None or therapist is None:
        return InviteCheck(InviteState.UNKNOWN)
    if invite.used_at is not None:
        if invite.used_by == user_id and client.telegram_user_id == user_id:
            return InviteCheck(InviteState.ALREADY_JOINED, invite, client, therapist)
        return InviteCheck(InviteState.USED, invite, client, therapist)
    if invite.revoked_at is not None:
        return InviteCheck(InviteState.REVOKED, invite, client, therapist)
    if invite.expires_at <= now:
        return InviteCheck(InviteState.EXPIRED, invite, client, therapist)
    return InviteCheck(InviteState.OK, invite, client, therapist)


async def redeem_invite(
    session: AsyncSession,
    invite_id: int,
    user_id: int,
    chat_id: int,
    first_name: str,
    language: str,
    now: datetime,
) -> Client | None:
    """Consume the invite atomically, so two taps or two replicas can't both use it."""
    result = await session.exec(
        update(Invite)  # type: ignore[call-overload]
        .where(
            col(Invite.id) == invite_id,
            col(Invite.used_at).is_(None),
            col(Invite.revoked_at).is_(None),
            col(Invite.expires_at) > now,
        )
        .values(used_at=now, used_by=user_id)
    )
    if result.rowcount != 1:
        return None
    invite = await session.get(Invite, invite_id)
    assert invite is not None
    client = await session.get(Client, invite.client_id)
    assert client is not None
    client.telegram_user_id = user_id
    client.chat_id = chat_id
    client.first_name = first_name
    client.language = language
    client.consented_at = now
    session.add(client)
    return client


async def routine_for(session: AsyncSession, client_id: int) -> tuple[Routine, list[Exercise]]:
    routine = (await session.exec(select(Routine).where(Routine.client_id == client_id))).one()
    exercises = await session.exec(
        select(Exercise).where(Exercise.routine_id == routine.id).order_by(col(Exercise.position))
    )
    return routine, list(exercises)


async def activate_schedule(
    session: AsyncSession,
    client_id: int,
    zone: str,
    local_times: Sequence[time],
    weekdays: int,
    now: datetime,
) -> list[ReminderSlot]:
    """Start the client's reminders: one slot per time of day (two for twice-a-day
    routines), each with its first due instant.

    For joining only: any earlier slots are retired and new ones made, so new slot
    ids. Changing an existing schedule goes through `bot.db.schedules.move`, which
    keeps the ids and with them the one-nudge-per-day guarantee.
    """
    client = await session.get(Client, client_id)
    assert client is not None
    existing = await session.exec(select(ReminderSlot).where(ReminderSlot.client_id == client_id))
    for slot in existing:
        slot.active = False
        slot.updated_at = now
        session.add(slot)
    slots = [
        ReminderSlot(
            client_id=client_id,
            local_time=local_time.strftime("%H:%M"),
            weekdays=weekdays,
            timezone=zone,
            active=True,
            next_due_at=next_due(local_time, weekdays, ZoneInfo(zone), now),
            created_at=now,
            updated_at=now,
        )
        for local_time in sorted(set(local_times))
    ]
    session.add_all(slots)
    client.timezone = zone
    client.status = ClientStatus.ACTIVE
    client.joined_at = client.joined_at or now
    session.add(client)
    await session.flush()
    return slots


async def clients_of_user(session: AsyncSession, user_id: int) -> list[Client]:
    result = await session.exec(
        select(Client)
        .where(Client.telegram_user_id == user_id)
        .order_by(col(Client.joined_at).desc())
    )
    return list(result)


async def mark_reachable(session: AsyncSession, user_id: int) -> None:
    """A person who writes to us has unblocked the bot, so nudges may resume; should they
    become unreachable again, their therapist is told again."""
    await session.exec(
        update(Client)  # type: ignore[call-overload]
        .where(col(Client.telegram_user_id) == user_id, col(Client.reachable).is_(False))
        .values(reachable=True, unreachable_told_at=None)
    )
