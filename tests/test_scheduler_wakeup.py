"""The scheduler wakes up by itself at the due instant, without anyone moving the clock."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

from bot.clock import ManualClock
from bot.db import leases
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


async def test_a_replica_without_the_sender_lease_waits_rather_than_spins(
    stub: BotApiStub, start_bot: RuntimeFactory, clock: ManualClock
) -> None:
    # A nudge is due, but another replica holds the sender lease: this one answers
    # people and makes no pass of its own until the lease comes to it.
    runtime = await start_bot()
    ivy = stub.user(9001, "Ivy")
    await enrol_daily_at_nine_utc(stub.user(THERAPIST_ID, "Dana"), ivy)
    engine = runtime.engine
    await engine.lease.release()
    async with runtime.db.core_transaction() as conn:
        now = datetime.now(UTC)
        assert await leases.take(
            conn, leases.SENDER, "elsewhere:1", "other", now, timedelta(hours=1)
        )
    passes = 0
    make_pass = engine.run_once

    async def counted() -> bool:
        nonlocal passes
        passes += 1
        return await make_pass()

    engine.run_once = counted  # type: ignore[method-assign]
    clock.set(DUE + timedelta(minutes=1))
    await asyncio.sleep(0.5)
    assert passes <= 2, passes  # the clock's poke, not a pass per turn of the loop
    assert not [m for m in ivy.messages if "Bridge" in m.body]
