"""Enrolled clients written straight through the bot's models, for tests that need many.

Going through the bot's own ORM models (not raw SQL) keeps these rows exactly what
the bot writes, on either engine, whatever column types the models use.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlmodel import select

from bot.db.database import Database
from bot.db.models import (
    Client,
    ClientStatus,
    Exercise,
    Frequency,
    Nudge,
    NudgeStatus,
    ReminderSlot,
    Reply,
    Routine,
    Therapist,
)

EVERY_DAY = 0b111_1111


async def seed_enrolled(
    database_url: str, count: int, due_at: datetime, first_user_id: int = 50_000
) -> list[int]:
    """`count` active clients with one daily nudge due at `due_at` (a whole UTC minute)."""
    now = datetime.now(UTC)
    db = Database.from_url(database_url)
    try:
        await db.upgrade()
        async with db.transaction() as session:
            therapist = Therapist(telegram_user_id=1, display_name="Dana", created_at=now)
            session.add(therapist)
            await session.flush()
            assert therapist.id is not None
            users = list(range(first_user_id, first_user_id + count))
            clients = [
                Client(
                    therapist_id=therapist.id,
                    label=f"Client {user}",
                    telegram_user_id=user,
                    chat_id=user,
                    first_name="Rae",
                    timezone="UTC",
                    status=ClientStatus.ACTIVE,
                    created_at=now,
                    consented_at=now,
                    joined_at=now,
                )
                for user in users
            ]
            session.add_all(clients)
            await session.flush()
            routines = [
                Routine(client_id=c.id, frequency=Frequency.DAILY, created_at=now, updated_at=now)
                for c in clients
                if c.id is not None
            ]
            session.add_all(routines)
            await session.flush()
            session.add_all(
                Exercise(routine_id=r.id, position=1, name="Bridge", dose="3 x 10")
                for r in routines
                if r.id is not None
            )
            session.add_all(
                ReminderSlot(
                    client_id=c.id,
                    local_time=due_at.astimezone(UTC).strftime("%H:%M"),
                    weekdays=EVERY_DAY,
                    timezone="UTC",
                    next_due_at=due_at,
                    created_at=now,
                    updated_at=now,
                )
                for c in clients
                if c.id is not None
            )
        return users
    finally:
        await db.dispose()


@dataclass(frozen=True)
class Answered:
    """One past nudge of a history: when it was due and how it ended (None: no reply yet)."""

    due_at: datetime
    outcome: str | None
    feeling: str | None = None
    barrier: str | None = None
    later: bool = False


async def seed_history(db: Database, client_id: int, answers: Sequence[Answered]) -> None:
    """Past nudges of an enrolled client, on their first reminder slot, as the engine and
    the answer handlers would have left them (one per local day)."""
    async with db.transaction() as session:
        slot = (
            await session.exec(select(ReminderSlot).where(ReminderSlot.client_id == client_id))
        ).first()
        assert slot is not None and slot.id is not None, "seed_history needs an enrolled client"
        zone = ZoneInfo(slot.timezone)
        for answer in answers:
            nudge = Nudge(
                slot_id=slot.id,
                client_id=client_id,
                local_date=answer.due_at.astimezone(zone).date(),
                due_at=answer.due_at,
                status=NudgeStatus.SENT,
                claimed_at=answer.due_at,
                sent_at=answer.due_at,
                outcome=answer.outcome,
                later_at=answer.due_at if answer.later else None,
                barrier=answer.barrier,
            )
            session.add(nudge)
            await session.flush()
            if answer.feeling is not None and nudge.id is not None:
                session.add(
                    Reply(
                        nudge_id=nudge.id,
                        client_id=client_id,
                        kind=answer.outcome or "done",
                        source="button",
                        at=answer.due_at,
                        feeling=answer.feeling,
                    )
                )
