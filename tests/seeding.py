"""Enrolled clients written straight through the bot's models, for tests that need many.

Going through the bot's own ORM models (not raw SQL) keeps these rows exactly what
the bot writes, on either engine, whatever column types the models use.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.db.database import Database
from bot.db.models import (
    Client,
    ClientStatus,
    Exercise,
    Frequency,
    ReminderSlot,
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
