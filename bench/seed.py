"""Fast seeding of enrolled clients straight into the bot's tables, for benchmarks.

Why not the ORM: inserting 100,000 clients (500,000 rows) through SQLAlchemy takes
minutes; one bulk write per table in one transaction takes seconds. This module
decides *what* the rows are, so both engines get the same clients; each engine's
``SeedWriter`` writes them its fastest way (bench/sqlite_database.py: sqlite3
``executemany``; bench/postgres_database.py: asyncpg's binary COPY). The price is
that a writer must store exactly what the ORM would, so rows are built from Python
values (aware datetimes, booleans, enums) and the writer converts them the way the
bot's column types do (``SeedWriter.stored``). Personal text (``EncryptedText``:
label, first name, display name) is sealed with the database's key ring, which the
bot then gets too (``BenchDatabase.key_ring``, ``BenchDatabase.bot_env``).

The schema itself is created by the bot's own migrations, so seeding never drifts from
it. If a NOT NULL column without a database default appears that this module does not
know, its scalar Python default is taken from the SQLModel metadata; failing that,
seeding stops with a message naming the column (rather than writing rows the bot
would choke on).

``python -m bench.seed --clients 1000 --check [--database postgres]`` seeds a
temporary database and reads clients back through the bot's ORM layer to prove the
formats round-trip.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from datetime import time as wall_time
from typing import TYPE_CHECKING, Any, Protocol, TypedDict
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from bench.database import BenchDatabase

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

Row = tuple[Any, ...]


class SeedError(Exception):
    """Seeding cannot produce rows the bot would read correctly."""


class SeedWriter(Protocol):
    """One engine's bulk writes, all inside the one transaction its caller opened."""

    def stored(self, value: Any) -> Any:
        """A Python value (aware datetime, bool, enum, date) as the bot stores it here."""
        ...

    async def required_columns(self, table: str) -> list[str]:
        """NOT NULL columns that nothing in the database fills (no default, no key)."""
        ...

    async def max_id(self, table: str) -> int: ...

    async def find_id(self, table: str, column: str, value: Any) -> int | None: ...

    async def insert_one(self, table: str, columns: Sequence[str], row: Row) -> int:
        """Insert one row; its new id."""
        ...

    async def insert(self, table: str, columns: Sequence[str], rows: Iterable[Row]) -> None: ...


class SeedOptions(TypedDict, total=False):
    """``seed_into``'s keyword options, for whoever passes them on."""

    first_user_id: int
    zone: str
    therapist_user_id: int


# Seals a person's text as the bot's EncryptedText columns store it (KeyRing.seal).
Seal = Callable[[str], str]


async def _unlisted_required(
    writer: SeedWriter, table: str, supplied: Sequence[str]
) -> tuple[tuple[str, ...], Row]:
    """(names, values) for NOT NULL columns this module doesn't know, from model defaults.

    Keeps the seeder working when a column with a Python-side default is added to a
    model (and its migration) without anyone touching the benchmarks.
    """
    from sqlmodel import SQLModel

    import bot.db.models  # noqa: F401  (registers the tables on SQLModel.metadata)

    model_table = SQLModel.metadata.tables.get(table)
    extra: dict[str, Any] = {}
    for name in await writer.required_columns(table):
        if name in supplied:
            continue
        column = model_table.columns.get(name) if model_table is not None else None
        default = column.default if column is not None else None
        if default is None or not getattr(default, "is_scalar", False):
            raise SeedError(
                f"table {table!r} has a required column {name!r} that bench/seed.py does not fill"
                " and whose model has no scalar default; teach bench/seed.py about it"
            )
        extra[name] = writer.stored(default.arg)  # type: ignore[attr-defined]
    return tuple(extra), tuple(extra.values())


async def _insert(
    writer: SeedWriter, table: str, columns: Sequence[str], rows: Iterator[Row]
) -> None:
    names, values = await _unlisted_required(writer, table, columns)
    if values:
        rows = (row + values for row in rows)
    await writer.insert(table, (*columns, *names), rows)


async def _therapist_id(writer: SeedWriter, user_id: int, now: Any, seal: Seal) -> int:
    found = await writer.find_id("therapist", "telegram_user_id", user_id)
    if found is not None:
        return found
    names, values = await _unlisted_required(writer, "therapist", THERAPIST_COLUMNS)
    row = (user_id, seal("Bench Therapist"), "en", now, *values)
    return await writer.insert_one("therapist", (*THERAPIST_COLUMNS, *names), row)


async def seed_into(
    writer: SeedWriter,
    seal: Seal,
    n: int,
    due_at: datetime,
    *,
    first_user_id: int = 10_000_000,
    zone: str = "UTC",
    therapist_user_id: int = 999,
) -> list[int]:
    """Add ``n`` active clients, each with a daily reminder due at ``due_at``.

    Every client gets telegram_user_id = chat_id = ``first_user_id + i``, a daily routine
    with two exercises, and one active reminder slot (all weekdays) whose ``local_time``
    is ``due_at``'s wall time in ``zone``. Pass a ``due_at`` on a whole minute: the bot
    computes later occurrences from ``local_time`` ("HH:MM"), so seconds would make the
    first occurrence differ from all later ones. Returns the chat ids, in insert order.
    """
    if n < 0:
        raise SeedError("n must be >= 0")
    if due_at.tzinfo is None:
        raise SeedError("instants must be timezone-aware (the bot rejects naive datetimes too)")
    local_time = due_at.astimezone(ZoneInfo(zone)).strftime("%H:%M")
    now, due, yes = (writer.stored(v) for v in (datetime.now(UTC), due_at, True))
    therapist_id = await _therapist_id(writer, therapist_user_id, now, seal)
    client0 = await writer.max_id("client")
    routine0 = await writer.max_id("routine")
    slot0 = await writer.max_id("reminderslot")
    chat_ids = list(range(first_user_id, first_user_id + n))

    clients = (
        (
            *(client0 + i + 1, therapist_id, seal(f"Bench client {i + 1}")),
            *(chat_id, chat_id, seal(f"Client{i + 1}"), "en", zone, "active", yes),
            *(now, now, now),
        )
        for i, chat_id in enumerate(chat_ids)
    )
    await _insert(writer, "client", CLIENT_COLUMNS, clients)
    routines = ((routine0 + i + 1, client0 + i + 1, "daily", None, now, now) for i in range(n))
    await _insert(writer, "routine", ROUTINE_COLUMNS, routines)
    exercises = (
        (routine0 + i + 1, position, name, dose, None)
        for i in range(n)
        for position, (name, dose) in enumerate(EXERCISES, start=1)
    )
    await _insert(writer, "exercise", EXERCISE_COLUMNS, exercises)
    slots = (
        (slot0 + i + 1, client0 + i + 1, local_time, EVERY_DAY, zone, yes, due, now, now)
        for i in range(n)
    )
    await _insert(writer, "reminderslot", SLOT_COLUMNS, slots)
    return chat_ids


NUDGE_COLUMNS = (
    "id",
    "slot_id",
    "client_id",
    "local_date",
    "due_at",
    "status",
    "claimed_at",
    "sent_at",
    "outcome",
    "barrier",
)
REPLY_COLUMNS = ("nudge_id", "client_id", "kind", "source", "at", "feeling")
# A year of answers as a clinic might see them: mostly done, some "some of it", honest
# "not today"s, and days without a reply. Weights per outcome (None: no reply).
OUTCOMES = (("done", 55), ("some", 15), ("not_today", 12), ("no_reply", 18))
FEELINGS = (None, None, "easy", "ok", "ok", "hard", "painful")
BARRIERS = ("busy", "tired", "sore", None)


async def seed_history(
    writer: SeedWriter, n: int, days: int, today: Any, *, seed: int = 7
) -> tuple[list[int], int]:
    """A reply history for the last ``n`` clients seeded (one slot each, as ``seed_into``
    makes them): one occurrence a day for ``days`` local days before ``today``, with the
    final outcome and, for answers, the reply (and sometimes a feeling or a barrier).

    Returns the clients' ids and the number of occurrences written.
    """
    import random

    rng = random.Random(seed)
    last_client = await writer.max_id("client")
    last_slot = await writer.max_id("reminderslot")
    nudge0 = await writer.max_id("nudge")
    client_ids = list(range(last_client - n + 1, last_client + 1))
    kinds = [kind for kind, weight in OUTCOMES for _ in range(weight)]
    nudges: list[Row] = []
    replies: list[Row] = []
    stored = writer.stored
    sent = stored("sent")
    for i, client_id in enumerate(client_ids):
        slot_id = last_slot - n + 1 + i
        for back in range(days, 0, -1):
            day = today - timedelta(days=back)
            due = datetime.combine(day, wall_time(9), UTC)
            outcome = rng.choice(kinds)
            barrier = rng.choice(BARRIERS) if outcome == "not_today" else None
            nudge_id = nudge0 + len(nudges) + 1
            at = stored(due)
            nudges.append(
                (nudge_id, slot_id, client_id, stored(day), at, sent, at, at, outcome, barrier)
            )
            if outcome != "no_reply":
                feeling = rng.choice(FEELINGS) if outcome in ("done", "some") else None
                replies.append((nudge_id, client_id, outcome, "button", at, feeling))
    await _insert(writer, "nudge", NUDGE_COLUMNS, iter(nudges))
    await _insert(writer, "reply", REPLY_COLUMNS, iter(replies))
    # A few who need attention: pain reported lately (1 in 20), gone quiet (1 in 30).
    recently = stored(datetime.combine(today - timedelta(days=2), wall_time(10), UTC))
    concerns = ((c, "painful", "button", recently) for c in client_ids[::20])
    await _insert(writer, "concernreport", ("client_id", "concern", "source", "at"), concerns)
    quiet = ((c, recently) for c in client_ids[5::30])
    await _insert(writer, "quietspell", ("client_id", "started_at"), quiet)
    return client_ids, len(nudges)


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


def _seed_and_check(db: BenchDatabase, args: argparse.Namespace) -> int:
    due = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(
        minutes=args.due_in_minutes
    )
    started = time.perf_counter()
    chat_ids = db.seed(args.clients, due, zone=args.zone)
    elapsed = time.perf_counter() - started
    print(f"seeded {len(chat_ids):,} clients in {elapsed:.2f} s into {db.url}")
    if args.check and chat_ids:
        for chat_id in {chat_ids[0], chat_ids[-1]}:
            asyncio.run(check_seed(db.url, chat_id, due, args.zone))
        print("check: first and last client read back through the ORM correctly")
    return 0


def _main(argv: list[str] | None = None) -> int:
    from bench.database import ENGINES, database_at, open_databases
    from bench.workdir import Workdir

    parser = argparse.ArgumentParser(
        prog="python -m bench.seed", description="Seed clients into the bot's database."
    )
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--database", choices=ENGINES, default="sqlite", help="a fresh one on")
    parser.add_argument("--database-url", help="seed this database instead of a fresh one")
    parser.add_argument("--zone", default="UTC")
    parser.add_argument("--due-in-minutes", type=int, default=24 * 60)
    parser.add_argument("--check", action="store_true", help="read a client back via the ORM")
    args = parser.parse_args(argv)
    if args.database_url:
        return _seed_and_check(database_at(args.database_url), args)
    with Workdir("seed") as workdir, open_databases(args.database, workdir) as databases:
        return _seed_and_check(databases.new("seed"), args)


if __name__ == "__main__":
    sys.exit(_main())
