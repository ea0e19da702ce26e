"""What follows an answer: exercises ticked, barriers, concerns, and closing the day.

Every change is guarded by the person who asks: a nudge that is not theirs is
treated exactly like one that does not exist (None), so a forged button learns
nothing about other people's ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, func, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import (
    Client,
    ConcernReport,
    Exercise,
    Nudge,
    ReminderSlot,
    Routine,
    Therapist,
)
from bot.domain.schedule import occurrence_local_date
from bot.domain.types import Barrier, Concern, NudgeStatus, ReplyKind

# A typed "it hurt" belongs to the nudge of the last day, answered or not.
CONCERN_WINDOW = timedelta(hours=24)


async def owned_nudge(session: AsyncSession, nudge_id: int, user_id: int) -> Nudge | None:
    """The nudge if it belongs to this person; None for someone else's or a missing one."""
    result = await session.exec(
        select(Nudge)
        .join(Client, col(Client.id) == col(Nudge.client_id))
        .where(col(Nudge.id) == nudge_id, col(Client.telegram_user_id) == user_id)
    )
    return result.first()


async def active_slot_count(session: AsyncSession, client_id: int) -> int:
    """More than one active slot a day means "Skip this one" makes sense."""
    result = await session.exec(
        select(func.count())
        .select_from(ReminderSlot)
        .where(col(ReminderSlot.client_id) == client_id, col(ReminderSlot.active).is_(True))
    )
    return int(result.one())


async def exercise_names(session: AsyncSession, client_id: int) -> list[str]:
    result = await session.exec(
        select(Exercise.name)
        .join(Routine, col(Routine.id) == col(Exercise.routine_id))
        .where(col(Routine.client_id) == client_id)
        .order_by(col(Exercise.position))
    )
    return list(result)


def done_positions(stored: str | None) -> set[int]:
    return {int(part) for part in (stored or "").split(",") if part.isdigit()}


@dataclass(frozen=True)
class Ticks:
    names: list[str]
    done: set[int]  # 1-based positions


async def toggle_exercise(
    session: AsyncSession, nudge_id: int, user_id: int, position: int
) -> Ticks | None:
    """Tick or untick one exercise of a "some of it" answer; None if that can't be."""
    nudge = await owned_nudge(session, nudge_id, user_id)
    if nudge is None or nudge.outcome != ReplyKind.SOME:
        return None
    names = await exercise_names(session, nudge.client_id)
    if not 1 <= position <= len(names):
        return None
    done = done_positions(nudge.exercises_done) ^ {position}
    nudge.exercises_done = ",".join(map(str, sorted(done))) or None
    session.add(nudge)
    return Ticks(names, done)


async def record_barrier(
    session: AsyncSession, nudge_id: int, user_id: int, barrier: Barrier
) -> Nudge | None:
    """The first barrier picked after "not today" is kept; None if nothing changed."""
    result = await session.exec(
        update(Nudge)  # type: ignore[call-overload]
        .where(
            col(Nudge.id) == nudge_id,
            col(Nudge.outcome) == ReplyKind.NOT_TODAY,
            col(Nudge.barrier).is_(None),
            col(Nudge.client_id).in_(
                select(Client.id).where(col(Client.telegram_user_id) == user_id)
            ),
        )
        .values(barrier=barrier)
    )
    return await owned_nudge(session, nudge_id, user_id) if result.rowcount == 1 else None


async def record_barrier_note(
    session: AsyncSession, nudge_id: int, user_id: int, words: str
) -> Nudge | None:
    """The client's own words for "something else", once; sealed at rest by the column."""
    nudge = await owned_nudge(session, nudge_id, user_id)
    if nudge is None or nudge.barrier != Barrier.OTHER or nudge.barrier_note is not None:
        return None
    nudge.barrier_note = words
    session.add(nudge)
    return nudge


@dataclass(frozen=True)
class ClosedMessage:
    chat_id: int
    message_id: int


@dataclass(frozen=True)
class DayClosed:
    messages: list[ClosedMessage]  # sent and unanswered: their buttons go
    occurrences: int  # how many other nudges of that day were closed, sent or not


def _insert_closed(dialect: str) -> object:
    module = postgresql if dialect == "postgresql" else sqlite
    table = Nudge.__table__  # type: ignore[attr-defined]
    return module.insert(table).on_conflict_do_nothing(index_elements=["slot_id", "local_date"])


async def close_day(session: AsyncSession, nudge_id: int, now: datetime) -> DayClosed:
    """After "not today", the rest of that local day is "not today" too.

    Other occurrences of the same date already sent and unanswered take the same
    answer (their messages lose their buttons: returned here); those still to come
    get a row of their own, closed, so the engine's claim of that (slot, date)
    finds it taken and nothing is sent.
    """
    nudge = await session.get(Nudge, nudge_id)
    if nudge is None:
        return DayClosed([], 0)
    connection = await session.connection()
    same_day = (
        col(Nudge.client_id) == nudge.client_id,
        col(Nudge.local_date) == nudge.local_date,
        col(Nudge.id) != nudge_id,
    )
    answered = await connection.execute(
        update(Nudge)
        .where(*same_day, col(Nudge.outcome).is_(None))
        .values(outcome=ReplyKind.NOT_TODAY)
        .returning(col(Nudge.chat_id), col(Nudge.message_id), col(Nudge.renudge_message_id))
    )
    others = answered.all()
    closed = [
        ClosedMessage(chat_id, message_id)
        for chat_id, *message_ids in others
        for message_id in message_ids
        if chat_id is not None and message_id is not None
    ]
    # One still waiting for a sender is not sent (the sender takes only claimed ones).
    await connection.execute(
        update(Nudge)
        .where(*same_day, col(Nudge.status) == NudgeStatus.CLAIMED)
        .values(status=NudgeStatus.CLOSED)
    )
    slots = await session.exec(
        select(ReminderSlot).where(
            col(ReminderSlot.client_id) == nudge.client_id, col(ReminderSlot.active).is_(True)
        )
    )
    upcoming = [
        _closed_row(slot, nudge.local_date, now)
        for slot in slots
        if slot.id != nudge.slot_id and _local_date(slot) == nudge.local_date
    ]
    if upcoming:
        await connection.execute(_insert_closed(connection.dialect.name), upcoming)  # type: ignore[arg-type]
    return DayClosed(closed, len(others) + len(upcoming))


def _local_date(slot: ReminderSlot) -> date:
    local_time = time.fromisoformat(slot.local_time)
    return occurrence_local_date(slot.next_due_at, local_time, ZoneInfo(slot.timezone))


def _closed_row(slot: ReminderSlot, local_date: date, now: datetime) -> dict[str, object]:
    return {
        "slot_id": slot.id,
        "client_id": slot.client_id,
        "local_date": local_date,
        "due_at": slot.next_due_at,
        "status": NudgeStatus.CLOSED,
        "claimed_at": now,
        "attempts": 0,
        "attempt_log": "",
        "outcome": ReplyKind.NOT_TODAY,
    }


async def recent_nudge(session: AsyncSession, user_id: int, now: datetime) -> Nudge | None:
    """The nudge a typed "it hurt" most plausibly speaks of: the last one sent today-ish."""
    result = await session.exec(
        select(Nudge)
        .join(Client, col(Client.id) == col(Nudge.client_id))
        .where(
            col(Client.telegram_user_id) == user_id,
            col(Nudge.sent_at) >= now - CONCERN_WINDOW,
        )
        .order_by(col(Nudge.sent_at).desc())
        .limit(1)
    )
    return result.first()


async def current_client(session: AsyncSession, user_id: int) -> Client | None:
    """The client this person is, with a therapist to tell (the latest they joined)."""
    result = await session.exec(
        select(Client)
        .where(col(Client.telegram_user_id) == user_id, col(Client.joined_at).is_not(None))
        .order_by(col(Client.joined_at).desc())
        .limit(1)
    )
    return result.first()


@dataclass(frozen=True)
class ConcernAlert:
    """Everything the therapist's alert and the client's answer need."""

    label: str
    timezone: str | None  # the therapist's: the alert's time is read in their day
    exercises: list[str]
    therapist_user_id: int
    therapist_language: str
    therapist_name: str


async def report_concern(
    session: AsyncSession,
    client_id: int,
    nudge_id: int | None,
    concern: Concern,
    source: str,
    words: str | None,
    now: datetime,
) -> ConcernAlert | None:
    """Record a concern and return who to tell; None if the client has no therapist."""
    client = await session.get(Client, client_id)
    therapist = await session.get(Therapist, client.therapist_id) if client else None
    if client is None or therapist is None:
        return None
    session.add(
        ConcernReport(
            client_id=client_id,
            nudge_id=nudge_id,
            concern=concern,
            source=source,
            words=words,
            at=now,
        )
    )
    return ConcernAlert(
        label=client.label,
        timezone=therapist.timezone,
        exercises=await exercise_names(session, client_id),
        therapist_user_id=therapist.telegram_user_id,
        therapist_language=therapist.language,
        therapist_name=therapist.display_name,
    )
