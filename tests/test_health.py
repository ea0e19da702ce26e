"""/healthz: 200 while the database answers and the nudge scheduler runs, 503 with a reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.app import BotRuntime
from bot.db.database import Database
from tests.botprocess import free_port
from tests.conftest import RuntimeFactory
from tests.scrape import get


async def _health(runtime: BotRuntime) -> tuple[int, dict[str, str]]:
    status, body = await get(f"http://127.0.0.1:{runtime.settings.metrics_port}/healthz")
    return status, json.loads(body)


@pytest.fixture
async def watched(start_bot: RuntimeFactory) -> BotRuntime:
    return await start_bot(metrics_listen="127.0.0.1", metrics_port=free_port())


async def test_healthy_bot_answers_ok(watched: BotRuntime) -> None:
    assert await _health(watched) == (200, {"status": "ok"})


async def test_stopped_scheduler_is_unhealthy(watched: BotRuntime) -> None:
    await watched.engine.stop()
    status, body = await _health(watched)
    assert status == 503
    assert body["status"] == "unavailable" and "nudge" in body["reason"]


async def test_unreachable_database_is_unhealthy(watched: BotRuntime, tmp_path: Path) -> None:
    working = watched.db
    # A folder where the database file should be: SQLite cannot open it.
    watched.db = Database.from_url(f"sqlite+aiosqlite:///{tmp_path}")
    try:
        status, body = await _health(watched)
    finally:
        await watched.db.dispose()
        watched.db = working
    assert (status, body) == (503, {"status": "unavailable", "reason": "database unreachable"})


async def test_slow_database_is_unhealthy(
    watched: BotRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.app.HEALTH_DB_TIMEOUT_S", 0)  # any answer is too late
    status, body = await _health(watched)
    assert (status, body) == (
        503,
        {"status": "unavailable", "reason": "database did not answer within 0 s"},
    )
