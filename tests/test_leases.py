"""Leases: one holder at a time, renewable only by its holder, free again once expired.

These are the rules the sender lease and the per-person locks stand on when
replicas share one database (see bot/db/leases.py).
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

from bot.db import leases
from bot.db.database import Database
from bot.scheduling.leases import PersonLocks, SenderLease

T0 = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
TTL = timedelta(seconds=10)


async def _take(db: Database, token: str, now: datetime) -> bool:
    async with db.core_transaction() as conn:
        return await leases.take(conn, leases.SENDER, f"host:{token}", token, now, TTL)


async def test_one_holder_until_it_expires_or_lets_go(database_url: str) -> None:
    db = Database.from_url(database_url)
    await db.upgrade()
    assert await _take(db, "a", T0)
    assert not await _take(db, "b", T0 + timedelta(seconds=1))  # a holds it
    assert await _take(db, "a", T0 + timedelta(seconds=5))  # a renews: now until 0:15
    assert not await _take(db, "b", T0 + timedelta(seconds=12))
    assert await _take(db, "b", T0 + timedelta(seconds=16))  # a stopped renewing
    assert not await _take(db, "a", T0 + timedelta(seconds=17))
    async with db.core_transaction() as conn:
        await leases.release(conn, leases.SENDER, "a")  # not a's to release
    assert not await _take(db, "a", T0 + timedelta(seconds=17))
    async with db.core_transaction() as conn:
        await leases.release(conn, leases.SENDER, "b")
    assert await _take(db, "a", T0 + timedelta(seconds=17))
    await db.dispose()


async def test_sender_lease_goes_to_one_process_and_passes_on_release(database_url: str) -> None:
    first, second = Database.from_url(database_url), Database.from_url(database_url)
    await first.upgrade()
    one, two = SenderLease(first, TTL), SenderLease(second, TTL)
    changes: list[tuple[str, bool]] = []
    one.on_change(lambda held: changes.append(("one", held)))
    two.on_change(lambda held: changes.append(("two", held)))
    results = await asyncio.gather(one.refresh(), two.refresh())
    assert sorted(results) == [False, True]
    holder, other = (one, two) if one.held() else (two, one)
    assert await holder.refresh()  # renewing keeps it
    assert not await other.refresh()
    await holder.release()
    assert not holder.held()
    assert await other.refresh()
    assert len(changes) == 3 and changes[-1][1] is True
    await first.dispose()
    await second.dispose()


async def test_a_person_is_handled_by_one_process_at_a_time(database_url: str) -> None:
    first, second = Database.from_url(database_url), Database.from_url(database_url)
    await first.upgrade()
    here, there = PersonLocks(first), PersonLocks(second)
    order: list[str] = []

    async def handle(locks: PersonLocks, name: str, user_id: int) -> None:
        async with locks.hold(user_id):
            order.append(f"{name} in")
            await asyncio.sleep(0.2)
            order.append(f"{name} out")

    started = time.monotonic()
    await asyncio.gather(handle(here, "a", 7), handle(there, "b", 7))
    assert order in (["a in", "a out", "b in", "b out"], ["b in", "b out", "a in", "a out"])
    assert time.monotonic() - started >= 0.4
    # Different people do not wait for each other.
    order.clear()
    await asyncio.gather(handle(here, "a", 7), handle(there, "b", 8))
    assert order[:2] in (["a in", "b in"], ["b in", "a in"])
    await first.dispose()
    await second.dispose()
