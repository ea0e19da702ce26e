"""Shared fixtures: a local Bot API stub, a manual clock, and the real bot runtime."""

from __future__ import annotations

import itertools
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import pytest
from sqlmodel import SQLModel, select

from bot import crypto
from bot.app import BotRuntime
from bot.clock import Clock, ManualClock
from bot.sandbox.botapi import BotApiStub
from bot.sandbox.botapi.models import ApiCall
from bot.scheduling.engine import EngineConfig
from bot.settings import REPO_ROOT, Settings, parse_data_keys
from bot.texts import Texts
from tests.pgserver import PgServer, PostgresUnavailable

TOKEN = "123456789:TEST-token-for-the-local-stub-only"
BOT_USERNAME = "homework_test_bot"
THERAPIST_ID = 1001
M = TypeVar("M", bound=SQLModel)
# A Monday morning in UTC: before every time zone's evening and New York's morning.
START = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)


ENGINES = ("sqlite", "postgres")
_database_names = itertools.count(1)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sqlite_only: exercises SQLite-specific code; not run on PostgreSQL"
    )
    config.addinivalue_line(
        "markers", "postgres_only: exercises PostgreSQL-specific code; not run on SQLite"
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test that touches the bot's database runs once per engine."""
    if "database_url" in metafunc.fixturenames:
        marked = metafunc.definition.get_closest_marker
        engines = [
            engine
            for engine in ENGINES
            if not marked(f"{'postgres' if engine == 'sqlite' else 'sqlite'}_only")
        ]
        metafunc.parametrize("database_url", engines, indirect=True)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """One throwaway server for the session; each test gets a database of its own.

    Without the binaries the PostgreSQL half is skipped on a developer machine, but
    fails under CI, where .ci/run installs them: a green CI must mean both engines.
    """
    try:
        server = PgServer.start()
    except PostgresUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required under CI: {exc}", pytrace=False)
        pytest.skip(str(exc))
    yield server
    server.stop()


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    server: PgServer = request.getfixturevalue("pg_server")
    return server.create_database(f"test_{os.getpid()}_{next(_database_names)}")


@pytest.fixture(autouse=True)
def data_key() -> Iterator[str]:
    """A fresh data key per test, as DATA_KEY holds it (for bots run as subprocesses).

    The key ring is process-wide, so each test sets its own and no test inherits another's.
    """
    key = crypto.new_key()
    crypto.configure(crypto.KeyRing(parse_data_keys(key)))
    yield key
    crypto.configure(None)


@pytest.fixture
async def stub() -> AsyncIterator[BotApiStub]:
    async with BotApiStub(TOKEN, bot_username=BOT_USERNAME) as server:
        yield server


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def settings(stub: BotApiStub, database_url: str) -> Settings:
    return Settings(
        token=TOKEN,
        database_url=database_url,
        # SQLite gets the key file beside it, as without DATA_KEY in production;
        # PostgreSQL requires DATA_KEY.
        data_keys=() if database_url.startswith("sqlite") else (os.urandom(32),),
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


def client_menus(stub: BotApiStub) -> dict[str, ApiCall]:
    """The clients' command menu per language (the one for all private chats)."""
    return {
        call.params.get("language_code", ""): call
        for call in stub.calls_to("setMyCommands")
        if call.params["scope"] == {"type": "all_private_chats"}
    }
