"""One handle to the database: every unit of work runs in its own transaction."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.engine import create_engine, session_factory, upgrade_database


class Database:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._sessions = session_factory(engine)
        # SQLite has one writer at a time and its busy-wait is unfair: under load one
        # waiter can lose for longer than busy_timeout and fail with "database is
        # locked". Queueing our own transactions first-come-first-served avoids that.
        # PostgreSQL has row locks and needs no such queue.
        self._serial = asyncio.Lock() if engine.dialect.name == "sqlite" else None

    @classmethod
    def from_url(cls, url: str) -> Database:
        return cls(create_engine(url))

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    async def upgrade(self) -> None:
        await upgrade_database(self.engine)

    @property
    def address(self) -> str:
        """Where the database is, for messages: driver, host, port and name, never the
        user or password."""
        url = self.engine.url
        if url.get_backend_name() == "sqlite":
            return f"sqlite:///{url.database}"
        return f"{url.get_backend_name()}://{url.host}:{url.port or 5432}/{url.database}"

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """Our turn at the database: on SQLite, no other transaction of ours is open meanwhile.

        Writers that bypass the async engine (bot/db/sending_marks.py) take it too.
        """
        if self._serial is None:
            yield
        else:
            async with self._serial:
                yield

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """Commit on success, roll back on any error, so a crash never half-records."""
        async with self.turn(), self._sessions() as session, session.begin():
            yield session

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncSession]:
        """A read that does not queue behind our writes (SQLite in WAL mode reads alongside
        a writer); for looks on busy paths that change nothing."""
        async with self._sessions() as session:
            yield session

    @asynccontextmanager
    async def core_transaction(self) -> AsyncIterator[AsyncConnection]:
        """The same, on a plain connection, for bulk Core statements on hot paths."""
        async with self.turn(), self.engine.begin() as connection:
            yield connection

    async def ping(self, timeout_s: float) -> None:
        """Raise unless the database answers a trivial query within `timeout_s`.

        Not in a `turn()`: a health check must not queue behind a burst of writes, and
        SQLite in WAL mode reads alongside a writer.
        """
        async with asyncio.timeout(timeout_s), self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()
