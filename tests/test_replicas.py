"""Two real bot processes on one PostgreSQL: every nudge once, within the rate, and a
takeover when the sender dies.

Why real processes: the claims, the sender lease and the per-person locks only mean
something between processes that share nothing but the database, and the sender
must be killable with SIGKILL mid-burst, as a crashed host would be.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections import Counter
from contextlib import AsyncExitStack
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.db.database import Database
from bot.db.models import Lease, Nudge
from bot.sandbox.botapi import BotApiStub
from tests.botprocess import free_port
from tests.conftest import TOKEN
from tests.seeding import seed_enrolled

pytestmark = pytest.mark.postgres_only
REPO = Path(__file__).resolve().parent.parent
CLIENTS = 240
RATE = 40.0  # the bots' pace in total; the stub refuses anything above LIMIT
LIMIT = 45.0


async def _start_replica(
    database_url: str, stub: BotApiStub, log: Path, data_key: str
) -> asyncio.subprocess.Process:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))},
        "PYTHONPATH": str(REPO),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": stub.url,
        "DATABASE_URL": database_url,
        "DATA_KEY": data_key,  # the key seed_enrolled sealed the names with
        "WEBHOOK_URL": "https://bot.example.test",
        "WEBHOOK_SECRET": "replica-secret",
        "WEBHOOK_LISTEN": "127.0.0.1",
        "WEBHOOK_PORT": str(free_port()),
        "SEND_RATE_PER_S": str(RATE),
        "SENDER_LEASE_S": "3",
        "NUDGE_LEASE_S": "5",
        "SCHEDULER_SAFETY_INTERVAL_S": "1",
    }
    env.pop("PORT", None)
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=REPO, env=env,
        stdout=log.open("wb"), stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip


async def _lease_holder_pid(db: Database) -> int | None:
    async with db.transaction() as session:
        lease = (await session.exec(select(Lease))).first()  # type: ignore[call-overload]
    if lease is None or lease[0].expires_at < datetime.now(UTC):
        return None
    return int(lease[0].holder.rsplit(":", 1)[1])


async def _until(predicate, within_s: float, logs: Path) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + within_s
    while not await predicate():
        if time.monotonic() > deadline:
            tails = {log.name: log.read_text()[-3000:] for log in sorted(logs.glob("*.log"))}  # noqa: ASYNC240
            raise AssertionError(f"{predicate.__name__} did not happen: {tails}")
        await asyncio.sleep(0.05)


async def test_two_replicas_send_each_nudge_once_and_survive_the_sender_dying(
    database_url: str, tmp_path: Path, data_key: str
) -> None:
    due = datetime.now(UTC).replace(second=0, microsecond=0)
    chats = await seed_enrolled(database_url, CLIENTS, due)
    db = Database.from_url(database_url)
    async with AsyncExitStack() as stack:
        stub = await stack.enter_async_context(
            BotApiStub(TOKEN, global_limit_per_s=LIMIT, per_chat_limit_per_s=1.0)
        )
        stack.push_async_callback(db.dispose)
        for chat in chats:
            stub.user(chat, "Rae")
        replicas = [
            await _start_replica(database_url, stub, tmp_path / f"replica{i}.log", data_key)
            for i in range(2)
        ]
        for replica in replicas:
            stack.callback(lambda r=replica: r.returncode is None and r.kill())

        def delivered() -> Counter[int]:
            return Counter(
                int(str(call.params["chat_id"]))
                for call in stub.calls_to("sendMessage")
                if call.status == 200 and "Bridge" in str(call.params.get("text"))
            )

        async def some_sent() -> bool:
            return sum(delivered().values()) >= CLIENTS // 4

        await _until(some_sent, 60, tmp_path)
        holder = await _lease_holder_pid(db)
        [victim] = [r for r in replicas if r.pid == holder]
        [survivor] = [r for r in replicas if r.pid != holder]
        victim.send_signal(signal.SIGKILL)
        killed_at = time.monotonic()
        await victim.wait()

        async def survivor_holds() -> bool:
            return await _lease_holder_pid(db) == survivor.pid

        await _until(survivor_holds, 20, tmp_path)
        takeover_s = time.monotonic() - killed_at

        async def settled() -> bool:
            async with db.transaction() as session:
                statuses = (await session.exec(select(Nudge.status))).all()  # type: ignore[call-overload]
            return len(statuses) == CLIENTS and all(
                s[0] in ("sent", "unconfirmed") for s in statuses
            )

        await _until(settled, 60, tmp_path)
        counts = delivered()
        survivor.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(survivor.wait(), 15) == 0

    assert takeover_s <= 15
    # One sender at a time: the survivor became the sender only after the kill.
    taken = [(tmp_path / f"replica{i}.log").read_text().count("sender lease taken") for i in (0, 1)]
    assert taken == [1, 1], taken
    assert [chat for chat, n in counts.items() if n > 1] == []  # never twice
    missing = set(chats) - set(counts)
    # The documented residual: a nudge whose 'sending' mark was committed by the killed
    # process just before its request left is recorded as unconfirmed, never resent.
    assert len(missing) <= 1, missing
    assert stub.stats["rate_limited"] == 0
