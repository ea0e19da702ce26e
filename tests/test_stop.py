"""/stop as a client uses it: a careful question, no more nudges, the data kept, the
therapist told, and a way back through a new invite."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.app import BotRuntime
from bot.clock import ManualClock
from bot.db.models import Client, ReminderSlot, Reply
from bot.sandbox.botapi import BotApiStub, buttons
from tests.conftest import rows, variants
from tests.journeys import create_client, enrol
from tests.rights_journeys import enrolled


async def test_stop_keeps_the_data_tells_the_therapist_and_a_new_invite_brings_them_back(
    stub: BotApiStub, runtime: BotRuntime, clock: ManualClock
) -> None:
    therapist, rae = await enrolled(stub, 2201)
    clock.set(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    nudge = await rae.wait_for("Bridge: 3 x 10")
    await rae.press(nudge, "Done")
    await rae.wait_for(variants("reply.done"), after=nudge.message_id)

    sent = await rae.send("/stop")
    question = await rae.wait_for("Stop the nudges for good?", after=sent.message_id)
    assert buttons(question) == ["No, keep them", "Yes, stop the nudges"]
    assert "/deletemydata" in question.body and "/pause" in question.body
    await rae.press(question, "No, keep them")
    await rae.wait_for(variants("stop.kept"), after=question.message_id)
    # The old question can't be answered "yes" later: nothing is open any more.
    query = await rae.press_data(question, "s:y")
    assert "expired" in ((await rae.wait_for_answer(query)).text or "")
    assert [c.status for c in await rows(runtime, Client)] == ["active"]

    sent = await rae.send("/stop")
    question = await rae.wait_for("Stop the nudges for good?", after=sent.message_id)
    await rae.press(question, "Yes, stop the nudges")
    done = await rae.wait_for(variants("stop.done"), after=question.message_id)
    assert "Dana" in done.body
    await therapist.wait_for("Rae stopped their nudges")
    [client] = await rows(runtime, Client)
    assert client.status == "stopped"
    assert [slot.active for slot in await rows(runtime, ReminderSlot)] == [False]
    assert [reply.kind for reply in await rows(runtime, Reply)] == ["done"]  # kept

    clock.set(datetime(2026, 11, 24, 9, 0, tzinfo=UTC))
    await runtime.engine.idle()
    assert [m for m in await rae.wait_quiet(0.3) if "Bridge" in m.body] == []
    for command in ("/start", "/pause", "/resume", "/stop"):
        sent = await rae.send(command)
        note = await rae.wait_for("Your nudges are stopped", after=sent.message_id)
        assert "ask Dana to send you a new invite link" in note.body

    token = await create_client(therapist, "Rae", [("Bridge", "3 x 10")])
    await enrol(rae, token, place="UTC", when="10am", therapist_name="Dana")
    sent = await rae.send("/start")
    await rae.wait_for("open the invite link", after=sent.message_id)
    clock.set(datetime(2026, 11, 24, 10, 0, tzinfo=UTC))
    await rae.wait_for(lambda m: "Bridge" in m.body and m.message_id > sent.message_id)
    assert [c.status for c in await rows(runtime, Client)] == ["stopped", "active"]
