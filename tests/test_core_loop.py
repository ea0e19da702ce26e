"""The whole loop through real parts: therapist → invite → two clients → nudges → replies.

The bot is the real Application talking HTTP to the local Bot API stub; the only
thing we control is the clock, which we move forward so the scheduler fires.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.app import BotRuntime
from bot.clock import ManualClock
from bot.db.models import Nudge, Reply
from bot.sandbox.botapi import BotApiStub, buttons
from tests.conftest import THERAPIST_ID, rows, variants
from tests.journeys import create_client, enrol


async def test_therapist_two_clients_nudges_and_replies(
    stub: BotApiStub, runtime: BotRuntime, clock: ManualClock
) -> None:
    therapist = stub.user(THERAPIST_ID, "Dana", last_name="Physio")
    anna = stub.user(2001, "Anna", language_code="en")
    ben = stub.user(3001, "Ben", language_code="en-US")

    token_a = await create_client(
        therapist, "Anna K. (knee)", [("Calf stretch", "hold 30 s x 3"), ("Wall push-up", "2 x 12")]
    )
    token_b = await create_client(therapist, "Ben", [("Bridge", "3 x 10")], times_per_week=3)
    assert token_a != token_b and len(token_a) >= 22

    confirm_a = await enrol(
        anna, token_a, place="Berlin", when="7:30 pm", therapist_name="Dana Physio"
    )
    assert "every day at 7:30 pm (Europe/Berlin time)" in confirm_a
    assert "starting today" in confirm_a
    await therapist.wait_for("Anna K. (knee) joined")

    confirm_b = await enrol(
        ben,
        token_b,
        place="America/New_York",
        when="button:Morning",
        days=["Mon", "Wed", "Fri"],
        therapist_name="Dana Physio",
    )
    assert "Mon, Wed and Fri at 8:00 am (America/New_York time)" in confirm_b
    await therapist.wait_for("Ben joined")

    # 08:00 in New York on Monday is 13:00 UTC; Berlin's 19:30 is 18:30 UTC.
    before_a = anna.last_message.message_id
    clock.set(datetime(2026, 11, 23, 12, 59, tzinfo=UTC))
    assert await ben.wait_quiet(0.3) == []
    clock.set(datetime(2026, 11, 23, 13, 0, tzinfo=UTC))
    nudge_b = await ben.wait_for("Bridge: 3 x 10")
    assert buttons(nudge_b) == ["✅ Done", "🌗 Some of it", "⏰ Later", "🌙 Not today"]
    assert all(m.message_id <= before_a for m in anna.messages)

    # Ben: Done, then how it felt ("painful" alerts the therapist at once).
    await ben.press(nudge_b, "Done")
    await ben.wait_for_edit(nudge_b, "Done. Noted.")
    assert (
        buttons(ben.messages[[m.message_id for m in ben.messages].index(nudge_b.message_id)]) == []
    )
    feeling = await ben.wait_for("How did it feel?", after=nudge_b.message_id)
    await ben.press(feeling, "Painful")
    await therapist.wait_for("Ben reported pain")
    await ben.wait_for("contact your clinic", after=feeling.message_id)

    # A stale second tap on the same Done records nothing new.
    query_id = await ben.press_data(nudge_b, f"r:{_nudge_id(nudge_b)}:d")
    answer = await ben.wait_for_answer(query_id)
    assert "Already noted" in (answer.text or "")

    # Anna's nudge at her local 19:30.
    clock.set(datetime(2026, 11, 23, 18, 30, tzinfo=UTC))
    nudge_a = await anna.wait_for("Calf stretch: hold 30 s x 3")
    assert "2. Wall push-up: 2 x 12" in (nudge_a.text or "")
    assert "Anna" in (nudge_a.text or "")

    # Someone else pressing Anna's button is refused and changes nothing.
    query_id = await ben.press_data(nudge_a, f"r:{_nudge_id(nudge_a)}:d")
    answer = await ben.wait_for_answer(query_id)
    assert "Nothing changed" in (answer.text or "")

    # Anna: Later → in an hour → the re-nudge comes → she types "did it".
    await anna.press(nudge_a, "Later")
    offer = await anna.wait_for(variants("reply.later"), after=nudge_a.message_id)
    await anna.press(offer, "In an hour")
    await anna.wait_for("8:30 pm", after=offer.message_id)
    clock.advance(timedelta(minutes=59))
    assert [m for m in await anna.wait_quiet(0.3) if "As promised" in (m.text or "")] == []
    clock.advance(timedelta(minutes=1))
    renudge = await anna.wait_for(
        lambda m: "Calf stretch" in (m.text or "") and m.message_id > offer.message_id
    )
    assert "⏰ Later" not in buttons(renudge)
    sent = await anna.send("did it")
    await anna.wait_for(lambda m: m.message_id > sent.message_id and "feel" in (m.text or ""))

    # Tuesday: Ben has no nudge (Mon/Wed/Fri); Anna answers "not today".
    clock.set(datetime(2026, 11, 24, 13, 0, tzinfo=UTC))
    assert await ben.wait_quiet(0.3) == []
    clock.set(datetime(2026, 11, 24, 18, 30, tzinfo=UTC))
    tuesday = await anna.wait_for(
        lambda m: "Calf stretch" in (m.text or "") and m.message_id > sent.message_id
    )
    await anna.press(tuesday, "Not today")
    await anna.wait_for(variants("reply.not_today"), after=tuesday.message_id)

    kinds = [(r.client_id, r.kind, r.source) for r in await rows(runtime, Reply)]
    assert [k for _c, k, _s in kinds] == ["done", "later", "done", "not_today"]
    assert [s for _c, _k, s in kinds] == ["button", "button", "text", "button"]
    nudges = await rows(runtime, Nudge)
    assert len(nudges) == 3
    assert all(n.status == "sent" and n.message_id for n in nudges)
    # The Wednesday nudge for Ben is already scheduled, not sent.
    assert stub.calls_to("sendMessage")


def _nudge_id(message: object) -> int:
    markup = getattr(message, "versions", None)
    for version in [*(markup or []), {"reply_markup": getattr(message, "reply_markup", None)}]:
        keyboard = (version or {}).get("reply_markup") or {}
        for row in keyboard.get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data", "")
                if data.startswith("r:"):
                    return int(data.split(":")[1])
    raise AssertionError("no nudge buttons on this message")
