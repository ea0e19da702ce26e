"""Sending marks on PostgreSQL whose COMMIT leaves just before the request's last byte.

Why this exists: a nudge is lost when the process dies after its "sending" mark is
durable but before its request is whole (bot/db/sending_marks.py). On SQLite the
commit is a local call, so that window is microseconds. On a server, a commit
awaited like any other query leaves the whole way back of its answer, and the event
loop's other work after it, between the commit and the last byte: a SIGKILL there
lost several nudges per thirty kills (README, "The residual of a crash").

So the mark is split around the request, on a libpq connection of its own (psycopg's
`pq` module, libpq's documented asynchronous API; asyncpg cannot write a query
without suspending until the loop's next turn):

1. `BEGIN; UPDATE … WHERE status = 'claimed'` is awaited like any query. The row is
   now ours and locked, but nothing is committed: if we die here, the server rolls
   it back, the nudge stays claimed and is sent after the restart.
2. When the gate opens, `COMMIT` is written to the server's socket without waiting
   for its answer, and the request's last byte follows at once (no await between).
   Dying after the COMMIT's bytes are written commits the mark: they reach the
   server before the socket's close, which is an orderly one, since every earlier
   answer has been read. What is left is the gap between two writes in one Python
   function, as on SQLite.
   Over TCP the COMMIT is also held in our own kernel (TCP_CORK) until the last byte
   is written: a write that wakes the server can hand it our CPU right there, and a
   kill landing then lost 2 nudges per 30 kills in `bench restart`. A dying
   process's sockets still send what they hold, corked or not.
3. The COMMIT's answer is read afterwards. Should it be an error, the request has
   still gone out; the engine records its outcome by id either way.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from datetime import datetime

from psycopg import OperationalError, pq
from psycopg.conninfo import make_conninfo
from sqlalchemy.engine import URL

from bot.db.attempts import Begin
from bot.domain.types import NudgeStatus

log = logging.getLogger(__name__)

# Marks made at once; only the sender-lease holder makes any, and each holds its
# connection for about two round trips.
MAX_CONNECTIONS = 6
# A mark that takes longer than this fails its request (nothing was sent) and is retried.
MARK_TIMEOUT_S = 10.0

_BEGIN = b"BEGIN"
_MARK = b"UPDATE nudge SET status = $1, attempt_at = $2 WHERE id = $3 AND status = $4"
_COMMIT = b"COMMIT"
_ROLLBACK = b"ROLLBACK"
_OK = (pq.ExecStatus.COMMAND_OK, pq.ExecStatus.PIPELINE_SYNC)
_CORK = getattr(socket, "TCP_CORK", None)  # Linux only; elsewhere the COMMIT goes at once


class MarkError(Exception):
    """The server refused a step of a mark; the connection is dropped, nothing was sent."""


def conninfo_from_url(url: URL) -> str:
    """libpq's connection string for the bot's SQLAlchemy URL (asyncpg's `ssl` is `sslmode`)."""
    params: dict[str, str | int] = {"dbname": url.database or "", "user": url.username or ""}
    host = url.host or url.query.get("host")  # ?host=/run/postgresql: a Unix socket
    if isinstance(host, str) and host:
        params["host"] = host
    if url.port:
        params["port"] = url.port
    if url.password:
        params["password"] = url.password
    ssl = url.query.get("ssl")
    if isinstance(ssl, str):
        params["sslmode"] = ssl
    params["application_name"] = "bot-sending-marks"
    params["connect_timeout"] = 10
    return make_conninfo(**params)


class MarkConnection:
    """One libpq connection in pipeline mode, used by one mark at a time."""

    def __init__(self, pg: pq.abc.PGconn) -> None:
        self.pg = pg
        # A duplicate of libpq's descriptor, only to cork it; None on a Unix socket.
        self._tcp = _tcp_socket(pg.socket)

    @classmethod
    async def open(cls, conninfo: str) -> MarkConnection:
        # libpq's blocking connect, off the loop; the connection is then used on the loop.
        pg = await asyncio.to_thread(pq.PGconn.connect, conninfo.encode())
        if pg.status != pq.ConnStatus.OK:
            pg.finish()
            # libpq's own message names the user; the bot's logs name no credentials.
            raise OperationalError("the sending marks' connection to the database failed")
        pg.nonblocking = 1
        pg.enter_pipeline_mode()
        return cls(pg)

    async def begin(self, params: list[bytes]) -> bool:
        """Step 1: the row is ours and locked, the transaction open. False: not ours."""
        self.pg.send_query_params(_BEGIN, None)
        self.pg.send_query_params(_MARK, params)
        self.pg.pipeline_sync()
        await self._flush()
        results = await self._results(syncs=1)
        _check(results)
        if results[1].command_tuples == 1:
            return True
        self.pg.send_query_params(_ROLLBACK, None)
        self.pg.pipeline_sync()
        await self._flush()
        _check(await self._results(syncs=1))
        return False

    def send_commit(self) -> bool:
        """Step 2: write COMMIT now; True when every byte of it is with the kernel.

        Corked until the loop's next turn, which comes after the request's last byte.
        """
        self._cork(True)
        asyncio.get_running_loop().call_soon(self._cork, False)
        self.pg.send_query_params(_COMMIT, None)
        self.pg.pipeline_sync()
        return self.pg.flush() == 0

    async def settle(self) -> None:
        """Step 3: the COMMIT's answer (and the rest of its bytes, if the socket was full)."""
        await self._flush()
        _check(await self._results(syncs=1))

    def close(self) -> None:
        self.pg.finish()
        if self._tcp is not None:
            self._tcp.close()
            self._tcp = None

    def _cork(self, on: bool) -> None:
        if self._tcp is not None and _CORK is not None:
            self._tcp.setsockopt(socket.IPPROTO_TCP, _CORK, int(on))

    async def _flush(self) -> None:
        while self.pg.flush() == 1:
            await _ready(self.pg.socket, writable=True)

    async def _results(self, syncs: int) -> list[pq.abc.PGresult]:
        """Every result up to the `syncs`-th pipeline sync."""
        results: list[pq.abc.PGresult] = []
        pg = self.pg
        while syncs:
            pg.consume_input()
            if pg.is_busy():
                await _ready(pg.socket, writable=False)
                continue
            result = pg.get_result()
            if result is None:
                continue  # the end of one statement's results
            results.append(result)
            if result.status == pq.ExecStatus.PIPELINE_SYNC:
                syncs -= 1
        return results


def _tcp_socket(fd: int) -> socket.socket | None:
    duplicate = socket.socket(fileno=os.dup(fd))
    if duplicate.family in (socket.AF_INET, socket.AF_INET6):
        return duplicate
    duplicate.close()
    return None


def _check(results: list[pq.abc.PGresult]) -> None:
    for result in results:
        if result.status not in _OK:
            message = (result.error_message or b"").decode(errors="replace").strip()
            raise MarkError(message or result.status.name)


async def _ready(fd: int, *, writable: bool) -> None:
    loop = asyncio.get_running_loop()
    ready = loop.create_future()

    def wake() -> None:
        if not ready.done():
            ready.set_result(None)

    (loop.add_writer if writable else loop.add_reader)(fd, wake)
    try:
        await ready
    finally:
        (loop.remove_writer if writable else loop.remove_reader)(fd)


class PostgresMarks:
    """Marks committed by a COMMIT written right before the request's last byte."""

    def __init__(self, conninfo: str) -> None:
        self._conninfo = conninfo
        self._idle: list[MarkConnection] = []
        self._busy: set[MarkConnection] = set()
        self._slots = asyncio.Semaphore(MAX_CONNECTIONS)
        self._settling: set[asyncio.Task[None]] = set()

    async def mark(self, begin: Begin) -> bool:
        await self._slots.acquire()
        while True:
            reused = bool(self._idle)
            try:
                conn = self._idle.pop() if reused else await MarkConnection.open(self._conninfo)
            except BaseException:
                self._slots.release()
                raise
            self._busy.add(conn)
            try:
                async with asyncio.timeout(MARK_TIMEOUT_S):
                    taken = await conn.begin(mark_params(begin))
                break
            except OperationalError:
                # An idle connection the server has since closed (a restart, a proxy's
                # idle timeout): nothing was done on it, so try the next one.
                self._forget(conn)
                if not reused:
                    self._slots.release()
                    raise
            except BaseException:
                self._drop(conn)  # closing rolls back whatever was open
                raise
        if not taken:
            self._done(conn)
            return False
        if conn.send_commit():
            self._follow(conn)
            return True
        # The socket was full (not seen in practice): the COMMIT must be whole before
        # the request's last byte, or a kill could commit a mark for a request that
        # never arrived. Await it, answer included, as any other query.
        try:
            await conn.settle()
        except BaseException:
            self._drop(conn)
            raise
        self._done(conn)
        return True

    def close(self) -> None:
        """Close every connection; a COMMIT already written still takes effect."""
        for task in self._settling:
            task.cancel()
        for conn in [*self._idle, *self._busy]:
            conn.close()
        self._idle.clear()
        self._busy.clear()

    def _follow(self, conn: MarkConnection) -> None:
        task = asyncio.get_running_loop().create_task(self._settle(conn))
        self._settling.add(task)
        task.add_done_callback(self._settling.discard)

    async def _settle(self, conn: MarkConnection) -> None:
        try:
            async with asyncio.timeout(MARK_TIMEOUT_S):
                await conn.settle()
        except (OperationalError, MarkError, TimeoutError) as exc:
            # The request went out; its outcome is recorded by id, whatever the mark says.
            log.warning("a sending mark's commit was not confirmed: %s", type(exc).__name__)
            self._drop(conn)
            return
        self._done(conn)

    def _done(self, conn: MarkConnection) -> None:
        self._busy.discard(conn)
        self._idle.append(conn)
        self._slots.release()

    def _drop(self, conn: MarkConnection) -> None:
        self._forget(conn)
        self._slots.release()

    def _forget(self, conn: MarkConnection) -> None:
        self._busy.discard(conn)
        conn.close()


def mark_params(begin: Begin) -> list[bytes]:
    return [
        NudgeStatus.SENDING.value.encode(),
        _instant(begin.now),
        str(begin.nudge_id).encode(),
        NudgeStatus.CLAIMED.value.encode(),
    ]


def _instant(moment: datetime) -> bytes:
    if moment.tzinfo is None:
        raise ValueError("sending marks take aware instants")
    return moment.isoformat().encode()
