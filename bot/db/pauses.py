"""A client's nudges paused, resumed or stopped, and the welcome back after a pause.

A person is usually one client, but could be a client of two therapists; these
act on all of the person's clients at once, because "pause my nudges" means all
of them. Each returns whom to tell: the therapist of every client it changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import Client, Nudge, ReminderSlot, Therapist
from bot.domain.schedule import next_due
from bot.domain.types import ClientStatus, NudgeStatus

_CLIENT = Client.__table__  # type: ignore[attr-defined]
_JUST_BEFORE = timedelta(microseconds=1)  # next_due is strictly after; we want "at or after"
RUNNING = (ClientStatus.ACTIVE, ClientStatus.PAUSED)


@dataclass(frozen=True)
class Notice:
    """Whom to tell about a change to one client: their therapist, in the therapist's words."""

    therapist_user_id: int
    therapist_language: str
    label: str


@dataclass(frozen=True)
class Standing:
    """Where a person stands with their nudges, for the command flows to answer from."""

    status: ClientStatus | None  # the liveliest of their clients' statuses; None: a stranger
    therapist: str  # the therapist of their latest client ("" for a stranger)
    zone: str = "UTC"  # their latest client's time zone
    paused_until: datetime | None = None  # a dated pause's end (None: open-ended or not paused)
    next_due: datetime | None = None  # the next nudge, when nudges are on


_LIVELINESS = (ClientStatus.ACTIVE, ClientStatus.PAUSED, ClientStatus.INVITED, ClientStatus.STOPPED)


async def _clients(
    session: AsyncSession, user_id: int, statuses: Sequence[ClientStatus] | None = None
) -> list[tuple[Client, Therapist]]:
    query = (
        select(Client, Therapist)
        .join(Therapist, col(Therapist.id) == col(Client.therapist_id))
        .where(col(Client.telegram_user_id) == user_id)
        .order_by(col(Client.joined_at).desc(), col(Client.id).desc())
    )
    if statuses is not None:
        query = query.where(col(Client.status).in_(statuses))
    return [(client, therapist) for client, therapist in await session.exec(query)]


def _notice(client: Client, therapist: Therapist) -> Notice:
    return Notice(therapist.telegram_user_id, therapist.language, client.label)


async def standing(session: AsyncSession, user_id: int) -> Standing:
    pairs = await _clients(session, user_id)
    if not pairs:
        return Standing(None, "")
    status = min((ClientStatus(c.status) for c, _t in pairs), key=_LIVELINESS.index)
    paused = [c.paused_until for c, _t in pairs if c.status == ClientStatus.PAUSED]
    until = None if not paused or None in paused else min(u for u in paused if u is not None)
    ids = [c.id for c, _t in pairs if c.status == ClientStatus.ACTIVE]
    due = await session.exec(
        select(ReminderSlot.next_due_at).where(
            col(ReminderSlot.client_id).in_(ids), col(ReminderSlot.active).is_(True)
        )
    )
    latest, therapist = pairs[0]
    zone = latest.timezone or "UTC"
    return Standing(status, therapist.display_name, zone, until, min(due, default=None))


async def _slots(session: AsyncSession, client_ids: list[int | None]) -> list[ReminderSlot]:
    result = await session.exec(
        select(ReminderSlot).where(
            col(ReminderSlot.client_id).in_(client_ids), col(ReminderSlot.active).is_(True)
        )
    )
    return list(result)


def _move(slot: ReminderSlot, after: datetime, now: datetime) -> None:
    """The slot's next occurrence at or after `after`."""
    local = time.fromisoformat(slot.local_time)
    slot.next_due_at = next_due(local, slot.weekdays, ZoneInfo(slot.timezone), after - _JUST_BEFORE)
    slot.updated_at = now


async def _hold_back(session: AsyncSession, client_ids: list[int | None]) -> None:
    """Nothing already on its way goes out during a pause or after a stop.

    A claimed nudge not yet sent is cancelled (the sender's 'sending' mark needs
    the claimed status, so one already in the sender's hands is withheld too), and
    a re-nudge the client asked for with "Later" is called off.
    """
    await session.exec(
        update(Nudge)  # type: ignore[call-overload]
        .where(col(Nudge.client_id).in_(client_ids), col(Nudge.status) == NudgeStatus.CLAIMED)
        .values(status=NudgeStatus.CANCELLED)
    )
    await session.exec(
        update(Nudge)  # type: ignore[call-overload]
        .where(
            col(Nudge.client_id).in_(client_ids),
            col(Nudge.renudge_at).is_not(None),
            col(Nudge.renudge_claimed_at).is_(None),
        )
        .values(renudge_at=None)
    )


async def pause(
    session: AsyncSession, user_id: int, until: datetime | None, now: datetime
) -> list[Notice]:
    """Pause until an instant (None: until the client says), or move an existing pause.

    A dated pause moves each slot to its first occurrence at or after `until`, so
    nothing falls due during the pause and nothing is left over to catch up on.
    """
    pairs = await _clients(session, user_id, RUNNING)
    for client, _therapist in pairs:
        client.status, client.paused_until = ClientStatus.PAUSED, until
        session.add(client)
    ids = [client.id for client, _t in pairs]
    if until is not None:
        for slot in await _slots(session, ids):
            _move(slot, until, now)
            session.add(slot)
    await _hold_back(session, ids)
    return [_notice(client, therapist) for client, therapist in pairs]


async def pause_client(session: AsyncSession, client: Client, now: datetime) -> bool:
    """The therapist pauses one client until they (or the client) resume: False when the
    client has no nudges running to pause (invited, stopped or already paused)."""
    if client.status != ClientStatus.ACTIVE:
        return False
    client.status, client.paused_until = ClientStatus.PAUSED, None
    session.add(client)
    await _hold_back(session, [client.id])
    return True


async def resume_client(session: AsyncSession, client: Client, now: datetime) -> bool:
    """The therapist ends one client's pause now; False when the client was not paused."""
    if client.status != ClientStatus.PAUSED:
        return False
    _resumed(client)
    session.add(client)
    for slot in await _slots(session, [client.id]):
        _move(slot, now, now)
        session.add(slot)
    return True


def _resumed(client: Client) -> None:
    client.status, client.paused_until, client.welcome_back = ClientStatus.ACTIVE, None, True


async def resume(session: AsyncSession, user_id: int, now: datetime) -> list[Notice]:
    """End a pause now: today's nudge still comes if its time is ahead."""
    pairs = await _clients(session, user_id, [ClientStatus.PAUSED])
    for client, _therapist in pairs:
        _resumed(client)
        session.add(client)
    for slot in await _slots(session, [client.id for client, _t in pairs]):
        _move(slot, now, now)
        session.add(slot)
    return [_notice(client, therapist) for client, therapist in pairs]


async def resume_elapsed(session: AsyncSession, now: datetime) -> int:
    """End the dated pauses whose day has come; the sender runs this before each claim.

    A slot left behind the present (its pause began before it was moved, or it
    was edited meanwhile) jumps to its next occurrence: nothing from the pause is
    sent late.
    """
    due = await session.exec(
        select(Client).where(
            col(Client.paused_until) <= now, col(Client.status) == ClientStatus.PAUSED
        )
    )
    resumed = list(due)
    for client in resumed:
        _resumed(client)
        session.add(client)
    for slot in await _slots(session, [client.id for client in resumed]):
        if slot.next_due_at < now:
            _move(slot, now, now)
            session.add(slot)
    if resumed:
        await session.flush()  # the claim that follows reads through Core, not the session
    return len(resumed)


async def next_pause_end(session: AsyncSession) -> datetime | None:
    """When the sender should next wake to end a pause."""
    result = await session.exec(
        select(col(Client.paused_until))
        .where(col(Client.paused_until).is_not(None), col(Client.status) == ClientStatus.PAUSED)
        .order_by(col(Client.paused_until))
        .limit(1)
    )
    return result.first()


async def stop(session: AsyncSession, user_id: int, now: datetime) -> list[Notice]:
    """No more nudges; everything recorded stays until the client erases it."""
    pairs = await _clients(session, user_id, RUNNING)
    for client, _therapist in pairs:
        client.status, client.paused_until = ClientStatus.STOPPED, None
        session.add(client)
    ids = [client.id for client, _t in pairs]
    for slot in await _slots(session, ids):
        slot.active, slot.updated_at = False, now
        session.add(slot)
    await _hold_back(session, ids)
    return [_notice(client, therapist) for client, therapist in pairs]


async def take_welcome_back(conn: AsyncConnection, client_id: int) -> bool:
    """True once after a pause ends: the first answer afterwards is welcomed back.

    A conditional UPDATE, so two answers racing can't both be welcomed.
    """
    statement = (
        update(_CLIENT)
        .where(_CLIENT.c.id == client_id, _CLIENT.c.welcome_back.is_(True))
        .values(welcome_back=False)
        .returning(_CLIENT.c.id)
    )
    return (await conn.execute(statement)).first() is not None
