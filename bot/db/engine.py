"""Engine and session factory, plus schema upgrades at start-up."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
# Any fixed number will do; it only has to be the same in every replica. Taken for
# the length of the upgrade's transaction, so two replicas starting together run
# the migrations one after the other, and the second finds nothing left to do.
_MIGRATION_LOCK = 0x686F6D65776F726B  # "homework"


def _prepare_sqlite_file(url: str) -> None:
    """Create the folder of an SQLite file so a first run on a fresh checkout just works."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run while the dispatcher writes; busy_timeout turns lock
    # contention into a short wait instead of an error.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


# Connections to a PostgreSQL server, all kept open. SQLAlchemy's default (5, plus 10
# "overflow" connections opened for a burst and closed again as each is returned) made
# a burst of 1,000 presses open and close about 1,300 connections, each a new server
# process: replies/s rose from 89-109 to 128-152 with a fixed pool of the same maximum
# (15). A burst waits its turn for a connection instead (a press holds one for a few
# milliseconds), and three replicas stay under the server's default max_connections.
PG_POOL_SIZE = 15
PG_POOL_WAIT_S = 120  # how long a burst of thousands may queue for a connection


def create_engine(url: str) -> AsyncEngine:
    _prepare_sqlite_file(url)
    options: dict[str, Any] = {}
    if make_url(url).get_backend_name() == "postgresql":
        options = {"pool_size": PG_POOL_SIZE, "max_overflow": 0, "pool_timeout": PG_POOL_WAIT_S}
    # hide_parameters: a failed statement's error must not carry a person's words into a log.
    engine = create_async_engine(url, hide_parameters=True, **options)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        config.set_main_option("sqlalchemy.url", url)
    return config


def _upgrade_on(connection: Connection, config: Config) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


async def upgrade_database(engine: AsyncEngine) -> None:
    """Bring the schema to the newest migration; safe to call on every start."""
    config = alembic_config()
    async with engine.begin() as conn:
        await conn.run_sync(_upgrade_on, config)


def upgrade_database_blocking(url: str) -> None:
    """For tools that have no event loop yet (CLI, benchmarks' set-up)."""

    async def run() -> None:
        engine = create_engine(url)
        try:
            await upgrade_database(engine)
        finally:
            await engine.dispose()

    asyncio.run(run())
