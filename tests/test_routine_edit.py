"""Editing a joined client's routine ("Edit routine", Te:<client>): a new version from
now on, the client's reminders follow a new frequency, and the client gets a short note."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.app import BotRuntime
from bot.clock import ManualClock
from bot.db import routine_versions
from bot.db.models import Client, Nudge, ReminderSlot, Routine, RoutineVersion
from bot.domain.versions import version_at
from bot.sandbox.botapi import BotApiStub
from tests.builder_journeys import how_often, name_and_dose
from tests.conftest import THERAPIST_ID, rows
from tests.journeys import create_client, enrol

MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TUESDAY = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


async def test_edit_a_joined_clients_routine(
    stub: BotApiStub, runtime: BotRuntime, clock: ManualClock
) -> None:
    dana, kim = stub.user(THERAPIST_ID, "Dana"), stub.user(2401, "Kim")
    token = await create_client(dana, "Kim", [("Bridge", "3 x 10"), ("Plank", "20 s")])
    await enrol(kim, token, place="UTC", when="9am", therapist_name="Dana")
    clock.set(MONDAY)
    monday = await kim.wait_for("Bridge: 3 x 10")
    await kim.press(monday, "Done")
    await kim.wait_for_edit(monday, "Done. Noted.")

    # The client detail's "Edit routine" button carries Te:<client>; the review comes first.
    clock.set(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
    (client,) = await rows(runtime, Client)
    sent = await dana.send("/help")
    helped = await dana.wait_for("/help", after=sent.message_id)
    await dana.press_data(helped, f"Te:{client.id}")
    review = await dana.wait_for("the routine for Kim", after=helped.message_id)
    assert "1. Bridge: 3 x 10\n2. Plank: 20 s" in review.body
    assert "How often: every day" in review.body
    assert "Save changes" in str(review.reply_markup)
    await dana.press(review, "✖️ 2")
    review = await dana.wait_for_edit(review, lambda m: "Plank" not in m.body)
    await dana.press(review, "Add an exercise")
    extras = await name_and_dose(dana, review.message_id, "Side plank", "3 x 20 s")
    await dana.press(extras, "Skip")
    review = await dana.wait_for("the routine for Kim", after=extras.message_id)
    review = await how_often(dana, review, "Twice a day")
    assert "How often: twice a day" in review.body
    await dana.press(review, "Save changes")
    await dana.wait_for("Kim's routine is now version 2. I've sent them", after=review.message_id)

    note = await kim.wait_for("Dana updated your routine.", after=monday.message_id)
    assert "New: Side plank" in note.body and "No longer in it: Plank" in note.body
    assert "every day at 9:00 am and 7:00 pm" in note.body
    assert "Bridge" not in note.body  # unchanged, so not mentioned
    (routine,) = await rows(runtime, Routine)
    assert (routine.version, routine.frequency) == (2, "twice_daily")
    versions = await rows(runtime, RoutineVersion)
    assert [(v.version, v.started_at) for v in versions][1] == (2, clock.now())
    slots = [s for s in await rows(runtime, ReminderSlot) if s.active]
    assert sorted(s.local_time for s in slots) == ["09:00", "19:00"]

    # The next nudge has the new routine, and its answer belongs to version 2.
    clock.set(TUESDAY)
    tuesday = await kim.wait_for("Side plank: 3 x 20 s", after=note.message_id)
    assert "Plank: 20 s" not in tuesday.body.replace("Side plank", "")
    await kim.press(tuesday, "Done")
    await kim.wait_for_edit(tuesday, "Done. Noted.")
    async with runtime.db.transaction() as session:
        starts = (await routine_versions.starts_by_client(session, [client.id or 0]))[client.id]
    # (The new evening slot's Monday occurrence came due while the clock jumped: no answer.)
    by_day = {n.local_date.day: n for n in await rows(runtime, Nudge) if n.slot_id == slots[0].id}
    assert by_day[23].outcome == by_day[24].outcome == "done"
    assert version_at(starts, by_day[23].due_at) == 1
    assert version_at(starts, by_day[24].due_at) == 2


async def test_edit_to_a_few_days_a_week_moves_the_days_and_an_invited_client_is_not_told(
    stub: BotApiStub, runtime: BotRuntime, clock: ManualClock
) -> None:
    dana, kim = stub.user(THERAPIST_ID, "Dana"), stub.user(2402, "Kim")
    token = await create_client(dana, "Kim", [("Bridge", "3 x 10")])
    await create_client(dana, "Lou", [("Squat", "2 x 8")])
    await enrol(kim, token, place="UTC", when="9am", therapist_name="Dana")
    kim_row, lou_row = await rows(runtime, Client)
    sent = await dana.send("/help")
    helped = await dana.wait_for("/help", after=sent.message_id)

    await dana.press_data(helped, f"Te:{kim_row.id}")
    review = await dana.wait_for("the routine for Kim", after=helped.message_id)
    review = await how_often(dana, review, "A few times a week", 3)
    assert "How often: 3 times a week" in review.body
    await dana.press(review, "Save changes")
    done = await dana.wait_for("now version 2", after=review.message_id)
    note = await kim.wait_for("Dana updated your routine.")
    assert "Mon, Thu and Sat at 9:00 am" in note.body
    (slot,) = [s for s in await rows(runtime, ReminderSlot) if s.active]
    assert slot.weekdays == 0b0101001  # Monday, Thursday, Saturday

    # Lou has not joined: the routine changes, nobody is messaged.
    await dana.press_data(helped, f"Te:{lou_row.id}")
    review = await dana.wait_for("the routine for Lou", after=done.message_id)
    await dana.press(review, "✏️ 1")
    ask = await dana.wait_for('Exercise 1 is "Squat"', after=review.message_id)
    sent = await dana.send("Deep squat")
    dose = await dana.wait_for('dose for "Deep squat"', after=sent.message_id)
    await dana.press(dose, 'Keep "2 x 8"')
    extras = await dana.wait_for('Anything to add for "Deep squat"', after=dose.message_id)
    await dana.press(extras, "Clear notes and media")
    review = await dana.wait_for("1. Deep squat: 2 x 8", after=extras.message_id)
    await dana.press(review, "Save changes")
    saved = await dana.wait_for("Lou's routine is now version 2.", after=review.message_id)
    assert "sent them" not in saved.body and ask.message_id < saved.message_id
