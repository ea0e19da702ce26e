"""Fast seeding of enrolled clients straight into SQLite, for benchmarks.

Why not the ORM: inserting 100,000 clients (500,000 rows) through SQLAlchemy takes
minutes; plain ``sqlite3.executemany`` in one transaction takes seconds. The price is
that this module must write exactly what the ORM would write, so the formats below
were taken from rows the ORM wrote for these models:

* ``UTCDateTime`` columns: naive UTC text ``'YYYY-MM-DD HH:MM:SS.ffffff'`` (always
  with microseconds, ``.000000`` included);
* booleans: ``0``/``1``; dates: ``'YYYY-MM-DD'``; enums: their string value;
* personal text (``EncryptedText``: label, first name, display name): sealed with
  the key file beside the database, which the bot (run without DATA_KEY) uses too.

The schema itself is created by the bot's own migrations, so seeding never drifts from
it. If a NOT NULL column without a database default appears that this module does not
know, its scalar Python default is taken from the SQLModel metadata; failing that,
seeding stops with a message naming the column (rather than writing rows the bot
would choke on).

``python -m bench.seed --clients 1000 --check`` seeds a temporary database and reads
a client back through the bot's ORM layer to prove the formats round-trip.
"""

from __future__ import annotations

import argparse
import asyncio
import enum
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from datetime import time as wall_time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import make_url

_DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"
EVERY_DAY = 127
EXERCISES: tuple[tuple[str, str], ...] = (("Glute bridges", "3 x 10"), ("Calf raises", "2 x 15"))

CLIENT_COLUMNS = (
    "id",
    "therapist_id",
    "label",
    "telegram_user_id",
    "chat_id",
    "first_name",
    "language",
    "timezone",
    "status",
    "reachable",
    "created_at",
    "consented_at",
    "joined_at",
)
ROUTINE_COLUMNS = ("id", "client_id", "frequency", "times_per_week", "created_at", "updated_at")
EXERCISE_COLUMNS = ("routine_id", "position", "name", "dose", "notes")
SLOT_COLUMNS = (
    "id",
    "client_id",
    "local_time",
    "weekdays",
    "timezone",
    "active",
    "next_due_at",
    "created_at",
    "updated_at",
)
THERAPIST_COLUMNS = ("telegram_user_id", "display_name", "language", "created_at")


class SeedError(Exception):
    """Seeding cannot produce rows the bot would read correctly."""


def sqlite_instant(value: datetime) -> str:
    """An aware datetime as the ORM's UTCDateTime stores it in SQLite."""
    if value.tzinfo is None:
        raise SeedError("instants must be timezone-aware (the bot rejects naive datetimes too)")
    return value.astimezone(UTC).replace(tzinfo=None).strftime(_DATETIME_FORMAT)


def sqlite_path(database_url: str) -> Path:
    """The file behind an ``sqlite+aiosqlite:///path`` URL (only SQLite files are supported)."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        raise SeedError(f"only SQLite URLs can be seeded, got backend {url.get_backend_name()!r}")
    if url.database in (None, "", ":memory:"):
        raise SeedError("an in-memory SQLite database cannot be seeded for another process")
    return Path(url.database).expanduser()


def _to_sqlite(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, datetime):
        return sqlite_instant(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _unlisted_required(
    con: sqlite3.Connection, table: str, supplied: Sequence[str]
) -> dict[str, Any]:
    """Values for NOT NULL columns this module doesn't know, from the models' scalar defaults.

    Keeps the seeder working when a column with a Python-side default is added to a
    model (and its migration) without anyone touching the benchmarks.
    """
    from sqlmodel import SQLModel

    import bot.db.models  # noqa: F401  (registers the tables on SQLModel.metadata)

    model_table = SQLModel.metadata.tables.get(table)
    extra: dict[str, Any] = {}
    for _cid, name, _type, notnull, default_sql, pk in con.execute(f"PRAGMA table_info({table})"):
        if name in supplied or pk or not notnull or default_sql is not None:
            continue
        column = model_table.columns.get(name) if model_table is not None else None
        default = column.default if column is not None else None
        if default is None or not getattr(default, "is_scalar", False):
            raise SeedError(
                f"table {table!r} has a required column {name!r} that bench/seed.py does not fill"
                " and whose model has no scalar default; teach bench/seed.py about it"
            )
        extra[name] = _to_sqlite(default.arg)  # type: ignore[attr-defined]
    return extra


def _insert_sql(table: str, columns: Sequence[str]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


Row = tuple[Any, ...]


def _with_extra(rows: Iterator[Row], extra: Row) -> Iterator[Row]:
    if not extra:
        return rows
    return (row + extra for row in rows)


def _max_id(con: sqlite3.Connection, table: str) -> int:
    return int(con.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}").fetchone()[0])


def _therapist_id(con: sqlite3.Connection, user_id: int, now: str, sealed_name: str) -> int:
    found = con.execute(
        "SELECT id FROM therapist WHERE telegram_user_id = ?", (user_id,)
    ).fetchone()
    if found is not None:
        return int(found[0])
    extra = _unlisted_required(con, "therapist", THERAPIST_COLUMNS)
    columns = THERAPIST_COLUMNS + tuple(extra)
    cursor = con.execute(
        _insert_sql("therapist", columns),
        (user_id, sealed_name, "en", now, *extra.values()),
    )
    assert cursor.lastrowid is not None
    return int(cursor.lastrowid)


def seed_clients(
    database_url: str,
    n: int,
    due_at: datetime,
    *,
    first_user_id: int = 10_000_000,
    zone: str = "UTC",
    therapist_user_id: int = 999,
) -> list[int]:
    """Create the schema, then ``n`` active clients each with a daily reminder due at ``due_at``.

    Every client gets telegram_user_id = chat_id = ``first_user_id + i``, a daily routine
    with two exercises, and one active reminder slot (all weekdays) whose ``local_time``
    is ``due_at``'s wall time in ``zone``. Pass a ``due_at`` on a whole minute: the bot
    computes later occurrences from ``local_time`` ("HH:MM"), so seconds would make the
    first occurrence differ from all later ones. Returns the chat ids, in insert order.
    """
    if n < 0:
        raise SeedError("n must be >= 0")
    tz = ZoneInfo(zone)
    due_text = sqlite_instant(due_at)
    local_time = due_at.astimezone(tz).strftime("%H:%M")
    path = sqlite_path(database_url)

    from bot import crypto, keys
    from bot.db.engine import upgrade_database_blocking

    ring = keys.ring_for(database_url, ())
    crypto.configure(ring)
    seal = ring.seal
    upgrade_database_blocking(database_url)

    now = sqlite_instant(datetime.now(UTC))
    con = sqlite3.connect(path, isolation_level=None)
    try:
        # Bulk-load settings for this connection only; the bot's own connections set theirs.
        con.execute("PRAGMA synchronous=OFF")
        con.execute("PRAGMA temp_store=MEMORY")
        con.execute("PRAGMA cache_size=-131072")  # 128 MiB page cache keeps index inserts fast
        con.execute("BEGIN IMMEDIATE")
        try:
            therapist_id = _therapist_id(con, therapist_user_id, now, seal("Bench Therapist"))
            client0 = _max_id(con, "client")
            routine0 = _max_id(con, "routine")
            slot0 = _max_id(con, "reminderslot")
            chat_ids = list(range(first_user_id, first_user_id + n))

            extra = _unlisted_required(con, "client", CLIENT_COLUMNS)
            con.executemany(
                _insert_sql("client", CLIENT_COLUMNS + tuple(extra)),
                _with_extra(
                    (
                        (
                            client0 + i + 1,
                            therapist_id,
                            seal(f"Bench client {i + 1}"),
                            chat_id,
                            chat_id,
                            seal(f"Client{i + 1}"),
                            "en",
                            zone,
                            "active",
                            1,
                            now,
                            now,
                            now,
                        )
                        for i, chat_id in enumerate(chat_ids)
                    ),
                    tuple(extra.values()),
                ),
            )
            extra = _unlisted_required(con, "routine", ROUTINE_COLUMNS)
            con.executemany(
                _insert_sql("routine", ROUTINE_COLUMNS + tuple(extra)),
                _with_extra(
                    (
                        (routine0 + i + 1, client0 + i + 1, "daily", None, now, now)
                        for i in range(n)
                    ),
                    tuple(extra.values()),
                ),
            )
            extra = _unlisted_required(con, "exercise", EXERCISE_COLUMNS)
            con.executemany(
                _insert_sql("exercise", EXERCISE_COLUMNS + tuple(extra)),
                _with_extra(
                    (
                        (routine0 + i + 1, position, name, dose, None)
                        for i in range(n)
                        for position, (name, dose) in enumerate(EXERCISES, start=1)
                    ),
                    tuple(extra.values()),
                ),
            )
            extra = _unlisted_required(con, "reminderslot", SLOT_COLUMNS)
            con.executemany(
                _insert_sql("reminderslot", SLOT_COLUMNS + tuple(extra)),
                _with_extra(
                    (
                        (
                            slot0 + i + 1,
                            client0 + i + 1,
                            local_time,
                            EVERY_DAY,
                            zone,
                            1,
                            due_text,
                            now,
                            now,
                        )
                        for i in range(n)
                    ),
                    tuple(extra.values()),
                ),
            )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        # Fresh statistics let SQLite's planner pick the indexes the bot expects.
        con.execute("ANALYZE")
    finally:
        con.close()
    return chat_ids


async def check_seed(database_url: str, chat_id: int, due_at: datetime, zone: str = "UTC") -> None:
    """Read one seeded client back through the bot's ORM layer; raise if anything is off."""
    from sqlmodel import select

    from bot.db.clients import clients_of_user, routine_for
    from bot.db.database import Database
    from bot.db.models import ReminderSlot
    from bot.domain.schedule import next_due

    db = Database.from_url(database_url)
    try:
        async with db.transaction() as session:
            clients = await clients_of_user(session, chat_id)
            if len(clients) != 1:
                raise SeedError(f"expected 1 client for user {chat_id}, found {len(clients)}")
            client = clients[0]
            assert client.id is not None
            routine, exercises = await routine_for(session, client.id)
            slots = list(
                await session.exec(select(ReminderSlot).where(ReminderSlot.client_id == client.id))
            )
        problems: list[str] = []
        if client.chat_id != chat_id or client.status != "active" or client.reachable is not True:
            problems.append(f"client fields: {client!r}")
        if not (
            client.label.startswith("Bench client") and (client.first_name or "")[:6] == "Client"
        ):
            problems.append("sealed label or first name does not open to what was seeded")
        if client.joined_at is None or client.joined_at.tzinfo is None:
            problems.append(f"joined_at not an aware instant: {client.joined_at!r}")
        if routine.frequency != "daily" or [e.position for e in exercises] != [1, 2]:
            problems.append(f"routine/exercises: {routine!r} {exercises!r}")
        if len(slots) != 1:
            problems.append(f"expected 1 reminder slot, found {len(slots)}")
        else:
            slot = slots[0]
            if slot.active is not True or slot.weekdays != EVERY_DAY or slot.timezone != zone:
                problems.append(f"slot fields: {slot!r}")
            if slot.next_due_at != due_at:
                problems.append(f"next_due_at {slot.next_due_at!r} != {due_at!r}")
            # The bot derives every later occurrence from local_time; it must agree.
            hour, minute = map(int, slot.local_time.split(":"))
            before = due_at - timedelta(minutes=1)
            expected = next_due(wall_time(hour, minute), EVERY_DAY, ZoneInfo(zone), before)
            if expected != due_at:
                problems.append(f"{slot.local_time} in {zone} gives {expected}, not {due_at}")
        if problems:
            raise SeedError("seeded rows do not read back correctly: " + "; ".join(problems))
    finally:
        await db.dispose()


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.seed", description="Seed clients into an SQLite database."
    )
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--database-url", help="default: a fresh file in a temporary folder")
    parser.add_argument("--zone", default="UTC")
    parser.add_argument("--due-in-minutes", type=int, default=24 * 60)
    parser.add_argument("--check", action="store_true", help="read a client back via the ORM")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-seed-") as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'seed.db'}"
        due = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(
            minutes=args.due_in_minutes
        )
        started = time.perf_counter()
        chat_ids = seed_clients(url, args.clients, due, zone=args.zone)
        elapsed = time.perf_counter() - started
        print(f"seeded {len(chat_ids):,} clients in {elapsed:.2f} s into {url}")
        if args.check and chat_ids:
            for chat_id in {chat_ids[0], chat_ids[-1]}:
                asyncio.run(check_seed(url, chat_id, due, args.zone))
            print("check: first and last client read back through the ORM correctly")
    return 0


if __name__ == "__main__":
    sys.exit(_main())
