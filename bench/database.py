"""The bot's database as a benchmark sees it, on SQLite or on PostgreSQL.

Why a seam: a benchmark seeds the database before the bot starts, and reads it
(nudge statuses, send order) while or after the bot runs, bypassing the bot for
speed and independence. Those are the only places where the engine shows, so they
live behind ``BenchDatabase``, and a benchmark only picks the engine once::

    with Workdir("burst") as workdir, open_databases(args.database, workdir) as dbs:
        db = dbs.new("burst")
        db.seed(2000, due_at)
        ...  # the bot runs with DATABASE_URL=db.url
        rows = await db.rows("SELECT status, COUNT(*) FROM nudge GROUP BY 1")

SQLite is a file in the run's folder; PostgreSQL is a throwaway server of our own
(tests/pgserver.py), started for the run and removed when it ends, on errors,
Ctrl-C and SIGTERM too.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar, Unpack

from bench.workdir import Workdir

if TYPE_CHECKING:
    from bench.seed import SeedOptions, SeedWriter
    from bot.crypto import KeyRing

ENGINES = ("sqlite", "postgres")
Row = tuple[Any, ...]
T = TypeVar("T")


class DatabaseUnavailable(Exception):
    """The engine asked for cannot run here; the message says what is missing."""


class BenchDatabase(ABC):
    """One database the bot under test runs on."""

    url: str  # what the bot gets as DATABASE_URL

    def seed(self, n: int, due_at: datetime, **options: Unpack[SeedOptions]) -> list[int]:
        """Migrate, then add ``n`` enrolled clients due at ``due_at`` (see bench/seed.py).

        Blocking and run before any event loop: the bot's migrations run their own.
        Returns the new clients' chat ids in insert order.
        """
        from bench.seed import seed_into
        from bot import crypto
        from bot.db.engine import upgrade_database_blocking

        ring = self.key_ring()
        crypto.configure(ring)  # so that reading back through the ORM opens what we seal
        upgrade_database_blocking(self.url)
        return self.bulk_write(lambda writer: seed_into(writer, ring.seal, n, due_at, **options))

    @property
    @abstractmethod
    def bot_env(self) -> dict[str, str]:
        """What the bot's environment needs besides DATABASE_URL to read this database."""

    @abstractmethod
    def key_ring(self) -> KeyRing:
        """The data keys the bot will use here, to seal the personal text we seed."""

    @abstractmethod
    def bulk_write(self, fill: Callable[[SeedWriter], Awaitable[T]]) -> T:
        """Run ``fill`` with this engine's fastest writer, in one transaction; commit.

        Blocking; also refreshes the planner's statistics afterwards.
        """

    @abstractmethod
    async def rows(self, sql: str) -> list[Row]:
        """One read-only query, safe while the bot is writing; no snapshot is kept.

        Plain SQL that both engines understand. Instants come back as the driver gives
        them (text on SQLite): pass them through ``instant``.
        """

    @abstractmethod
    async def size_mb(self) -> float:
        """The space the database takes, in MiB."""


def instant(value: Any) -> datetime:
    """A stored instant as an aware UTC datetime, whichever engine returned it."""
    if isinstance(value, str):  # SQLite: naive UTC text, as the bot's UTCDateTime writes it
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    raise TypeError(f"not a stored instant: {value!r}")


class Databases(ABC):
    """Where a run's databases live; ``new`` makes one, leaving the block removes them all."""

    def __init__(self, workdir: Workdir) -> None:
        self.workdir = workdir

    @abstractmethod
    def new(self, name: str) -> BenchDatabase:
        """An empty database called ``name`` (a file stem or a database name)."""

    @abstractmethod
    def close(self, failed: bool) -> None:
        """Release what the run held; a failed or kept run leaves something to inspect."""


def database_at(url: str) -> BenchDatabase:
    """An existing database by its SQLAlchemy URL (``python -m bench.seed --database-url``)."""
    from sqlalchemy.engine import make_url

    if make_url(url).get_backend_name() == "sqlite":
        from bench.sqlite_database import SqliteDatabase

        return SqliteDatabase(url)
    from bench.postgres_database import PostgresDatabase

    data_key = os.environ.get("DATA_KEY")
    if not data_key:
        raise DatabaseUnavailable("set DATA_KEY to the key the bot reading this database uses")
    return PostgresDatabase(url, data_key)


@contextmanager
def open_databases(engine: str, workdir: Workdir) -> Iterator[Databases]:
    """The run's databases on ``engine`` ("sqlite" or "postgres"), closed on every exit."""
    databases: Databases
    if engine == "sqlite":
        from bench.sqlite_database import SqliteDatabases

        databases = SqliteDatabases(workdir)
    elif engine == "postgres":
        from bench.postgres_database import PostgresDatabases

        databases = PostgresDatabases(workdir)
    else:
        raise ValueError(f"unknown database engine {engine!r}; choose from {ENGINES}")
    failed = True
    try:
        yield databases
        failed = False
    finally:
        databases.close(failed)
