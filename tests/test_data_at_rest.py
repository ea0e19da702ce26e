"""Personal free text is sealed at rest, yet the bot shows it to the right people."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text
from sqlmodel import select

from bot import crypto
from bot.app import BotRuntime
from bot.clock import ManualClock
from bot.db.database import Database
from bot.db.models import Client, Exercise, Therapist
from bot.sandbox.botapi import BotApiStub
from bot.settings import Settings, parse_data_keys
from tests.conftest import THERAPIST_ID, RuntimeFactory, rows
from tests.journeys import create_client, enrol
from tests.rawdb import raw_database_bytes, stored_strings, upgrade_to

LABEL = "Quillon Vexmarsh (left knee)"
THERAPIST_FIRST, THERAPIST_LAST = "Ottoline", "Brackenridge"
CLIENT_NAME = "Zephyrine"
NOTES = "Jarvisblunt: stop if the kneecap clicks"


async def test_names_labels_and_notes_are_not_in_the_database_bytes(
    stub: BotApiStub, runtime: BotRuntime, settings: Settings, clock: ManualClock
) -> None:
    therapist = stub.user(THERAPIST_ID, THERAPIST_FIRST, last_name=THERAPIST_LAST)
    client = stub.user(4242, CLIENT_NAME)
    token = await create_client(therapist, LABEL, [("Glute bridge", "3 x 10")])
    # No flow writes notes yet; the store does, so write them the way it would.
    async with runtime.db.transaction() as session:
        exercise = (await session.exec(select(Exercise))).one()
        exercise.notes = NOTES
        session.add(exercise)
    await enrol(
        client,
        token,
        place="UTC",
        when="9am",
        therapist_name=f"{THERAPIST_FIRST} {THERAPIST_LAST}",
    )
    await therapist.wait_for(f"{LABEL} joined")
    clock.set(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    nudge = await client.wait_for("Glute bridge: 3 x 10")
    assert CLIENT_NAME in (nudge.text or "")

    assert [c.label for c in await rows(runtime, Client)] == [LABEL]
    assert [c.first_name for c in await rows(runtime, Client)] == [CLIENT_NAME]
    assert [t.display_name for t in await rows(runtime, Therapist)] == [
        f"{THERAPIST_FIRST} {THERAPIST_LAST}"
    ]
    assert [e.notes for e in await rows(runtime, Exercise)] == [NOTES]

    raw = raw_database_bytes(settings.database_url)
    assert b"Glute bridge" in raw  # the reader sees the rows (exercise names are generic)
    assert b"v1:" in raw  # and the sealed values
    for secret in (LABEL, "Vexmarsh", THERAPIST_FIRST, THERAPIST_LAST, CLIENT_NAME, "Jarvisblunt"):
        assert secret.encode() not in raw, secret
        assert secret.encode("utf-16-le") not in raw, secret


async def test_migration_seals_rows_written_before_encryption(database_url: str) -> None:
    db = Database.from_url(database_url)

    async with db.engine.begin() as connection:
        await connection.run_sync(upgrade_to, "0002")
        await connection.execute(
            text(
                "INSERT INTO therapist (id, telegram_user_id, display_name, language, created_at)"
                " VALUES (1, 7, 'Dana Physio', 'en', '2026-11-23 06:00:00')"
            )
        )
        await connection.execute(
            text(
                "INSERT INTO client (id, therapist_id, label, first_name, language, status,"
                " reachable, created_at) VALUES (1, 1, 'Anna K. (knee)', NULL, 'en', 'invited',"
                " TRUE, '2026-11-23 06:00:00')"
            )
        )
    await db.upgrade()
    (label,) = await stored_strings(db, "client", "label")
    (canary,) = await stored_strings(db, "keycheck", "canary")
    assert crypto.is_sealed(label or "") and crypto.is_sealed(canary or "")
    assert await stored_strings(db, "client", "first_name") == [None]
    async with db.transaction() as session:
        assert (await session.exec(select(Client.label))).one() == "Anna K. (knee)"
        assert (await session.exec(select(Therapist.display_name))).one() == "Dana Physio"
    await db.dispose()


async def test_a_rotated_key_ring_still_shows_what_the_old_key_sealed(
    stub: BotApiStub, start_bot: RuntimeFactory, settings: Settings, tmp_path: Path
) -> None:
    first = await start_bot()  # SQLite: the key file beside the database
    therapist = stub.user(THERAPIST_ID, THERAPIST_FIRST, last_name=THERAPIST_LAST)
    token = await create_client(therapist, LABEL, [("Glute bridge", "3 x 10")])
    await first.stop()
    old = settings.data_keys or parse_data_keys((tmp_path / "bot.key").read_text().strip())
    new = os.urandom(32)

    second = await start_bot(data_keys=(new, *old))
    client = stub.user(4242, CLIENT_NAME)
    await enrol(client, token, place="UTC", when="9am", therapist_name=THERAPIST_LAST)
    await therapist.wait_for(f"{LABEL} joined")
    (stored,) = await rows(second, Client)
    assert (stored.label, stored.first_name) == (LABEL, CLIENT_NAME)
    (label,) = await stored_strings(second.db, "client", "label")
    (first_name,) = await stored_strings(second.db, "client", "first_name")
    assert crypto.sealed_key_id(label or "") == crypto.key_id(old[0])
    assert crypto.sealed_key_id(first_name or "") == crypto.key_id(new)
