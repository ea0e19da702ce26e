"""Editing a client's saved routine: in place, as a new version, with the reminders following.

Kept exercises keep their ids (old "Show me" buttons still find them); a new
frequency moves the client's reminder slots: days through `schedules.move` (ids
kept, so no day is nudged twice), a second daily slot added or retired for twice
a day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db import routine_versions, schedules
from bot.db.clients import ExerciseSpec
from bot.db.models import Client, Exercise, ReminderSlot, Routine
from bot.domain.builder import spread_weekdays
from bot.domain.schedule import EVERY_DAY, mask_to_weekdays, next_due, weekdays_to_mask
from bot.domain.types import ClientStatus, Frequency

_AFTERNOON = time(14, 0)


@dataclass(frozen=True)
class OwnRoutine:
    client: Client
    routine: Routine
    exercises: list[Exercise]


async def own_routine(
    session: AsyncSession, therapist_id: int, client_id: int
) -> OwnRoutine | None:
    """The client's routine if the client is this therapist's; None reads the same for a
    stranger's client and for one that does not exist."""
    result = await session.exec(
        select(Client, Routine)
        .join(Routine, col(Routine.client_id) == col(Client.id))
        .where(col(Client.id) == client_id, col(Client.therapist_id) == therapist_id)
    )
    row = result.first()
    if row is None:
        return None
    client, routine = row
    exercises = await session.exec(
        select(Exercise).where(Exercise.routine_id == routine.id).order_by(col(Exercise.position))
    )
    return OwnRoutine(client, routine, list(exercises))


async def save_edit(
    session: AsyncSession,
    own: OwnRoutine,
    exercises: Sequence[tuple[int | None, ExerciseSpec]],
    frequency: Frequency,
    times_per_week: int | None,
    now: datetime,
) -> Routine:
    """Replace the routine's exercises and frequency with the edited ones (an id for
    each kept exercise) and record the result as the next version, starting now."""
    routine = own.routine
    assert routine.id is not None
    existing = {e.id: e for e in own.exercises}
    kept = {exercise_id for exercise_id, _spec in exercises if exercise_id in existing}
    gone = [exercise_id for exercise_id in existing if exercise_id not in kept]
    if gone:
        await session.exec(delete(Exercise).where(col(Exercise.id).in_(gone)))  # type: ignore[call-overload]
    # Park the kept rows out of the way first: (routine, position) is unique.
    for exercise_id in kept:
        existing[exercise_id].position = -existing[exercise_id].position
        session.add(existing[exercise_id])
    await session.flush()
    for position, (exercise_id, spec) in enumerate(exercises, start=1):
        row = existing[exercise_id] if exercise_id in kept else Exercise(routine_id=routine.id)
        row.position, row.name, row.dose, row.notes = position, spec.name, spec.dose, spec.notes
        row.media_file_id = spec.media_file_id
        row.media_kind = spec.media_kind if spec.media_file_id else None
        session.add(row)
    routine.frequency, routine.times_per_week = frequency, times_per_week
    routine.version += 1
    routine.updated_at = now
    session.add(routine)
    await session.flush()
    await routine_versions.record(session, routine, now)
    return routine


async def follow_frequency(
    session: AsyncSession,
    client: Client,
    frequency: Frequency,
    times_per_week: int | None,
    usual: tuple[time, time],
    now: datetime,
) -> list[ReminderSlot]:
    """Fit a joined client's active reminder slots to a new frequency; their slots after.

    Twice a day gets a second slot at the usual (morning, evening) time the first is
    not near (the client can move it with /time); back to once a day retires the later
    one. N times a week keeps the client's own days where they still fit, spreads the rest.
    """
    assert client.id is not None
    slots = await _active(session, client.id)
    if not slots or client.status == ClientStatus.STOPPED:
        return slots
    if frequency == Frequency.TWICE_DAILY and len(slots) == 1:
        morning, evening = usual
        second = morning if time.fromisoformat(slots[0].local_time) >= _AFTERNOON else evening
        slots.append(_second_slot(session, client, slots[0], second, now))
    elif frequency != Frequency.TWICE_DAILY and len(slots) > 1:
        for slot in slots[1:]:
            slot.active, slot.updated_at = False, now
            session.add(slot)
        slots = slots[:1]
    if frequency == Frequency.WEEKLY and times_per_week:
        days = spread_weekdays(mask_to_weekdays(slots[0].weekdays), times_per_week)
        mask = weekdays_to_mask(days)
    else:
        mask = EVERY_DAY
    if any(slot.weekdays != mask for slot in slots):
        await schedules.move(session, client.id, now, weekdays=mask)
    await session.flush()
    return await _active(session, client.id)


def _second_slot(
    session: AsyncSession, client: Client, first: ReminderSlot, at: time, now: datetime
) -> ReminderSlot:
    after = now
    if client.status == ClientStatus.PAUSED and client.paused_until is not None:
        after = max(now, client.paused_until)
    slot = ReminderSlot(
        client_id=first.client_id,
        local_time=at.strftime("%H:%M"),
        weekdays=EVERY_DAY,
        timezone=first.timezone,
        active=True,
        next_due_at=next_due(at, EVERY_DAY, ZoneInfo(first.timezone), after),
        created_at=now,
        updated_at=now,
    )
    session.add(slot)
    return slot


async def _active(session: AsyncSession, client_id: int) -> list[ReminderSlot]:
    result = await session.exec(
        select(ReminderSlot).where(
            col(ReminderSlot.client_id) == client_id, col(ReminderSlot.active).is_(True)
        )
    )
    return sorted(result, key=lambda slot: (slot.local_time, slot.id or 0))
