"""Marking a nudge "sending" at the last moment before Telegram can act on it.

Why this is its own module: a nudge is sent at most once because its row says
"sending" before the request is complete (see bot/db/attempts.py). A crash after
that mark but before the request reaches Telegram loses the nudge (it is then
recorded as unconfirmed, not resent), so the engine makes the mark from inside the
request itself, once everything but its last byte is written (bot/transport.py,
`gated`). What remains is the time from the mark being durable to that byte
leaving, and that depends on how the mark is committed:

- SQLite: one autocommit UPDATE on a dedicated synchronous connection, run on the
  event loop itself. It takes tens of microseconds, and nothing else runs between
  its commit and the last byte. It waits its turn behind our other transactions
  first (Database.turn), so it never fights them for SQLite's single write lock.
- PostgreSQL: the row is taken in an open transaction first, and its COMMIT is
  written, unawaited, just before the last byte (bot/db/pg_marks.py). A commit
  there is a network round trip, which must not block the event loop, nor sit
  between the mark and the byte.
- An in-memory SQLite (tests): through the group-commit writer, like the other
  writes of an attempt.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from typing import Protocol

from sqlalchemy.dialects import sqlite as sqlite_dialect

from bot.db import attempts
from bot.db.attempts import Begin
from bot.db.batch_writer import BatchWriter
from bot.db.database import Database
from bot.db.models import Nudge
from bot.db.pg_marks import PostgresMarks, conninfo_from_url
from bot.domain.types import NudgeStatus

log = logging.getLogger(__name__)

_NUDGE = Nudge.__table__  # type: ignore[attr-defined]
# Plain SQL on the stdlib driver: after the commit, nothing but returning to the
# caller stands between the mark and the request's last byte. The instant is
# converted by the column's own type (the format SQLAlchemy reads back), before.
_MARK_ONE = "UPDATE nudge SET status = ?, attempt_at = ? WHERE id = ? AND status = ?"
_INSTANT = _NUDGE.c.attempt_at.type.bind_processor(sqlite_dialect.dialect())
# Our own transactions are queued ahead of this one, so only another process can
# hold the lock; the loop must not stall long on it (we fall back instead), nor
# stall again on every mark while that process goes on holding it.
_BUSY_TIMEOUT_MS = 50
_FALLBACK_FOR_S = 0.5


class SendingMarks(Protocol):
    async def mark(self, begin: Begin) -> bool:
        """Commit the nudge as "sending"; False if it is no longer ours to send."""
        ...

    def close(self) -> None: ...


class BatchedMarks:
    """Marks through the group-commit writer: for servers, where a commit is a round trip."""

    def __init__(self, writer: BatchWriter) -> None:
        self._writer = writer

    async def mark(self, begin: Begin) -> bool:
        taken: bool = await self._writer.submit(attempts.begin, begin)
        return taken

    def close(self) -> None:
        pass


class SqliteMarks:
    """Marks committed synchronously on the event loop, on a connection of their own."""

    def __init__(self, db: Database, path: str, fallback: SendingMarks) -> None:
        self._db = db
        self._path = path
        self._fallback = fallback
        self._conn: sqlite3.Connection | None = None
        self._fast_again_at = 0.0

    async def mark(self, begin: Begin) -> bool:
        if time.monotonic() < self._fast_again_at:
            return await self._fallback.mark(begin)
        now = _INSTANT(begin.now) if _INSTANT is not None else begin.now
        params = (NudgeStatus.SENDING.value, now, begin.nudge_id, NudgeStatus.CLAIMED.value)
        async with self._db.turn():
            try:
                # Autocommit: the UPDATE is its own transaction, durable when it returns.
                return self._connection().execute(_MARK_ONE, params).rowcount == 1
            except sqlite3.OperationalError as exc:
                # Another process holds the write lock (a migration, a manual fix).
                log.warning("fast sending mark failed (%s); using the writer for a while", exc)
                self._fast_again_at = time.monotonic() + _FALLBACK_FOR_S
                self.close()
        return await self._fallback.mark(begin)

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            # Opened on first use, so on the loop's thread (sqlite3 checks that).
            conn = sqlite3.connect(self._path, isolation_level=None)
            # NORMAL: a commit survives the process being killed (not a power cut), as
            # on the bot's other connections.
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
            self._conn = conn
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def sending_marks(db: Database, writer: BatchWriter) -> SendingMarks:
    """The fastest durable marks this database allows."""
    batched = BatchedMarks(writer)
    url = db.engine.url
    if db.dialect == "postgresql":
        return PostgresMarks(conninfo_from_url(url))
    if db.dialect == "sqlite" and url.database not in (None, "", ":memory:"):
        return SqliteMarks(db, url.database, fallback=batched)
    return batched
