"""The benchmarks' SQLite database: a file in the run's folder, written with sqlite3.

The formats are those the ORM writes for the bot's column types, taken from rows it
wrote: ``UTCDateTime`` as naive UTC text ``'YYYY-MM-DD HH:MM:SS.ffffff'`` (always with
microseconds, ``.000000`` included), booleans ``0``/``1``, dates ``'YYYY-MM-DD'``, enums
their string value.
"""

from __future__ import annotations

import asyncio
import enum
import sqlite3
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from bench.database import BenchDatabase, Databases, Row, T
from bench.seed import SeedError, SeedWriter
from bot.crypto import KeyRing

_DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"


def sqlite_path(database_url: str) -> Path:
    """The file behind an ``sqlite+aiosqlite:///path`` URL (only SQLite files are supported)."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        raise SeedError(f"not an SQLite URL: backend {url.get_backend_name()!r}")
    if url.database in (None, "", ":memory:"):
        raise SeedError("an in-memory SQLite database cannot be seeded for another process")
    return Path(url.database).expanduser()


def _stored(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).strftime(_DATETIME_FORMAT)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _insert_sql(table: str, columns: Sequence[str]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


class SqliteWriter:
    """``SeedWriter`` on one sqlite3 connection; every call is a plain blocking one."""

    def __init__(self, con: sqlite3.Connection) -> None:
        self.con = con

    def stored(self, value: Any) -> Any:
        return _stored(value)

    async def required_columns(self, table: str) -> list[str]:
        return [
            name
            for _cid, name, _type, notnull, default_sql, pk in self.con.execute(
                f"PRAGMA table_info({table})"
            )
            if notnull and default_sql is None and not pk
        ]

    async def max_id(self, table: str) -> int:
        return int(self.con.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}").fetchone()[0])

    async def find_id(self, table: str, column: str, value: Any) -> int | None:
        found = self.con.execute(f"SELECT id FROM {table} WHERE {column} = ?", (value,)).fetchone()
        return None if found is None else int(found[0])

    async def insert_one(self, table: str, columns: Sequence[str], row: Row) -> int:
        cursor = self.con.execute(_insert_sql(table, columns), row)
        assert cursor.lastrowid is not None
        return int(cursor.lastrowid)

    async def insert(self, table: str, columns: Sequence[str], rows: Iterable[Row]) -> None:
        self.con.executemany(_insert_sql(table, columns), rows)


class SqliteDatabase(BenchDatabase):
    def __init__(self, url: str) -> None:
        self.url = url
        self.path = sqlite_path(url)

    @property
    def bot_env(self) -> dict[str, str]:
        return {}  # without DATA_KEY the bot takes the key file beside the database

    def key_ring(self) -> KeyRing:
        from bot import keys

        return keys.ring_for(self.url, ())  # the key file, made on first use

    def bulk_write(self, fill: Callable[[SeedWriter], Awaitable[T]]) -> T:
        con = sqlite3.connect(self.path, isolation_level=None)
        try:
            # Bulk-load settings for this connection only; the bot's own connections set theirs.
            con.execute("PRAGMA synchronous=OFF")
            con.execute("PRAGMA temp_store=MEMORY")
            con.execute("PRAGMA cache_size=-131072")  # 128 MiB page cache keeps index inserts fast
            con.execute("BEGIN IMMEDIATE")
            try:
                # The shared steps are coroutines for PostgreSQL's sake; here none ever waits.
                result = asyncio.run(fill(SqliteWriter(con)))
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
            # Fresh statistics let SQLite's planner pick the indexes the bot expects.
            con.execute("ANALYZE")
        finally:
            con.close()
        return result

    async def rows(self, sql: str) -> list[Row]:
        # Read-only and in WAL mode: never blocks the bot's writers. Opened per call so
        # no snapshot is held between polls.
        con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=5.0)
        try:
            return list(con.execute(sql))
        finally:
            con.close()

    async def size_mb(self) -> float:
        files = self.path.parent.glob(f"{self.path.name}*")  # with -wal and -shm
        return sum(p.stat().st_size for p in files) / 2**20


class SqliteDatabases(Databases):
    """Files in the run's folder, kept or removed with it."""

    def new(self, name: str) -> BenchDatabase:
        return SqliteDatabase(f"sqlite+aiosqlite:///{self.workdir.path / f'{name}.db'}")

    def close(self, failed: bool) -> None:
        """Nothing to release: the files stay or go with the run's folder."""
