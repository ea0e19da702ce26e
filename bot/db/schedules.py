"""A client's reminder slots after joining: reading them, and moving them (/time).

Moving keeps each slot's id: occurrences are unique per (slot, local date), so a
slot that kept its id cannot be nudged twice on one day, while a replacement slot
could be. The slot rows are locked first, so a nudge the engine is claiming at
that moment is seen, and counted as today's, before the new due instant is set.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import Client, Nudge, ReminderSlot, Routine, Therapist
from bot.domain.schedule import next_due, next_due_after_change
from bot.domain.types import ClientStatus


@dataclass(frozen=True)
class Schedule:
    """The client's active slots, earliest local time first."""

    client: Client
    slots: list[ReminderSlot]


@dataclass(frozen=True)
class Moved:
    slot: ReminderSlot
    passed_over: bool  # its next occurrence fell on a day that already had one


@dataclass(frozen=True)
class PendingSetup:
    """A client who agreed but never finished choosing when: they resume, not restart."""

    client: Client
    routine: Routine
    therapist_name: str


async def pending_setup(session: AsyncSession, user_id: int) -> PendingSetup | None:
    result = await session.exec(
        select(Client, Routine, Therapist)
        .join(Routine, col(Routine.client_id) == col(Client.id))
        .join(Therapist, col(Therapist.id) == col(Client.therapist_id))
        .where(
            col(Client.telegram_user_id) == user_id,
            col(Client.consented_at).is_not(None),
            col(Client.status) == ClientStatus.INVITED,
        )
        .order_by(col(Client.consented_at).desc())
        .limit(1)
    )
    row = result.first()
    if row is None:
        return None
    client, routine, therapist = row
    return PendingSetup(client, routine, therapist.display_name)


async def remember_zone(session: AsyncSession, client_id: int, zone: str) -> None:
    """Keep a zone chosen while joining, so a paused setup resumes after it."""
    client = await session.get(Client, client_id)
    if client is not None:
        client.timezone = zone
        session.add(client)


async def schedule_of(session: AsyncSession, user_id: int) -> Schedule | None:
    """The reminders of the person's most recent joined client record, if any."""
    result = await session.exec(
        select(Client)
        .where(
            col(Client.telegram_user_id) == user_id,
            col(Client.status) != ClientStatus.INVITED,
        )
        .order_by(col(Client.joined_at).desc())
        .limit(1)
    )
    client = result.first()
    if client is None or client.id is None:
        return None
    return Schedule(client, await _active_slots(session, client.id))


async def routine_of(session: AsyncSession, client: Client) -> Routine:
    result = await session.exec(select(Routine).where(col(Routine.client_id) == client.id))
    return result.one()


async def _active_slots(
    session: AsyncSession, client_id: int, *, lock: bool = False
) -> list[ReminderSlot]:
    query = select(ReminderSlot).where(
        col(ReminderSlot.client_id) == client_id, col(ReminderSlot.active).is_(True)
    )
    if lock:
        query = query.with_for_update()
    slots = list(await session.exec(query))
    return sorted(slots, key=lambda slot: (slot.local_time, slot.id or 0))


async def move(
    session: AsyncSession,
    client_id: int,
    now: datetime,
    *,
    slot_id: int | None = None,
    local_time: time | None = None,
    weekdays: int | None = None,
    zone: str | None = None,
) -> list[Moved] | None:
    """Change the time of one slot (``slot_id``), or the days or zone of all of them.

    Returns None when ``slot_id`` is not one of this client's active slots (a
    stale or forged button), so nothing changes.
    """
    slots = await _active_slots(session, client_id, lock=True)
    if slot_id is not None:
        slots = [slot for slot in slots if slot.id == slot_id]
        if not slots:
            return None
    moved: list[Moved] = []
    for slot in slots:
        at = local_time or time.fromisoformat(slot.local_time)
        days = weekdays if weekdays is not None else slot.weekdays
        tz = ZoneInfo(zone or slot.timezone)
        taken = await _dates_with_an_occurrence(session, slot, now, tz)
        due = next_due_after_change(at, days, tz, now, taken)
        slot.local_time = at.strftime("%H:%M")
        slot.weekdays = days
        slot.timezone = tz.key
        slot.next_due_at = due
        slot.updated_at = now
        session.add(slot)
        moved.append(Moved(slot, due != next_due(at, days, tz, now)))
    if zone is not None:
        await remember_zone(session, client_id, zone)
    await session.flush()
    return moved


async def _dates_with_an_occurrence(
    session: AsyncSession, slot: ReminderSlot, now: datetime, tz: ZoneInfo
) -> set[date]:
    """Local dates around today on which this slot already has a nudge (sent or not)."""
    since = now.astimezone(tz).date() - timedelta(days=1)
    result = await session.exec(
        select(Nudge.local_date).where(
            col(Nudge.slot_id) == slot.id, col(Nudge.local_date) >= since
        )
    )
    return set(result)
