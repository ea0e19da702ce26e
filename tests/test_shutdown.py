"""SIGTERM: stop taking updates, let the sends under way finish and be recorded, exit 0."""

from __future__ import annotations

import json
import signal
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.db.models import Nudge
from bot.sandbox.botapi import BotApiStub
from tests.botprocess import BotProcess, bot_env, free_port
from tests.conftest import THERAPIST_ID, TOKEN, RuntimeFactory, rows
from tests.journeys import enrol_daily_at_nine_utc
from tests.scrape import get

DUE = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


async def test_stop_lets_a_send_under_way_finish_and_be_recorded(
    stub: BotApiStub, start_bot: RuntimeFactory, clock: ManualClock
) -> None:
    runtime = await start_bot()
    await enrol_daily_at_nine_utc(stub.user(THERAPIST_ID, "Dana"), stub.user(7501, "Rae"))
    calls = len(stub.calls)
    stub.delay_next("sendMessage", 0.5, chat_id=7501)  # Telegram is slow to answer
    clock.set(DUE)
    await stub.wait_for_call(
        "sendMessage",
        lambda c: "Bridge: 3 x 10" in str(c.params.get("text")),
        after=calls,
        completed=False,
    )
    await runtime.stop()  # while the nudge's request is on the wire
    [nudge] = await rows(runtime, Nudge)
    assert nudge.status == "sent" and nudge.message_id is not None
    assert nudge.attempt_log.split() == ["ok"]


async def _sigterm(bot: BotProcess) -> tuple[int, float]:
    signalled = time.monotonic()
    bot.proc.send_signal(signal.SIGTERM)
    code = await bot.finish(timeout=15)
    return code, time.monotonic() - signalled


@pytest.mark.parametrize("log_format", ["text", "json"])
async def test_sigterm_while_polling_exits_0_within_10_s(
    stub: BotApiStub, tmp_path: Path, log_format: str
) -> None:
    bot = BotProcess(bot_env(TOKEN, stub.url, tmp_path, LOG_FORMAT=log_format), tmp_path)
    await bot.start()
    try:
        await bot.wait_ready()
        await stub.wait_for_call("getUpdates", completed=False)  # a long poll is open
        code, took = await _sigterm(bot)
    finally:
        await bot.close()
    assert code == 0, bot.text
    assert "Traceback" not in bot.text and "Unclosed" not in bot.text, bot.text
    assert took < 10
    if log_format == "json":
        assert all(json.loads(line)["level"] for line in bot.lines)


async def test_sigterm_in_webhook_mode_on_port_exits_0(stub: BotApiStub, tmp_path: Path) -> None:
    port = free_port()
    env = bot_env(
        TOKEN,
        stub.url,
        tmp_path,
        WEBHOOK_URL="https://bot.example.test",
        WEBHOOK_SECRET="shared-by-every-replica",
        WEBHOOK_LISTEN="127.0.0.1",
        WEBHOOK_PORT=str(free_port()),
        PORT=str(port),  # what a Heroku-style host assigns; it wins
    )
    bot = BotProcess(env, tmp_path)
    await bot.start()
    try:
        await bot.wait_ready()
        status, body = await get(f"http://127.0.0.1:{port}/healthz")
        assert (status, json.loads(body)) == (200, {"status": "ok"})
        code, took = await _sigterm(bot)
    finally:
        await bot.close()
    assert code == 0, bot.text
    assert "Traceback" not in bot.text and "Unclosed" not in bot.text, bot.text
    assert took < 10
