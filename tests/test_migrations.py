"""The migrations and the models describe the same schema, on both engines."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from bot import crypto
from bot.db.database import Database
from bot.settings import SettingsError, normalize_database_url
from tests.botprocess import free_port

REPO = Path(__file__).resolve().parent.parent
DATA_KEY = crypto.new_key()  # one for every replica: a server database needs one


def _diff(connection) -> list[object]:  # type: ignore[no-untyped-def]
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return compare_metadata(context, SQLModel.metadata)


def _tables(connection) -> set[str]:  # type: ignore[no-untyped-def]
    return set(inspect(connection).get_table_names())


async def test_upgrade_creates_the_models_schema(database_url: str) -> None:
    db = Database.from_url(database_url)
    await db.upgrade()
    await db.upgrade()  # idempotent on every start
    async with db.engine.connect() as conn:
        assert await conn.run_sync(_diff) == []
        assert {"nudge", "reminderslot", "reply", "invite"} <= await conn.run_sync(_tables)
    await db.dispose()


@pytest.mark.postgres_only
def test_replicas_starting_together_upgrade_once(database_url: str, tmp_path: Path) -> None:
    # An advisory lock queues the second upgrade behind the first, which then finds
    # nothing to do; without it both would try to create the tables and one would fail.
    replicas = [_migrate(database_url, tmp_path, wait=False) for _ in range(3)]
    for replica in replicas:
        _out, err = replica.communicate(timeout=60)
        assert replica.returncode == 0, err
    _assert_at_head(database_url)


def _migrate(
    database_url: str, cwd: Path, *, wait: bool = True, retry_s: str = "60"
) -> subprocess.Popen[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(REPO)}
    env["STARTUP_RETRY_S"] = retry_s
    env["DATA_KEY"] = DATA_KEY
    env.pop("TELEGRAM_BOT_TOKEN", None)  # migrating needs no token
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "migrate"],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    if wait:
        process.wait(timeout=60)
    return process


def _assert_at_head(database_url: str) -> None:
    async def check() -> None:
        db = Database.from_url(database_url)
        async with db.engine.connect() as conn:
            assert await conn.run_sync(_diff) == []
        await db.dispose()

    asyncio.run(check())


def test_migrate_command_upgrades_and_exits(database_url: str, tmp_path: Path) -> None:
    done = _migrate(database_url, tmp_path)
    out, err = done.communicate()
    assert done.returncode == 0, err
    assert "newest schema" in out
    _assert_at_head(database_url)


def test_migrate_without_a_server_says_so_in_one_line(tmp_path: Path) -> None:
    port = free_port()  # nobody listens there
    done = _migrate(f"postgresql://u:pw-secret@127.0.0.1:{port}/app", tmp_path, retry_s="1")
    out, err = done.communicate()
    assert done.returncode == 1, out + err
    assert "Traceback" not in err and "pw-secret" not in err, err
    assert err.splitlines()[-1].startswith("error: could not reach the database at "), err
    assert f"127.0.0.1:{port}/app" in err.splitlines()[-1]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@db:5432/app", "postgresql+asyncpg://u:p@db:5432/app"),
        ("postgresql://u:p@db/app", "postgresql+asyncpg://u:p@db/app"),
        ("postgresql+asyncpg://u@db/app", "postgresql+asyncpg://u@db/app"),
        (
            "postgres://u:p@db/app?sslmode=require",
            "postgresql+asyncpg://u:p@db/app?ssl=require",
        ),
        ("sqlite:///./data/bot.db", "sqlite+aiosqlite:///./data/bot.db"),
        ("", "sqlite+aiosqlite:///./data/bot.db"),
    ],
)
def test_database_urls_as_hosts_hand_them_out(given: str, expected: str) -> None:
    assert normalize_database_url(given) == expected


@pytest.mark.parametrize(
    "bad", ["mysql://u@db/app", "postgresql+psycopg2://u:secret@db/app", "just-a-path"]
)
def test_unusable_database_urls_are_explained_without_the_password(bad: str) -> None:
    with pytest.raises(SettingsError) as caught:
        normalize_database_url(bad)
    assert "DATABASE_URL" in str(caught.value)
    assert "secret" not in str(caught.value)
