"""The benchmarks' fast seeder writes what the bot reads, on both engines.

Why: it bypasses the ORM (sqlite3 executemany, asyncpg COPY) for speed, so a change
to a column's type or format (encryption, instants) would otherwise only show up as
a benchmark that quietly measures a bot failing to read its clients.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from bench.database import BenchDatabase, instant
from bench.postgres_database import PostgresDatabase
from bench.seed import check_seed
from bench.sqlite_database import SqliteDatabase
from bot import crypto
from tests.seeding import seed_enrolled

DUE = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ZONE = "Europe/Berlin"


def bench_database(url: str) -> BenchDatabase:
    if url.startswith("sqlite"):
        return SqliteDatabase(url)
    return PostgresDatabase(url, crypto.new_key())


async def test_seeded_clients_read_back_through_the_bot(database_url: str) -> None:
    db = bench_database(database_url)
    # Seeding runs the bot's migrations, which want an event loop of their own.
    first = await asyncio.to_thread(db.seed, 40, DUE, first_user_id=500, zone=ZONE)
    more = await asyncio.to_thread(db.seed, 10, DUE, first_user_id=900, zone=ZONE)
    assert (first, more) == (list(range(500, 540)), list(range(900, 910)))
    for chat_id in (500, 539, 900, 909):
        await check_seed(db.url, chat_id, DUE, ZONE)
    [(slots, due)] = await db.rows("SELECT COUNT(*), MIN(next_due_at) FROM reminderslot")
    assert (slots, instant(due)) == (50, DUE)
    assert await db.size_mb() > 0
    # The bot's own inserts take ids after the seeded ones (PostgreSQL's sequences moved on).
    assert await seed_enrolled(db.url, 2, DUE, first_user_id=2000) == [2000, 2001]
