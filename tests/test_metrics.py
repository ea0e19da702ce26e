"""Prometheus /metrics in polling mode (METRICS_PORT): what the bot counts, per runtime."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta

import pytest

from bot.app import BotRuntime
from bot.clock import ManualClock
from bot.sandbox.botapi import BotApiStub
from bot.scheduling.engine import EngineConfig
from bot.startup import StartupError
from tests.botprocess import free_port
from tests.conftest import THERAPIST_ID, RuntimeFactory
from tests.journeys import enrol_daily_at_nine_utc
from tests.scrape import get, sample

DUE = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


async def _scrape(runtime: BotRuntime) -> str:
    status, body = await get(f"http://127.0.0.1:{runtime.settings.metrics_port}/metrics")
    assert status == 200
    return body


async def test_metrics_count_updates_nudges_lateness_and_429s(
    stub: BotApiStub, start_bot: RuntimeFactory, clock: ManualClock
) -> None:
    runtime = await start_bot(metrics_listen="127.0.0.1", metrics_port=free_port())
    before = await _scrape(runtime)
    for name in ("bot_updates_total", "bot_handler_seconds_count", "bot_telegram_429_total"):
        assert sample(before, name) == 0
    assert sample(before, "bot_nudges_total", outcome="sent") == 0
    assert sample(before, "bot_queue_depth") == 0
    assert sample(before, "bot_sender_lease_held") == 1

    rae = stub.user(7101, "Rae")
    await enrol_daily_at_nine_utc(stub.user(THERAPIST_ID, "Dana"), rae)
    stub.fail_next("sendMessage", status=429, retry_after=1, chat_id=7101)
    clock.set(DUE + timedelta(seconds=90))  # the nudge goes out 90 s after it was due
    await rae.wait_for("Bridge: 3 x 10", timeout=10)
    await runtime.engine.idle()

    after = await _scrape(runtime)
    updates = sample(after, "bot_updates_total")
    assert updates is not None and updates >= 10  # every message and tap of the set-up
    assert sample(after, "bot_handler_seconds_count") == updates
    assert sample(after, "bot_nudges_total", outcome="sent") == 1
    assert sample(after, "bot_telegram_429_total") == 1
    assert sample(after, "bot_nudge_lateness_seconds_count") == 1
    assert sample(after, "bot_nudge_lateness_seconds_bucket", le="60.0") == 0
    assert sample(after, "bot_nudge_lateness_seconds_bucket", le="120.0") == 1
    assert sample(after, "process_resident_memory_bytes")


async def test_each_runtime_has_its_own_registry(
    start_bot: RuntimeFactory, stub: BotApiStub
) -> None:
    first = await start_bot(metrics_listen="127.0.0.1", metrics_port=free_port())
    user = stub.user(7201, "Lee")
    sent = await user.send("/help")
    await user.wait_for("Here's what I can do", after=sent.message_id)
    await first.stop()
    second = await start_bot(metrics_listen="127.0.0.1", metrics_port=free_port())
    assert sample(await _scrape(second), "bot_updates_total") == 0  # no shared, global registry
    body, _ = first.metrics.render()
    assert sample(body.decode(), "bot_updates_total") == 1
    assert sample(body.decode(), "bot_sender_lease_held") == 0  # released on stop


async def test_queue_depth_shows_nudges_waiting_for_a_sender(
    stub: BotApiStub, start_bot: RuntimeFactory, clock: ManualClock
) -> None:
    one_sender = EngineConfig(workers=1)
    runtime = await start_bot(one_sender, metrics_listen="127.0.0.1", metrics_port=free_port())
    therapist = stub.user(THERAPIST_ID, "Dana")
    for user_id in (7301, 7302, 7303):
        await enrol_daily_at_nine_utc(therapist, stub.user(user_id, f"U{user_id}"))
    calls = len(stub.calls)
    for user_id in (7301, 7302, 7303):  # the first nudge is held; the others wait their turn
        stub.delay_next("sendMessage", 0.5, chat_id=user_id)
    clock.set(DUE)
    nudge = await stub.wait_for_call(
        "sendMessage",
        lambda c: "Bridge: 3 x 10" in str(c.params.get("text")),
        after=calls,
        completed=False,
    )
    assert nudge.status == 0  # still held
    assert sample(await _scrape(runtime), "bot_queue_depth") == 2
    await runtime.engine.idle()
    assert sample(await _scrape(runtime), "bot_queue_depth") == 0


async def test_a_port_in_use_is_a_one_line_start_up_error(start_bot: RuntimeFactory) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(StartupError, match=f"cannot listen on 127.0.0.1:{port}"):
            await start_bot(metrics_listen="127.0.0.1", metrics_port=port)
