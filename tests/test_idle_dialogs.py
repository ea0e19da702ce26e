"""A conversation left half-way is forgotten after a week, with what was typed in it.

Why: dialogs keep people's words (a client's name in the builder, words offered to
the therapist) until the next step; kept only as long as needed, they go after
DIALOG_IDLE without a step. Driven by the clock, on both databases.
"""

from __future__ import annotations

from datetime import timedelta

from bot.clock import ManualClock
from bot.sandbox.botapi import BotApiStub
from bot.scheduling.housekeeping import DIALOG_IDLE
from tests.conftest import THERAPIST_ID, RuntimeFactory
from tests.journeys import enrol_daily_at_nine_utc
from tests.rawdb import dialog_data
from tests.said import said


async def test_a_dialog_without_a_step_for_a_week_is_forgotten(
    stub: BotApiStub, start_bot: RuntimeFactory, clock: ManualClock
) -> None:
    runtime = await start_bot()
    dana, rae = stub.user(THERAPIST_ID, "Dana"), stub.user(2001, "Rae")
    await enrol_daily_at_nine_utc(dana, rae)
    await runtime.engine.idle()
    # Rae's words wait for her yes; Dana leaves a new routine after naming the client.
    sent = await rae.send("can I do the bridge on my bed?")
    offer = await rae.wait_for(said("messages.offer"), after=sent.message_id)
    clock.set(clock.now() + timedelta(days=2))
    sent = await dana.send("/newclient")
    await dana.wait_for("What name should I show you", after=sent.message_id)
    sent = await dana.send("Kim (shoulder)")
    asked = await dana.wait_for("name of exercise 1", after=sent.message_id)
    assert len(await dialog_data(runtime.db)) == 2

    # A week after Rae's offer: hers goes, Dana's (two days younger) stays.
    clock.set(clock.now() + DIALOG_IDLE - timedelta(days=2) + timedelta(seconds=1))
    await runtime.engine.idle()
    assert len(await dialog_data(runtime.db)) == 1
    late = await rae.press_data(offer, "m:y")
    assert (await rae.wait_for_answer(late)).text == "That button has expired. Nothing changed."
    assert not [m for m in dana.messages if "bed" in (m.text or "")]

    # Then Dana's too: what she types next starts nothing half-way.
    clock.set(clock.now() + timedelta(days=2))
    await runtime.engine.idle()
    assert len(await dialog_data(runtime.db)) == 0
    sent = await dana.send("Pendulum swings")
    await dana.wait_for(said("reply.not_understood_therapist"), after=asked.message_id)
