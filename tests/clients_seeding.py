"""Clients of a therapist with a history, written through the store, for /clients tests.

The list and the detail read what the bot recorded over weeks; going through the
bot's own models keeps those rows what the bot writes, without weeks of clock.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select

from bot.app import BotRuntime
from bot.db import clients
from bot.db.models import Nudge, ReminderSlot, Reply
from bot.domain.types import Frequency, NudgeStatus
from bot.sandbox.botapi import FakeUser

EVERY_DAY = 0b111_1111
TTL = timedelta(days=14)
EXERCISES = [clients.ExerciseSpec("Bridge", "3 x 10"), clients.ExerciseSpec("Clam", "2 x 15")]


async def add_client(
    runtime: BotRuntime,
    therapist: FakeUser,
    label: str,
    user_id: int | None = None,
    *,
    zone: str = "UTC",
    at: time = time(9),
) -> int:
    """A client of `therapist`: invited only, or (with a user id) joined and nudged daily."""
    now = runtime.clock.now()
    async with runtime.db.transaction() as session:
        owner = await clients.ensure_therapist(
            session, therapist.id, therapist.first_name, "en", now
        )
        client, invite, _token = await clients.create_client_with_invite(
            session, owner, label, EXERCISES, Frequency.DAILY, None, now, TTL
        )
        assert client.id is not None
        if user_id is not None:
            client.telegram_user_id = client.chat_id = user_id
            client.first_name = label
            client.consented_at = now
            session.add(client)
            invite.used_at, invite.used_by = now, user_id
            session.add(invite)
            await clients.activate_schedule(session, client.id, zone, [at], EVERY_DAY, now)
        return client.id


async def add_history(
    runtime: BotRuntime,
    client_id: int,
    outcomes: list[str | None],
    *,
    feelings: dict[int, str] | None = None,
) -> list[int]:
    """One answered nudge per local day before today: outcomes[0] yesterday, [1] the day
    before, ...; a feeling per index, on the Done or Some reply. Returns the nudge ids."""
    now = runtime.clock.now()
    ids = []
    async with runtime.db.transaction() as session:
        slot = (
            await session.exec(select(ReminderSlot).where(ReminderSlot.client_id == client_id))
        ).first()
        assert slot is not None
        zone = ZoneInfo(slot.timezone)
        today = now.astimezone(zone).date()
        for back, outcome in enumerate(outcomes, start=1):
            day = today - timedelta(days=back)
            due = datetime.combine(day, time.fromisoformat(slot.local_time), zone).astimezone(UTC)
            nudge = Nudge(
                slot_id=slot.id,
                client_id=client_id,
                local_date=day,
                due_at=due,
                status=NudgeStatus.SENT,
                claimed_at=due,
                sent_at=due,
                outcome=outcome,
            )
            session.add(nudge)
            await session.flush()
            assert nudge.id is not None
            ids.append(nudge.id)
            feeling = (feelings or {}).get(back - 1)
            if outcome in ("done", "some", "not_today", "skipped"):
                session.add(
                    Reply(
                        nudge_id=nudge.id,
                        client_id=client_id,
                        kind=outcome,
                        source="button",
                        at=due + timedelta(minutes=5),
                        feeling=feeling,
                    )
                )
    return ids
