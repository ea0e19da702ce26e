"""Shared fixtures: a local Bot API stub, a manual clock, and the real bot runtime."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import pytest
from sqlmodel import SQLModel, select

from bot.app import BotRuntime
from bot.clock import Clock, ManualClock
from bot.scheduling.engine import EngineConfig
from bot.settings import REPO_ROOT, Settings
from bot.texts import Texts
from tests.botapi_stub import BotApiStub

TOKEN = "123456789:TEST-token-for-the-local-stub-only"
BOT_USERNAME = "homework_test_bot"
THERAPIST_ID = 1001
M = TypeVar("M", bound=SQLModel)
# A Monday morning in UTC: before every time zone's evening and New York's morning.
START = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)


@pytest.fixture
async def stub() -> AsyncIterator[BotApiStub]:
    async with BotApiStub(TOKEN, bot_username=BOT_USERNAME) as server:
        yield server


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def settings(stub: BotApiStub, tmp_path: Path) -> Settings:
    return Settings(
        token=TOKEN,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        admin_ids=frozenset({THERAPIST_ID}),
        api_url=stub.url,
        rate_per_s=1000.0,
        per_chat_interval_s=0.0,
    )


def variants(key: str, lang: str = "en") -> Callable[[object], bool]:
    """Matcher for any wording variant of a copy key, since the bot picks one at random."""
    texts = Texts.load(REPO_ROOT / "config")
    options = texts.variants(lang, key)

    def match(message: object) -> bool:
        text = getattr(message, "text", None) or ""
        return any(option.split("{")[0] in text for option in options)

    return match


async def rows(runtime: BotRuntime, model: type[M]) -> list[M]:
    """Every row of a table in insertion order, read the way the bot reads them."""
    async with runtime.db.transaction() as session:
        return list(await session.exec(select(model).order_by(model.id)))  # type: ignore[attr-defined]


RuntimeFactory = Callable[..., Awaitable[BotRuntime]]


@pytest.fixture
async def start_bot(settings: Settings, clock: ManualClock) -> AsyncIterator[RuntimeFactory]:
    """Start (and at the end stop) real bot runtimes; call again to simulate a restart."""
    started: list[BotRuntime] = []
    manual_clock = clock

    async def start(
        engine_config: EngineConfig | None = None,
        clock: Clock | None = None,
        **overrides: object,
    ) -> BotRuntime:
        runtime = BotRuntime.build(
            replace(settings, **overrides), clock or manual_clock, engine_config
        )
        await runtime.start()
        started.append(runtime)
        return runtime

    yield start
    for runtime in started:
        if runtime.app.running:
            await runtime.stop()


@pytest.fixture
async def runtime(start_bot: RuntimeFactory) -> BotRuntime:
    return await start_bot()
