"""/deletemydata: after a yes, nothing in any table mentions the client any more.

The inspection reads every table the models declare (tables added by other
features included) and looks for the client's Telegram id anywhere, and for the
ids of their client, routine, slot and nudge rows in every column that refers to
those tables.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import SQLModel

from bot.app import BotRuntime
from bot.clock import ManualClock
from bot.db.models import Client, Nudge, ReminderSlot, Reply, Routine
from bot.sandbox.botapi import BotApiStub, buttons
from tests.conftest import THERAPIST_ID, rows, variants
from tests.journeys import create_client, enrol, enrol_daily_at_nine_utc

RAE = 777_001
BEN = 777_002
LABEL = "Rae Quokka (left knee)"


async def _their_ids(runtime: BotRuntime, user_id: int) -> dict[str, set[Any]]:
    """Primary keys, per table, of the rows that are about this person."""
    ids: dict[str, set[Any]] = defaultdict(set)
    ids["client"] = {c.id for c in await rows(runtime, Client) if c.telegram_user_id == user_id}
    ids["routine"] = {r.id for r in await rows(runtime, Routine) if r.client_id in ids["client"]}
    for model, table in ((ReminderSlot, "reminderslot"), (Nudge, "nudge"), (Reply, "reply")):
        ids[table] = {r.id for r in await rows(runtime, model) if r.client_id in ids["client"]}
    return ids


async def mentions(runtime: BotRuntime, user_id: int, ids: dict[str, set[Any]]) -> list[str]:
    """Every place in the database that still points at the person."""
    found: list[str] = []
    async with runtime.db.core_transaction() as conn:
        for table in SQLModel.metadata.sorted_tables:
            for row in (await conn.execute(select(table))).mappings():
                for column in table.c:
                    value = row[column.name]
                    refers_to = {fk.column.table.name for fk in column.foreign_keys}
                    if column.primary_key:
                        refers_to.add(table.name)
                    if value == user_id or (isinstance(value, str) and str(user_id) in value):
                        found.append(f"{table.name}.{column.name} = their Telegram id")
                    elif isinstance(value, str) and LABEL in value:
                        found.append(f"{table.name}.{column.name} = their label")
                    elif any(value in ids[name] for name in refers_to):
                        found.append(f"{table.name}.{column.name} = {value}")
    return found


async def _settled_mentions(
    runtime: BotRuntime, user_id: int, ids: dict[str, set[Any]], expected: list[str]
) -> list[str]:
    """What mentions the person once their last update is done: on PostgreSQL a
    person's lock row lives while one of their updates is handled, a moment after
    the bot's answer has gone out."""
    found = await mentions(runtime, user_id, ids)
    for _ in range(50):
        if found == expected:
            break
        await asyncio.sleep(0.1)
        found = await mentions(runtime, user_id, ids)
    return found


async def test_erasure_deletes_every_row_about_the_client_and_nothing_else(
    stub: BotApiStub, runtime: BotRuntime, clock: ManualClock
) -> None:
    therapist = stub.user(THERAPIST_ID, "Dana")
    rae, ben = stub.user(RAE, "Rae"), stub.user(BEN, "Ben")
    token = await create_client(therapist, LABEL, [("Bridge", "3 x 10"), ("Clam", "2 x 15")])
    await enrol(rae, token, place="UTC", when="9am", therapist_name="Dana")
    await enrol_daily_at_nine_utc(therapist, ben)

    # Monday: Rae's answer, a painful feeling; Tuesday: "later" with a re-nudge pending.
    clock.set(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    monday = await rae.wait_for("Bridge: 3 x 10")
    await rae.press(monday, "Done")
    feeling = await rae.wait_for("How did it feel?", after=monday.message_id)
    await rae.press(feeling, "Painful")
    await therapist.wait_for(f"{LABEL} reported pain")
    ben_monday = await ben.wait_for("Bridge: 3 x 10")
    await ben.press(ben_monday, "Some of it")
    await ben.wait_for(variants("reply.some"), after=ben_monday.message_id)
    clock.set(datetime(2026, 11, 24, 9, 0, tzinfo=UTC))
    tuesday = await rae.wait_for(lambda m: "Bridge" in m.body and m.message_id > feeling.message_id)
    await rae.press(tuesday, "Later")
    offer = await rae.wait_for(variants("reply.later"), after=tuesday.message_id)
    await rae.press(offer, "In an hour")
    await rae.wait_for("10:00 am", after=offer.message_id)
    # Rae's own choice of language is about Rae too.
    sent = await rae.send("/language")
    choice = await rae.wait_for("Which language", after=sent.message_id)
    await rae.press(choice, "✓ English")
    await rae.wait_for_edit(choice, "English from now on")

    ids = await _their_ids(runtime, RAE)
    before = await mentions(runtime, RAE, ids)
    for _ in range(50):  # the /language update's person lock, if it is still held
        if not any(place.startswith("lease.") for place in before):
            break
        await asyncio.sleep(0.1)
        before = await mentions(runtime, RAE, ids)
    tables = ("client", "invite", "routine", "exercise", "reminderslot", "nudge", "reply")
    for table in (*tables, "person_setting"):
        assert any(place.startswith(f"{table}.") for place in before), (table, before)

    sent = await rae.send("/deletemydata")
    question = await rae.wait_for("erases everything I hold about you", after=sent.message_id)
    assert buttons(question) == ["No, keep it", "Yes, erase everything"]
    assert "/export" in question.body
    await rae.press(question, "No, keep it")
    await rae.wait_for("nothing was erased", after=question.message_id)
    assert await _settled_mentions(runtime, RAE, ids, before) == before
    # Ben forging Rae's "yes" (callback data names no one) erases nothing of anyone's.
    query = await ben.press_data(ben_monday, "x:y")
    assert "expired" in ((await ben.wait_for_answer(query)).text or "")

    sent = await rae.send("/deletemydata")
    question = await rae.wait_for("erases everything I hold about you", after=sent.message_id)
    assert any(place.startswith("dialog.") for place in await mentions(runtime, RAE, ids))
    await rae.press(question, "Yes, erase everything")
    done = await rae.wait_for(variants("erase.done"), after=question.message_id)
    assert "Dana" in done.body
    await therapist.wait_for(f"{LABEL} erased their data and left")
    assert await _settled_mentions(runtime, RAE, ids, []) == []
    # Ben is untouched: his client, routine, slot, nudge and answer.
    assert [c.telegram_user_id for c in await rows(runtime, Client)] == [BEN]
    assert [(r.kind, r.client_id) for r in await rows(runtime, Reply)] == [
        ("some", (await _their_ids(runtime, BEN))["client"].pop())
    ]

    # Rae is a stranger now: old buttons, commands and the clock find nothing of hers.
    done_data = (tuesday.reply_markup or {})["inline_keyboard"][0][0]["callback_data"]
    query = await rae.press_data(tuesday, done_data)
    assert "expired" in ((await rae.wait_for_answer(query)).text or "")
    for command, answer in (
        ("/start", "open the invite link your therapist gave you"),
        ("/export", "I don't hold any records about you"),
        ("/pause", "no nudges to pause"),
        ("/deletemydata", "nothing to erase"),
    ):
        sent = await rae.send(command)
        await rae.wait_for(answer, after=sent.message_id)
    clock.set(datetime(2026, 11, 24, 10, 0, tzinfo=UTC))  # the re-nudge she had asked for
    await runtime.engine.idle()
    ben_last = ben.messages[-1].message_id
    clock.set(datetime(2026, 11, 25, 9, 0, tzinfo=UTC))
    await ben.wait_for("Bridge: 3 x 10", after=ben_last)
    assert [m for m in await rae.wait_quiet(0.3) if "Bridge" in m.body] == []
    assert await _settled_mentions(runtime, RAE, ids, []) == []
