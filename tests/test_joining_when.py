"""Joining, from the yes to the confirmation: zone, time, days, twice a day, and pausing.

Driven as a new client would: through the real bot and the Bot API stub, on both
databases. The location button's coordinates must leave no trace in the
database or the logs.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlmodel import SQLModel
from sqlmodel import select as select_models

from bot.app import BotRuntime
from bot.clock import ManualClock
from bot.db.models import Client, Dialog, Invite, Nudge, ReminderSlot
from bot.domain.types import ClientStatus, Frequency
from bot.logging_setup import configure_logging
from bot.sandbox.botapi import BotApiStub, FakeUser, StoredMessage, buttons
from tests.conftest import THERAPIST_ID, TOKEN, rows
from tests.journeys import create_client, create_client_in_store

BERLIN_LAT, BERLIN_LON = 52.520008, 13.404954


async def _agree(client: FakeUser, token: str) -> StoredMessage:
    """Open the invite and say yes; returns the time-zone question."""
    sent = await client.send(f"/start {token}")
    consent = await client.wait_for("here is what I keep", after=sent.message_id)
    await client.press(consent, "Yes, that's fine")
    return await client.wait_for("Which time zone", after=consent.message_id)


async def _to_time_question(client: FakeUser, token: str, place: str = "UTC") -> StoredMessage:
    await _agree(client, token)
    sent = await client.send(place)
    return await client.wait_for("When would a nudge suit you", after=sent.message_id)


async def _every_row_as_text(runtime: BotRuntime) -> str:
    """All tables as stored (sealed columns as ciphertext) plus the dialogs opened."""
    async with runtime.db.transaction() as session:
        conn = await session.connection()
        stored = [
            str(row)
            for table in SQLModel.metadata.sorted_tables
            for row in (await conn.execute(select(table))).all()
        ]
        dialogs = [f"{d.flow} {d.step} {d.data}" for d in await session.exec(select_models(Dialog))]
    return "\n".join(stored + dialogs)


@pytest.fixture
def debug_log() -> Iterator[io.StringIO]:
    """The bot's own log set-up at DEBUG, where python-telegram-bot logs whole updates."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    stream = io.StringIO()
    configure_logging("DEBUG", TOKEN, stream)
    yield stream
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])


async def test_a_shared_location_sets_the_zone_and_is_forgotten(
    stub: BotApiStub, runtime: BotRuntime, debug_log: io.StringIO
) -> None:
    therapist = stub.user(THERAPIST_ID, "Dana")
    token = await create_client(therapist, "Lena", [("Bridge", "3 x 10")])
    lena = stub.user(5101, "Lena")
    question = await _agree(lena, token)
    keyboard = lena.reply_keyboard
    assert keyboard is not None
    assert keyboard["keyboard"][0][0] == {"text": "📍 Share my location", "request_location": True}
    assert "London" in buttons(question)

    sent = await lena.send_location(BERLIN_LAT, BERLIN_LON)
    got = await lena.wait_for("Got it: Europe/Berlin", after=sent.message_id)
    assert "It's 7:00 am there now." in (got.text or "")  # 06:00 UTC
    assert lena.reply_keyboard is None
    await lena.wait_for("When would a nudge suit you", after=got.message_id)

    stored = await _every_row_as_text(runtime)
    assert "Europe/Berlin" in stored  # the zone is kept...
    assert "52.52" not in stored and "13.40" not in stored  # ...the coordinates are not
    logged = debug_log.getvalue()
    assert "getUpdates" in logged  # python-telegram-bot's DEBUG lines were captured...
    assert "52.52" not in logged and "13.40" not in logged  # ...without where it was

    sent = await lena.send("7pm")
    confirmation = await lena.wait_for("All set", after=sent.message_id)
    assert "every day at 7:00 pm (Europe/Berlin time), starting today" in (confirmation.text or "")


async def test_a_spot_at_sea_asks_for_a_city_and_a_place_button_answers(
    stub: BotApiStub, runtime: BotRuntime
) -> None:
    token = await create_client(stub.user(THERAPIST_ID, "Dana"), "Ola", [("Plank", "3 x 20 s")])
    ola = stub.user(5102, "Ola")
    await _agree(ola, token)
    sent = await ola.send_location(0.0, -30.0)  # the middle of the Atlantic
    await ola.wait_for("couldn't tell a time zone", after=sent.message_id)
    assert ola.reply_keyboard is not None  # still offered
    sent = await ola.send("London")  # what tapping the reply-keyboard button sends
    await ola.wait_for("Got it: Europe/London", after=sent.message_id)
    assert ola.reply_keyboard is None


async def test_a_location_outside_the_zone_question_changes_nothing(
    stub: BotApiStub, runtime: BotRuntime
) -> None:
    sam = stub.user(5103, "Sam")
    sent = await sam.send_location(BERLIN_LAT, BERLIN_LON)
    await sam.wait_for("I can only read text", after=sent.message_id)
    assert await rows(runtime, Client) == []


async def test_half_past_seven_asks_which_half_of_the_day(
    stub: BotApiStub, runtime: BotRuntime
) -> None:
    token = await create_client(stub.user(THERAPIST_ID, "Dana"), "Mo", [("Row", "2 x 15")])
    mo = stub.user(5104, "Mo")
    await _to_time_question(mo, token)
    sent = await mo.send("half past seven")
    question = await mo.wait_for("Is that 7:30 am or 7:30 pm?", after=sent.message_id)
    assert buttons(question) == ["7:30 am", "7:30 pm"]
    await mo.press(question, "7:30 pm")
    confirmation = await mo.wait_for("All set", after=question.message_id)
    assert "every day at 7:30 pm (UTC time)" in (confirmation.text or "")


async def test_after_lunch_is_proposed_and_another_time_is_picked_in_place(
    stub: BotApiStub, runtime: BotRuntime
) -> None:
    token = await create_client(stub.user(THERAPIST_ID, "Dana"), "Ida", [("Row", "2 x 15")])
    ida = stub.user(5105, "Ida")
    ask = await _to_time_question(ida, token)
    assert buttons(ask) == ["Morning (8:00 am)", "Midday (12:00 pm)", "Evening (7:00 pm)"]
    sent = await ida.send("after lunch")
    proposal = await ida.wait_for("1:30 pm", after=sent.message_id)
    assert buttons(proposal) == ["Yes, 1:30 pm", "Pick another time"]
    await ida.press(proposal, "Pick another time")
    nearby = await ida.wait_for_edit(proposal, "Pick a time near it")
    assert buttons(nearby)[:4] == ["11:30 am", "12:00 pm", "12:30 pm", "1:00 pm"]
    assert "1:30 pm" not in buttons(nearby)
    await ida.press(nearby, "2:00 pm")
    confirmation = await ida.wait_for("All set", after=proposal.message_id)
    assert "every day at 2:00 pm (UTC time)" in (confirmation.text or "")


async def test_days_that_differ_from_the_routine_get_a_gentle_question(
    stub: BotApiStub, runtime: BotRuntime
) -> None:
    therapist = stub.user(THERAPIST_ID, "Dana")
    token = await create_client(therapist, "Tom", [("Squat", "3 x 8")], times_per_week=3)
    tom = stub.user(5106, "Tom")
    ask = await _to_time_question(tom, token, place="Berlin")
    await tom.press(ask, "Evening")
    picker = await tom.wait_for("Which days suit you", after=ask.message_id)

    async def tap(day: str) -> None:
        await tom.press(picker, day)
        await tom.wait_for_edit(picker, lambda m: f"✓ {day}" in str(m.reply_markup))

    await tap("Mon")
    await tap("Wed")
    await tom.press(picker, "That's it")
    question = await tom.wait_for_edit(picker, "You picked Mon and Wed")
    assert "3 times a week" in (question.text or "")
    assert buttons(question) == ["Keep these days", "Change them"]
    await tom.press(question, "Change them")
    await tom.wait_for_edit(picker, lambda m: "✓ Mon" in str(m.reply_markup))
    await tap("Fri")
    await tap("Sat")
    await tom.press(picker, "That's it")
    await tom.wait_for_edit(picker, "You picked Mon, Wed, Fri and Sat")
    await tom.press(picker, "Keep these days")
    confirmation = await tom.wait_for("All set", after=picker.message_id)
    assert "on Mon, Wed, Fri and Sat at 7:00 pm (Europe/Berlin time)" in (confirmation.text or "")
    await therapist.wait_for("Tom joined. Nudges: Mon, Wed, Fri and Sat at 7:00 pm")


async def test_twice_a_day_two_times_and_two_nudges_a_day(
    stub: BotApiStub, runtime: BotRuntime, clock: ManualClock
) -> None:
    therapist = stub.user(THERAPIST_ID, "Dana")
    token = await create_client_in_store(
        runtime, therapist, "Pia", [("Neck turns", "5 each side")], Frequency.TWICE_DAILY
    )
    pia = stub.user(5107, "Pia")
    await _agree(pia, token)
    sent = await pia.send("UTC")
    offer = await pia.wait_for("twice a day. How about 8:00 am and 7:00 pm?", after=sent.message_id)
    await pia.press(offer, "Yes, that suits me")
    confirmation = await pia.wait_for("All set", after=offer.message_id)
    assert (
        "twice a day, at 8:00 am and 7:00 pm (UTC time). The first one comes today at 8:00 am."
        in (confirmation.text or "")
    )
    await therapist.wait_for("Pia joined. Nudges: every day at 8:00 am and 7:00 pm (UTC)")

    clock.set(datetime(2026, 11, 23, 8, 0, tzinfo=UTC))
    morning = await pia.wait_for("Neck turns: 5 each side")
    clock.set(datetime(2026, 11, 23, 19, 0, tzinfo=UTC))
    await pia.wait_for(
        lambda m: "Neck turns" in (m.text or "") and m.message_id > morning.message_id
    )
    nudges = await rows(runtime, Nudge)
    assert len(nudges) == 2
    assert len({n.slot_id for n in nudges}) == 2
    assert {n.local_date for n in nudges} == {datetime(2026, 11, 23).date()}
    assert len([s for s in await rows(runtime, ReminderSlot) if s.active]) == 2


async def test_twice_a_day_own_times_must_differ(stub: BotApiStub, runtime: BotRuntime) -> None:
    token = await create_client_in_store(
        runtime, stub.user(THERAPIST_ID, "Dana"), "Uma", [("Wrist", "10")], Frequency.TWICE_DAILY
    )
    uma = stub.user(5108, "Uma")
    await _agree(uma, token)
    sent = await uma.send("UTC")
    offer = await uma.wait_for("How about 8:00 am and 7:00 pm?", after=sent.message_id)
    await uma.press(offer, "Pick my own times")
    first = await uma.wait_for("first one of the day", after=offer.message_id)
    sent = await uma.send("7am")
    await uma.wait_for("And the second one?", after=sent.message_id)
    sent = await uma.send("7:00 am")
    await uma.wait_for("same time as the first one", after=sent.message_id)
    sent = await uma.send("9pm")
    confirmation = await uma.wait_for("All set", after=sent.message_id)
    assert "twice a day, at 7:00 am and 9:00 pm" in (confirmation.text or "")
    assert first.message_id < confirmation.message_id


async def test_cancel_after_consent_pauses_and_start_or_the_link_resumes(
    stub: BotApiStub, runtime: BotRuntime
) -> None:
    therapist = stub.user(THERAPIST_ID, "Dana")
    token = await create_client(therapist, "Kai", [("Bridge", "3 x 10")])
    kai = stub.user(5109, "Kai")
    await _agree(kai, token)
    sent = await kai.send("/cancel")
    paused = await kai.wait_for("setup is paused", after=sent.message_id)
    assert "/start" in (paused.text or "") and "carry on" in (paused.text or "")
    assert "reminders carry on" not in (paused.text or "")
    assert kai.reply_keyboard is None
    [client] = await rows(runtime, Client)
    assert client.consented_at is not None and client.status == ClientStatus.INVITED
    assert (await rows(runtime, Invite))[0].used_at is not None
    assert await rows(runtime, ReminderSlot) == []

    sent = await kai.send("/start")
    await kai.wait_for("Welcome back", after=sent.message_id)
    await kai.wait_for("Which time zone", after=sent.message_id)
    assert kai.reply_keyboard is not None
    sent = await kai.send("Berlin")
    await kai.wait_for("When would a nudge suit you", after=sent.message_id)
    sent = await kai.send("/cancel")
    await kai.wait_for("setup is paused", after=sent.message_id)

    sent = await kai.send(f"/start {token}")  # the link again: the zone is remembered
    await kai.wait_for("Welcome back", after=sent.message_id)
    ask = await kai.wait_for("When would a nudge suit you", after=sent.message_id)
    assert [
        m for m in kai.messages if m.message_id > sent.message_id and "zone" in (m.text or "")
    ] == []
    await kai.press(ask, "Morning")
    confirmation = await kai.wait_for("All set", after=ask.message_id)
    assert "every day at 8:00 am (Europe/Berlin time)" in (confirmation.text or "")
    await therapist.wait_for("Kai joined")
    sent = await kai.send(f"/start {token}")
    await kai.wait_for("already connected with Dana", after=sent.message_id)


async def test_cancel_before_consent_keeps_nothing_and_the_link_works(
    stub: BotApiStub, runtime: BotRuntime
) -> None:
    token = await create_client(stub.user(THERAPIST_ID, "Dana"), "Noa", [("Row", "2 x 15")])
    noa = stub.user(5110, "Noa")
    sent = await noa.send(f"/start {token}")
    await noa.wait_for("here is what I keep", after=sent.message_id)
    sent = await noa.send("/cancel")
    await noa.wait_for("nothing has been saved", after=sent.message_id)
    assert (await rows(runtime, Invite))[0].used_at is None
    await _to_time_question(noa, token)


async def test_start_in_the_middle_asks_the_same_question_again(
    stub: BotApiStub, runtime: BotRuntime
) -> None:
    therapist = stub.user(THERAPIST_ID, "Dana")
    token = await create_client(therapist, "Eli", [("Squat", "3 x 8")], times_per_week=2)
    eli = stub.user(5111, "Eli")
    ask = await _to_time_question(eli, token)
    await eli.press(ask, "Midday")
    await eli.wait_for("Which days suit you", after=ask.message_id)
    sent = await eli.send("/start")
    again = await eli.wait_for("Which days suit you", after=sent.message_id)
    await eli.press(again, "Tue")
    await eli.wait_for_edit(again, lambda m: "✓ Tue" in str(m.reply_markup))
    await eli.press(again, "Thu")
    await eli.wait_for_edit(again, lambda m: "✓ Thu" in str(m.reply_markup))
    await eli.press(again, "That's it")
    confirmation = await eli.wait_for("All set", after=again.message_id)
    assert "Tue and Thu at 12:00 pm" in (confirmation.text or "")
