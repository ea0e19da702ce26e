"""The therapist hears when a client becomes unreachable: once per transition, not per
attempt, in the therapist's language, without slowing a successful send.

End to end through the stub on both databases; the ManualClock is the only thing moved.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.app import BotRuntime
from bot.clock import ManualClock
from bot.db.models import Client
from bot.sandbox.botapi import BotApiStub, FakeUser
from tests.conftest import THERAPIST_ID, rows
from tests.journeys import enrol_daily_at_nine_utc
from tests.said import said

MONDAY_NINE = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def _notes(therapist: FakeUser, lang: str = "en") -> list[str]:
    return [m.text or "" for m in therapist.messages if said("alerts.unreachable", lang)(m)]


async def _nudge_refused(stub: BotApiStub, runtime: BotRuntime, after: int) -> int:
    """Wait for a 403 on a nudge after call number `after`; returns the calls so far."""
    await stub.wait_for_call("sendMessage", lambda c: c.status == 403, after=after)
    await runtime.engine.idle()
    return len(stub.calls_to("sendMessage"))


async def test_unreachable_is_told_once_per_transition_not_per_attempt(
    stub: BotApiStub, runtime: BotRuntime, clock: ManualClock
) -> None:
    dana, rae = stub.user(THERAPIST_ID, "Dana"), stub.user(2001, "Rae")
    await enrol_daily_at_nine_utc(dana, rae)
    rae.block()
    clock.set(MONDAY_NINE)
    calls = await _nudge_refused(stub, runtime, after=0)
    note = await dana.wait_for(said("alerts.unreachable"), timeout=5.0)
    assert note.text is not None and note.text.startswith("Rae ")
    [call] = [c for c in stub.calls_to("sendMessage") if c.params.get("text") == note.text]
    assert not call.params.get("protect_content")  # not health news
    [client] = await rows(runtime, Client)
    assert client.reachable is False and client.unreachable_told_at is not None

    # Days go by, and a restart: no nudge is tried while blocked, and no second note.
    clock.set(MONDAY_NINE + DAY)
    await runtime.engine.idle()
    clock.set(MONDAY_NINE + 2 * DAY)
    await runtime.engine.idle()
    assert await dana.wait_quiet(0.3) == []
    assert len(_notes(dana)) == 1

    # Rae comes back (writes), then blocks the bot again: a new transition, told again.
    rae.unblock()
    sent = await rae.send("hello again")
    await rae.wait_for(lambda m: m.message_id > sent.message_id)
    [client] = await rows(runtime, Client)
    assert client.reachable is True and client.unreachable_told_at is None
    rae.block()
    clock.set(MONDAY_NINE + 3 * DAY)
    await _nudge_refused(stub, runtime, after=calls)
    await dana.wait_for(lambda m: len(_notes(dana)) == 2, timeout=5.0)
    clock.set(MONDAY_NINE + 4 * DAY)
    await runtime.engine.idle()
    assert await dana.wait_quiet(0.3) == []
    assert len(_notes(dana)) == 2


async def test_the_unreachable_note_is_in_the_therapists_language(
    stub: BotApiStub, runtime: BotRuntime, clock: ManualClock
) -> None:
    dana, rae = stub.user(THERAPIST_ID, "Dana"), stub.user(2001, "Rae")
    await enrol_daily_at_nine_utc(dana, rae)
    sent = await dana.send("/language")
    choice = await dana.wait_for("Which language", after=sent.message_id)
    await dana.press(choice, "Deutsch")
    await dana.wait_for_edit(choice, "Deutsch")
    rae.block()
    clock.set(MONDAY_NINE)
    note = await dana.wait_for(said("alerts.unreachable", "de"), timeout=5.0)
    assert "Rae" in (note.text or "")
