"""/time: a client changes the time, days or time zone of their nudges.

If today's nudge has not come yet it comes at the new time; a day that already
had its nudge never gets a second. The therapist is not bothered.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.app import BotRuntime
from bot.clock import ManualClock
from bot.db.models import Nudge, ReminderSlot
from bot.domain.types import Frequency
from bot.sandbox.botapi import BotApiStub, FakeUser, StoredMessage, buttons
from tests.conftest import THERAPIST_ID, rows
from tests.journeys import create_client, create_client_in_store, enrol, enrol_daily_at_nine_utc

MONDAY = date(2026, 11, 23)


async def _open(client: FakeUser) -> StoredMessage:
    sent = await client.send("/time")
    return await client.wait_for("What would you like to change?", after=sent.message_id)


async def _change_time(client: FakeUser, typed: str) -> str:
    overview = await _open(client)
    await client.press(overview, "🕒 Time")
    await client.wait_for_edit(overview, "When would suit you instead?")
    sent = await client.send(typed)
    done = await client.wait_for("Done. Your nudges now come", after=sent.message_id)
    return done.text or ""


def _nudges_of(client: FakeUser, exercise: str, after: int) -> list[StoredMessage]:
    return [m for m in client.messages if m.message_id > after and exercise in (m.text or "")]


async def test_today_comes_at_the_new_time_and_never_twice(
    stub: BotApiStub, runtime: BotRuntime, clock: ManualClock
) -> None:
    therapist = stub.user(THERAPIST_ID, "Dana")
    anna = stub.user(6101, "Anna")
    token = await create_client(therapist, "Anna", [("Calf stretch", "hold 30 s x 3")])
    await enrol(anna, token, place="Berlin", when="7:30 pm", therapist_name="Dana")
    joined = await therapist.wait_for("Anna joined")

    clock.set(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))  # 10:00 in Berlin
    overview = await _open(anna)
    assert "every day at 7:30 pm (Europe/Berlin). The next one: today at 7:30 pm." in (
        overview.text or ""
    )
    assert buttons(overview) == ["🕒 Time", "🌍 Time zone", "Keep it as it is"]
    await anna.press(overview, "🕒 Time")
    asked = await anna.wait_for_edit(overview, "When would suit you instead?")
    assert buttons(asked) == ["Morning (8:00 am)", "Midday (12:00 pm)", "Evening (7:00 pm)"]
    sent = await anna.send("12:00")
    done = await anna.wait_for("Done.", after=sent.message_id)
    assert "every day at 12:00 pm (Europe/Berlin).\nToday's comes at 12:00 pm." in (done.text or "")

    clock.set(datetime(2026, 11, 23, 11, 0, tzinfo=UTC))  # 12:00 in Berlin
    first = await anna.wait_for("Calf stretch: hold 30 s x 3", after=done.message_id)

    text = await _change_time(anna, "6pm")
    assert "Today's has already come, so the next one is tomorrow at 6:00 pm." in text
    clock.set(datetime(2026, 11, 23, 17, 0, tzinfo=UTC))  # 18:00 in Berlin, Monday
    await anna.wait_quiet(0.4)
    assert _nudges_of(anna, "Calf stretch", first.message_id) == []
    clock.set(datetime(2026, 11, 24, 17, 0, tzinfo=UTC))  # 18:00 in Berlin, Tuesday
    await anna.wait_for(lambda m: m.message_id > first.message_id and "Calf" in (m.text or ""))

    [slot] = await rows(runtime, ReminderSlot)
    nudges = await rows(runtime, Nudge)
    assert [(n.slot_id, n.local_date) for n in nudges] == [
        (slot.id, MONDAY),
        (slot.id, MONDAY + timedelta(days=1)),
    ]
    assert [m for m in therapist.messages if m.message_id > joined.message_id] == []


async def test_days_change_in_place_with_a_gentle_question(
    stub: BotApiStub, runtime: BotRuntime
) -> None:
    therapist = stub.user(THERAPIST_ID, "Dana")
    ben = stub.user(6102, "Ben")
    token = await create_client(therapist, "Ben", [("Bridge", "3 x 10")], times_per_week=3)
    days = ["Mon", "Wed", "Fri"]
    await enrol(ben, token, place="New York", when="8am", days=days, therapist_name="Dana")
    overview = await _open(ben)
    assert buttons(overview)[:2] == ["🕒 Time", "📅 Days"]
    await ben.press(overview, "Days")
    picker = await ben.wait_for_edit(overview, "Which days suit you?")
    assert [b for b in buttons(picker) if b.startswith("✓")] == ["✓ Mon", "✓ Wed", "✓ Fri"]
    await ben.press(picker, "Fri")
    await ben.wait_for_edit(picker, lambda m: "✓ Fri" not in str(m.reply_markup))
    await ben.press(picker, "That's it")
    question = await ben.wait_for_edit(picker, "You picked Mon and Wed")
    await ben.press(question, "Keep these days")
    done = await ben.wait_for("Done.", after=picker.message_id)
    assert "Mon and Wed at 8:00 am (America/New_York)" in (done.text or "")
    [slot] = await rows(runtime, ReminderSlot)
    assert slot.weekdays == 0b101


async def test_a_shared_location_moves_the_zone(
    stub: BotApiStub, runtime: BotRuntime, clock: ManualClock
) -> None:
    therapist = stub.user(THERAPIST_ID, "Dana")
    cleo = stub.user(6103, "Cleo")
    await enrol_daily_at_nine_utc(therapist, cleo)
    [before] = await rows(runtime, ReminderSlot)
    overview = await _open(cleo)
    await cleo.press(overview, "Time zone")
    await cleo.wait_for("Which time zone", after=overview.message_id)
    assert cleo.reply_keyboard is not None
    sent = await cleo.send_location(40.7128, -74.0060)
    done = await cleo.wait_for("Done.", after=sent.message_id)
    assert "every day at 9:00 am (America/New_York).\nToday's comes at 9:00 am." in (
        done.text or ""
    )
    assert cleo.reply_keyboard is None
    [after] = await rows(runtime, ReminderSlot)
    assert after.id == before.id and after.timezone == "America/New_York"
    assert after.next_due_at == datetime(2026, 11, 23, 14, 0, tzinfo=UTC)


async def test_twice_a_day_moves_the_nudge_picked(stub: BotApiStub, runtime: BotRuntime) -> None:
    therapist = stub.user(THERAPIST_ID, "Dana")
    token = await create_client_in_store(
        runtime, therapist, "Pia", [("Neck turns", "5 each side")], Frequency.TWICE_DAILY
    )
    pia = stub.user(6104, "Pia")
    sent = await pia.send(f"/start {token}")
    consent = await pia.wait_for("here is what I keep", after=sent.message_id)
    await pia.press(consent, "Yes, that's fine")
    sent = await pia.send("UTC")
    offer = await pia.wait_for("How about 8:00 am and 7:00 pm?", after=sent.message_id)
    await pia.press(offer, "Yes, that suits me")
    await pia.wait_for("All set", after=offer.message_id)
    ids = sorted(s.id for s in await rows(runtime, ReminderSlot))

    overview = await _open(pia)
    assert "every day at 8:00 am and 7:00 pm (UTC)" in (overview.text or "")
    await pia.press(overview, "🕒 Time")
    which = await pia.wait_for_edit(overview, "Which nudge would you like to move?")
    assert buttons(which) == ["The 8:00 am nudge", "The 7:00 pm nudge"]
    await pia.press(which, "The 7:00 pm nudge")
    await pia.wait_for_edit(which, "When would suit you instead?")
    sent = await pia.send("8am")
    await pia.wait_for("That's when your other nudge comes", after=sent.message_id)
    sent = await pia.send("9pm")
    done = await pia.wait_for("Done.", after=sent.message_id)
    assert "every day at 8:00 am and 9:00 pm (UTC)" in (done.text or "")
    slots = await rows(runtime, ReminderSlot)
    assert sorted(s.id for s in slots) == ids
    assert sorted(s.local_time for s in slots) == ["08:00", "21:00"]


async def test_keep_as_is_and_buttons_that_do_not_fit_change_nothing(
    stub: BotApiStub, runtime: BotRuntime
) -> None:
    therapist = stub.user(THERAPIST_ID, "Dana")
    cleo, dev = stub.user(6105, "Cleo"), stub.user(6106, "Dev")
    await enrol_daily_at_nine_utc(therapist, cleo)
    await enrol_daily_at_nine_utc(therapist, dev)
    cleo_slot = (await rows(runtime, ReminderSlot))[0]

    overview = await _open(cleo)
    await cleo.press(overview, "Keep it as it is")
    kept = await cleo.wait_for_edit(overview, "OK, nothing changed.")
    assert "every day at 9:00 am (UTC)" in (kept.text or "") and buttons(kept) == []
    answer = await cleo.wait_for_answer(await cleo.press_data(overview, "h:t"))
    assert "expired" in (answer.text or "")

    # Dev aims at Cleo's reminder from his own /time: refused, as if it did not exist.
    mine = await _open(dev)
    forged = await dev.wait_for_answer(await dev.press_data(mine, f"h:s:{cleo_slot.id}"))
    unknown = await dev.wait_for_answer(await dev.press_data(mine, "h:s:999999"))
    assert forged.text == unknown.text
    stale = await dev.wait_for_answer(await dev.press_data(mine, "i:0700"))
    assert "expired" in (stale.text or "")
    assert (await rows(runtime, ReminderSlot))[0].model_dump() == cleo_slot.model_dump()


async def test_time_before_joining_says_how_to_start(stub: BotApiStub, runtime: BotRuntime) -> None:
    sent = await stub.user(6107, "Zoe").send("/time")
    await stub.user(6107, "Zoe").wait_for("don't have reminders set up yet", after=sent.message_id)
    clients_menu = {"type": "all_private_chats"}
    for lang in ("", "de", "es"):
        assert "time" in [c["command"] for c in stub.commands(clients_menu, lang)], lang


async def test_during_a_break_no_next_nudge_is_promised(
    stub: BotApiStub, runtime: BotRuntime
) -> None:
    therapist = stub.user(THERAPIST_ID, "Dana")
    fay = stub.user(6108, "Fay")
    await enrol_daily_at_nine_utc(therapist, fay)
    sent = await fay.send("/pause")
    ask = await fay.wait_for("A break is fine", after=sent.message_id)
    await fay.press(ask, "Until I say")
    await fay.wait_quiet(0.3)
    overview = await _open(fay)
    assert "every day at 9:00 am (UTC), once your break is over" in (overview.text or "")
    await fay.press(overview, "🕒 Time")
    await fay.wait_for_edit(overview, "When would suit you instead?")
    sent = await fay.send("10am")
    done = await fay.wait_for("Done.", after=sent.message_id)
    assert done.text == "Done. Your nudges now come every day at 10:00 am (UTC)."


async def test_after_stop_time_says_how_to_come_back(stub: BotApiStub, runtime: BotRuntime) -> None:
    therapist = stub.user(THERAPIST_ID, "Dana")
    gus = stub.user(6109, "Gus")
    await enrol_daily_at_nine_utc(therapist, gus)
    sent = await gus.send("/stop")
    confirm = await gus.wait_for("Stop the nudges for good?", after=sent.message_id)
    await gus.press(confirm, "Yes")
    await gus.wait_quiet(0.3)
    sent = await gus.send("/time")
    await gus.wait_for("Your nudges are stopped", after=sent.message_id)
