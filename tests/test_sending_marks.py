"""A nudge is marked "sending" before Telegram can act on it, and only once.

Why: this mark is what keeps a crash from sending a nudge twice. It must be committed
before the request is whole (else a crash right after sending resends it), it must lose
cleanly to anyone else holding the nudge, and it must not stall or fail when another
process briefly holds SQLite's write lock.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sqlite3
import sys
import time
from contextlib import closing
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import make_url

from bot.app import BotRuntime
from bot.clock import ManualClock
from bot.db.attempts import Begin
from bot.db.models import Nudge
from bot.db.pg_marks import PostgresMarks, conninfo_from_url
from bot.db.sending_marks import BatchedMarks, SqliteMarks
from bot.sandbox.botapi import BotApiStub
from bot.sandbox.botapi.models import ApiCall
from tests.conftest import THERAPIST_ID, RuntimeFactory, rows
from tests.journeys import enrol_daily_at_nine_utc
from tests.pgserver import PgServer

DUE = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
RAE = 7001
sqlite_only = pytest.mark.sqlite_only


def db_file(runtime: BotRuntime) -> str:
    path = make_url(runtime.settings.database_url).database
    assert path
    return path


def nudge_status(path: str, nudge_id: int) -> str:
    with closing(sqlite3.connect(path)) as conn:
        (status,) = conn.execute("SELECT status FROM nudge WHERE id = ?", (nudge_id,)).fetchone()
    return str(status)


async def sent_nudge(stub: BotApiStub, runtime: BotRuntime, clock: ManualClock) -> Nudge:
    await enrol_daily_at_nine_utc(stub.user(THERAPIST_ID, "Dana"), stub.user(RAE, "Rae"))
    clock.set(DUE)
    await stub.user(RAE, "Rae").wait_for("Bridge: 3 x 10")
    await runtime.engine.idle()
    [nudge] = await rows(runtime, Nudge)
    return nudge


def reclaim(path: str, nudge_id: int) -> None:
    """Put a nudge back to "claimed", as if it had just been claimed and not yet attempted."""
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("UPDATE nudge SET status = 'claimed' WHERE id = ?", (nudge_id,))


@sqlite_only
async def test_nudge_is_sending_in_the_database_when_telegram_receives_it(
    stub: BotApiStub, start_bot: RuntimeFactory, clock: ManualClock
) -> None:
    runtime = await start_bot()
    assert isinstance(runtime.marks, SqliteMarks)
    path = db_file(runtime)
    statuses: list[str] = []

    def look(call: ApiCall) -> None:
        if call.params.get("chat_id") == RAE and "Bridge" in str(call.params.get("text")):
            with closing(sqlite3.connect(path)) as conn:
                [(nudge_id,)] = conn.execute("SELECT id FROM nudge").fetchall()
            statuses.append(nudge_status(path, nudge_id))

    stub.on_arrival("sendMessage", look)
    nudge = await sent_nudge(stub, runtime, clock)
    assert statuses == ["sending"]
    assert nudge.status == "sent"
    assert nudge.attempt_at == DUE


@sqlite_only
async def test_mark_is_taken_once(
    stub: BotApiStub, start_bot: RuntimeFactory, clock: ManualClock
) -> None:
    runtime = await start_bot()
    nudge = await sent_nudge(stub, runtime, clock)
    path = db_file(runtime)
    assert nudge.id is not None
    assert not await runtime.marks.mark(Begin(nudge.id, DUE))  # sent: not ours any more
    reclaim(path, nudge.id)
    later = DUE + timedelta(minutes=1)
    assert await runtime.marks.mark(Begin(nudge.id, later))
    assert not await runtime.marks.mark(Begin(nudge.id, later))
    assert nudge_status(path, nudge.id) == "sending"
    [marked] = await rows(runtime, Nudge)
    assert marked.attempt_at == later


@sqlite_only
async def test_mark_waits_out_another_process_holding_the_write_lock(
    stub: BotApiStub,
    start_bot: RuntimeFactory,
    clock: ManualClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    runtime = await start_bot()
    nudge = await sent_nudge(stub, runtime, clock)
    path = db_file(runtime)
    assert nudge.id is not None
    reclaim(path, nudge.id)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process's write transaction
    asyncio.get_running_loop().call_later(0.3, other.rollback)
    with caplog.at_level(logging.WARNING, logger="bot.db.sending_marks"):
        started = time.monotonic()
        assert await runtime.marks.mark(Begin(nudge.id, DUE))
        assert time.monotonic() - started >= 0.25  # waited for the lock, did not fail
        other.close()
        assert nudge_status(path, nudge.id) == "sending"
        assert caplog.text.count("using the writer") == 1
        # While the other process may still be at it, marks go through the writer...
        reclaim(path, nudge.id)
        commits = runtime.writer.commits
        assert await runtime.marks.mark(Begin(nudge.id, DUE))
        assert runtime.writer.commits == commits + 1
        # ...and take the fast path again soon after.
        await asyncio.sleep(0.6)
        reclaim(path, nudge.id)
        assert await runtime.marks.mark(Begin(nudge.id, DUE))
        assert runtime.writer.commits == commits + 1
        assert caplog.text.count("using the writer") == 1
    assert nudge_status(path, nudge.id) == "sending"


@sqlite_only
async def test_without_a_database_file_marks_go_through_the_writer(
    stub: BotApiStub, start_bot: RuntimeFactory, clock: ManualClock
) -> None:
    # The path PostgreSQL takes; an in-memory SQLite has no file for a second connection.
    runtime = await start_bot(database_url="sqlite+aiosqlite:///:memory:")
    assert isinstance(runtime.marks, BatchedMarks)
    nudge = await sent_nudge(stub, runtime, clock)
    assert nudge.status == "sent"
    assert nudge.attempt_at == DUE  # written by the mark
    assert nudge.id is not None
    assert not await runtime.marks.mark(Begin(nudge.id, DUE))


@pytest.mark.postgres_only
async def test_on_postgres_the_mark_is_committed_before_telegram_receives_it(
    stub: BotApiStub, start_bot: RuntimeFactory, clock: ManualClock, pg_server: PgServer
) -> None:
    # Read from outside the bot, as another replica would, at the moment the stub
    # has the whole request: the writer's commit must already be visible.
    runtime = await start_bot()
    assert isinstance(runtime.marks, PostgresMarks)
    database = make_url(runtime.settings.database_url).database
    assert database
    statuses: list[str] = []

    def look(call: ApiCall) -> None:
        if call.params.get("chat_id") == RAE and "Bridge" in str(call.params.get("text")):
            statuses.append(pg_server.psql("SELECT status FROM nudge", database).strip())

    stub.on_arrival("sendMessage", look)
    nudge = await sent_nudge(stub, runtime, clock)
    assert statuses == ["sending"]
    assert nudge.status == "sent"
    assert nudge.id is not None
    assert not await runtime.marks.mark(Begin(nudge.id, DUE))  # sent: not ours any more


# A process that takes a nudge for its attempt and is SIGKILLed: before its COMMIT is
# written (the request's last byte not yet sent) or just after (the byte would follow).
_KILLED_MARK = """
import asyncio, os, signal, sys
from datetime import UTC, datetime
from bot.db.attempts import Begin
from bot.db.pg_marks import MarkConnection, mark_params

async def main(conninfo, nudge_id, commit):
    conn = await MarkConnection.open(conninfo)
    assert await conn.begin(mark_params(Begin(nudge_id, datetime.now(UTC))))
    if commit == "commit":
        assert conn.send_commit()
    os.kill(os.getpid(), signal.SIGKILL)

asyncio.run(main(sys.argv[1], int(sys.argv[2]), sys.argv[3]))
"""


@pytest.mark.postgres_only
@pytest.mark.parametrize(("step", "left"), [("begin", "claimed"), ("commit", "sending")])
async def test_on_postgres_a_kill_commits_the_mark_only_once_its_commit_is_written(
    stub: BotApiStub,
    start_bot: RuntimeFactory,
    clock: ManualClock,
    pg_server: PgServer,
    step: str,
    left: str,
) -> None:
    # Killed before: the server rolls back, the nudge is claimed and goes after a
    # restart (its request never got its last byte). Killed after: the mark stands
    # although its answer was never read, so the nudge is not sent twice.
    runtime = await start_bot()
    nudge = await sent_nudge(stub, runtime, clock)
    database = make_url(runtime.settings.database_url).database
    assert database and nudge.id is not None
    pg_server.psql(f"UPDATE nudge SET status = 'claimed' WHERE id = {nudge.id}", database)
    conninfo = conninfo_from_url(make_url(runtime.settings.database_url))
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _KILLED_MARK, conninfo, str(nudge.id), step
    )
    assert await child.wait() == -signal.SIGKILL
    status = pg_server.psql(f"SELECT status FROM nudge WHERE id = {nudge.id}", database)
    assert status.strip() == left


@pytest.mark.postgres_only
async def test_on_postgres_marks_outlive_the_server_closing_their_connections(
    stub: BotApiStub, start_bot: RuntimeFactory, clock: ManualClock, pg_server: PgServer
) -> None:
    # A server restart or a proxy's idle timeout: the next mark must not fail its
    # request for a connection that was already gone.
    runtime = await start_bot()
    nudge = await sent_nudge(stub, runtime, clock)  # leaves a marks connection idle
    database = make_url(runtime.settings.database_url).database
    assert database and nudge.id is not None
    closed = pg_server.psql(
        "SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity"
        " WHERE application_name = 'bot-sending-marks'",
        database,
    )
    assert closed.strip() == "1"
    pg_server.psql(f"UPDATE nudge SET status = 'claimed' WHERE id = {nudge.id}", database)
    assert await runtime.marks.mark(Begin(nudge.id, DUE))
    await asyncio.sleep(0.2)  # the COMMIT's answer, read in the background
    status = pg_server.psql(f"SELECT status FROM nudge WHERE id = {nudge.id}", database)
    assert status.strip() == "sending"
