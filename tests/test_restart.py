"""The database is the truth: restarts and downtime neither lose nor repeat a nudge."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.clock import ManualClock
from bot.db.models import Nudge
from bot.sandbox.botapi import BotApiStub
from tests.conftest import THERAPIST_ID, RuntimeFactory, rows
from tests.journeys import enrol_daily_at_nine_utc

# Enrolled at 06:00 UTC on Monday 2026-11-23 for 09:00 UTC daily.
DUE = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


async def _enrolled_client(stub: BotApiStub) -> None:
    await enrol_daily_at_nine_utc(stub.user(THERAPIST_ID, "Dana"), stub.user(7001, "Rae"))


def _nudges_to(stub: BotApiStub, chat_id: int) -> list[object]:
    return [
        call
        for call in stub.calls_to("sendMessage")
        if call.params.get("chat_id") == chat_id and "Bridge" in str(call.params.get("text"))
    ]


async def test_restart_after_sending_does_not_repeat(
    stub: BotApiStub, start_bot: RuntimeFactory, clock: ManualClock
) -> None:
    first = await start_bot()
    await _enrolled_client(stub)
    clock.set(DUE)
    await stub.user(7001, "Rae").wait_for("Bridge: 3 x 10")
    await first.engine.idle()
    await first.stop()

    second = await start_bot()
    clock.advance(timedelta(minutes=5))
    await second.engine.idle()
    assert await stub.user(7001, "Rae").wait_quiet(0.3) == []
    assert len(_nudges_to(stub, 7001)) == 1
    clock.set(DUE + timedelta(days=1))
    await stub.user(7001, "Rae").wait_for(lambda m: "Bridge" in (m.text or "") and m.date > 0)
    await second.engine.idle()
    assert len(_nudges_to(stub, 7001)) == 2
    nudges = await rows(second, Nudge)
    assert [r.local_date.isoformat() for r in nudges] == ["2026-11-23", "2026-11-24"]


async def test_downtime_within_grace_sends_once_late(
    stub: BotApiStub, start_bot: RuntimeFactory, clock: ManualClock
) -> None:
    first = await start_bot()
    await _enrolled_client(stub)
    await first.stop()
    clock.set(DUE + timedelta(minutes=90))  # down through the due time, back within 2 h
    second = await start_bot()
    await stub.user(7001, "Rae").wait_for("Bridge: 3 x 10")
    await second.engine.idle()
    clock.advance(timedelta(minutes=1))
    await second.engine.idle()
    assert len(_nudges_to(stub, 7001)) == 1


async def test_downtime_beyond_grace_is_recorded_not_flooded(
    stub: BotApiStub, start_bot: RuntimeFactory, clock: ManualClock
) -> None:
    first = await start_bot()
    await _enrolled_client(stub)
    await first.stop()
    clock.set(DUE + timedelta(days=2, hours=3))  # two whole occurrences, both too old
    second = await start_bot()
    await second.engine.idle()
    assert await stub.user(7001, "Rae").wait_quiet(0.3) == []
    assert _nudges_to(stub, 7001) == []
    nudges = await rows(second, Nudge)
    assert [(r.local_date.isoformat(), r.status) for r in nudges] == [
        ("2026-11-23", "expired"),
        ("2026-11-24", "expired"),
        ("2026-11-25", "expired"),
    ]
    clock.set(datetime(2026, 11, 26, 9, 0, tzinfo=UTC))
    await stub.user(7001, "Rae").wait_for("Bridge: 3 x 10")
