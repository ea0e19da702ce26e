"""The benchmarks' PostgreSQL: a throwaway server per run, written with asyncpg's COPY.

The server is the one the tests use (tests/pgserver.py: 127.0.0.1, a random port,
fsync off), started when a run asks for PostgreSQL and removed when the run ends.
The bot reaches it as ``postgresql+asyncpg://``; we talk to it with plain asyncpg.

Seeding writes Python values as they are (timestamptz takes aware datetimes, boolean
takes bools) with binary COPY, hundreds of thousands of rows a second, and gives ids
explicitly like the SQLite seeder; afterwards each ``id`` sequence is moved past them,
or the bot's next insert into such a table would collide with a seeded row.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import shutil
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

from bench.database import BenchDatabase, Databases, DatabaseUnavailable, Row, T
from bench.seed import SeedWriter
from bench.workdir import Workdir
from bot import crypto
from bot.settings import parse_data_keys

_REQUIRED = """
SELECT column_name FROM information_schema.columns
WHERE table_schema = current_schema() AND table_name = $1
  AND is_nullable = 'NO' AND column_default IS NULL AND is_identity = 'NO'
"""


class PostgresWriter:
    """``SeedWriter`` on one asyncpg connection, inside its open transaction."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn
        self._given_ids: set[str] = set()

    def stored(self, value: Any) -> Any:
        return value.value if isinstance(value, enum.Enum) else value

    async def required_columns(self, table: str) -> list[str]:
        return [str(row[0]) for row in await self.conn.fetch(_REQUIRED, table)]

    async def max_id(self, table: str) -> int:
        return int(await self.conn.fetchval(f"SELECT COALESCE(MAX(id), 0) FROM {table}"))

    async def find_id(self, table: str, column: str, value: Any) -> int | None:
        found = await self.conn.fetchval(f"SELECT id FROM {table} WHERE {column} = $1", value)
        return None if found is None else int(found)

    async def insert_one(self, table: str, columns: Sequence[str], row: Row) -> int:
        places = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({places}) RETURNING id"
        return int(await self.conn.fetchval(sql, *row))

    async def insert(self, table: str, columns: Sequence[str], rows: Iterable[Row]) -> None:
        await self.conn.copy_records_to_table(table, records=rows, columns=list(columns))
        if "id" in columns:
            self._given_ids.add(table)

    async def advance_sequences(self) -> None:
        for table in sorted(self._given_ids):
            await self.conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), MAX(id)) FROM {table}"
            )


class PostgresDatabase(BenchDatabase):
    def __init__(self, url: str, data_key: str | None = None) -> None:
        self.url = url
        # A server database has no key file beside it: the bot needs DATA_KEY.
        self.data_key = data_key or crypto.new_key()
        # asyncpg wants the URL without SQLAlchemy's "+asyncpg".
        self.dsn = make_url(url).set(drivername="postgresql").render_as_string(False)

    @property
    def bot_env(self) -> dict[str, str]:
        return {"DATA_KEY": self.data_key}

    def key_ring(self) -> crypto.KeyRing:
        return crypto.KeyRing(parse_data_keys(self.data_key))

    def bulk_write(self, fill: Callable[[SeedWriter], Awaitable[T]]) -> T:
        return asyncio.run(self._bulk_write(fill))

    async def _bulk_write(self, fill: Callable[[SeedWriter], Awaitable[T]]) -> T:
        conn = await asyncpg.connect(self.dsn)
        try:
            writer = PostgresWriter(conn)
            async with conn.transaction():
                result = await fill(writer)
                await writer.advance_sequences()
            # Fresh statistics let the planner pick the indexes the bot expects.
            await conn.execute("ANALYZE")
        finally:
            await conn.close()
        return result

    async def rows(self, sql: str) -> list[Row]:
        conn = await asyncpg.connect(self.dsn)
        try:
            return [tuple(record) for record in await conn.fetch(sql)]
        finally:
            await conn.close()

    async def size_mb(self) -> float:
        [(size,)] = await self.rows("SELECT pg_database_size(current_database())")
        return int(size) / 2**20


class PostgresDatabases(Databases):
    """One throwaway server for the run; each ``new`` database is created on it."""

    def __init__(self, workdir: Workdir) -> None:
        from tests.pgserver import PgServer, PostgresUnavailable

        super().__init__(workdir)
        try:
            self.server = PgServer.start()
        except PostgresUnavailable as exc:
            raise DatabaseUnavailable(str(exc)) from None
        self._names: list[str] = []

    def new(self, name: str) -> BenchDatabase:
        url = self.server.create_database(name)
        self._names.append(name)
        return PostgresDatabase(url)

    def close(self, failed: bool) -> None:
        try:
            if failed or self.workdir.keep:
                self._leave_for_inspection()
        finally:
            self.server.stop()

    def _leave_for_inspection(self) -> None:
        """The server goes with the run, so what is worth a look is copied out first."""
        with contextlib.suppress(Exception):
            shutil.copy(self.server.root / "server.log", self.workdir.path / "postgres.log")
        for name in self._names:
            with contextlib.suppress(Exception):
                (self.workdir.path / f"{name}.sql").write_text(self.server.dump(name))
