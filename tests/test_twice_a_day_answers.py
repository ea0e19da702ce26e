"""Twice a day: "Skip this one" lets one go; "Not today" closes the rest of that day.

The builder for twice-a-day routines comes separately; here the second slot is
written beside the one enrolment made, as that builder will.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from bot.app import BotRuntime
from bot.clock import ManualClock
from bot.db.models import Nudge, ReminderSlot
from bot.domain.schedule import next_due
from bot.sandbox.botapi import BotApiStub, FakeUser, buttons
from tests.conftest import THERAPIST_ID, rows, variants
from tests.journeys import enrol_daily_at_nine_utc

EVERY_DAY = 0b111_1111


async def _twice_a_day(stub: BotApiStub, runtime: BotRuntime, clock: ManualClock) -> FakeUser:
    """Tess: nudged at 09:00 and 15:00 UTC every day."""
    tess = stub.user(4301, "Tess")
    await enrol_daily_at_nine_utc(stub.user(THERAPIST_ID, "Dana"), tess)
    [first] = await rows(runtime, ReminderSlot)
    async with runtime.db.transaction() as session:
        session.add(
            ReminderSlot(
                client_id=first.client_id,
                local_time="15:00",
                weekdays=EVERY_DAY,
                timezone="UTC",
                next_due_at=next_due(time(15), EVERY_DAY, ZoneInfo("UTC"), clock.now()),
                created_at=clock.now(),
                updated_at=clock.now(),
            )
        )
    runtime.engine.poke()
    return tess


async def test_skip_this_one_then_the_next_comes_as_usual(
    stub: BotApiStub, runtime: BotRuntime, clock: ManualClock
) -> None:
    tess = await _twice_a_day(stub, runtime, clock)
    clock.set(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    morning = await tess.wait_for("Bridge: 3 x 10")
    assert buttons(morning) == [
        "✅ Done",
        "🌗 Some of it",
        "⏰ Later",
        "🌙 Not today",
        "Skip this one",
    ]
    await tess.press(morning, "Skip this one")
    await tess.wait_for(variants("reply.skipped"), after=morning.message_id)
    clock.set(datetime(2026, 11, 23, 15, 0, tzinfo=UTC))
    afternoon = await tess.wait_for(
        lambda m: "Bridge" in m.body and m.message_id > morning.message_id and bool(buttons(m))
    )
    assert "Skip this one" in buttons(afternoon)
    assert [n.outcome for n in await rows(runtime, Nudge)] == ["skipped", None]


async def test_not_today_closes_the_rest_of_the_day_sent_or_not(
    stub: BotApiStub, runtime: BotRuntime, clock: ManualClock
) -> None:
    tess = await _twice_a_day(stub, runtime, clock)
    # Monday: "not today" in the morning; the afternoon nudge is never sent.
    clock.set(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    morning = await tess.wait_for("Bridge: 3 x 10")
    await tess.press(morning, "Not today")
    said = await tess.wait_for("Nothing more from me today", after=morning.message_id)
    assert variants("reply.not_today")(said) and "Busy" in buttons(said)
    clock.set(datetime(2026, 11, 23, 15, 0, tzinfo=UTC))
    assert [m for m in await tess.wait_quiet(0.4) if "Bridge" in m.body] == []
    monday = [(n.status, n.outcome) for n in await rows(runtime, Nudge)]
    assert monday == [("sent", "not_today"), ("closed", "not_today")]

    # Tuesday: both came and stayed open; "not today" on the second closes the first.
    clock.set(datetime(2026, 11, 24, 9, 0, tzinfo=UTC))
    first = await tess.wait_for(lambda m: "Bridge" in m.body and m.message_id > said.message_id)
    clock.set(datetime(2026, 11, 24, 15, 0, tzinfo=UTC))
    second = await tess.wait_for(lambda m: "Bridge" in m.body and m.message_id > first.message_id)
    await tess.press(second, "Not today")
    await tess.wait_for_edit(first, lambda m: not buttons(m))
    tuesday = [(n.status, n.outcome) for n in (await rows(runtime, Nudge))[2:]]
    assert tuesday == [("sent", "not_today"), ("sent", "not_today")]
    # Wednesday's nudges come as usual.
    clock.set(datetime(2026, 11, 25, 9, 0, tzinfo=UTC))
    await tess.wait_for(lambda m: "Bridge" in m.body and m.message_id > second.message_id)
