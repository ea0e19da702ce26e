"""The scheduler wakes up by itself at the due instant, without anyone moving the clock."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from bot.clock import ManualClock
from bot.sandbox.botapi import BotApiStub
from tests.conftest import THERAPIST_ID, RuntimeFactory
from tests.journeys import enrol_daily_at_nine_utc

DUE = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


async def test_wakes_at_the_due_instant_on_its_own(
    stub: BotApiStub, start_bot: RuntimeFactory, clock: ManualClock
) -> None:
    ticking = ManualClock(clock.now(), ticking=True)
    runtime = await start_bot(clock=ticking)
    ivy = stub.user(9001, "Ivy")
    await enrol_daily_at_nine_utc(stub.user(THERAPIST_ID, "Dana"), ivy)
    ticking.set(DUE - timedelta(seconds=1.5))  # jump close, then let real time run
    started = time.monotonic()
    await ivy.wait_for("Bridge: 3 x 10", timeout=5)
    waited = time.monotonic() - started
    assert 1.2 <= waited <= 3.0, waited
    assert ticking.now() >= DUE
    assert runtime.engine.stats["sent"] == 1
