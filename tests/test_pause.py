"""A break from nudges, as a client takes one: /pause, its lengths, a typed date, /resume.

The clock starts on Monday 23 November 2026, 06:00 UTC; the client is nudged every
day at 09:00 UTC. Nothing falls due during a pause, nothing is sent late after it,
and the first answer afterwards is welcomed back.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import update

from bot.app import BotRuntime
from bot.clock import ManualClock
from bot.db.models import Client, Nudge, Therapist
from bot.sandbox.botapi import BotApiStub, FakeUser, StoredMessage, buttons
from tests.conftest import rows, variants
from tests.rights_journeys import enrolled


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


async def _pause_menu(client: FakeUser) -> StoredMessage:
    sent = await client.send("/pause")
    return await client.wait_for("For how long?", after=sent.message_id)


async def _no_nudge_at(
    runtime: BotRuntime, clock: ManualClock, client: FakeUser, at: datetime
) -> None:
    clock.set(at)
    await runtime.engine.idle()
    assert [m for m in await client.wait_quiet(0.3) if "Bridge" in m.body] == []


async def test_three_days_off_then_nudges_come_back_by_themselves(
    stub: BotApiStub, runtime: BotRuntime, clock: ManualClock
) -> None:
    therapist, rae = await enrolled(stub, 2101)

    menu = await _pause_menu(rae)
    assert buttons(menu) == [
        "3 days",
        "A week",
        "Two weeks",
        "Until a date…",
        "Until I say",
        "Never mind",
    ]
    await rae.press(menu, "3 days")
    done = await rae.wait_for(variants("pause.paused_until"), after=menu.message_id)
    assert "Thursday 26 November" in done.body
    await rae.wait_for_edit(menu, lambda m: buttons(m) == [])  # pressed once, gone
    await therapist.wait_for("Rae is taking a break from nudges until Thursday 26 November")
    [client] = await rows(runtime, Client)
    assert client.status == "paused"
    assert client.paused_until == _at(26, 0)

    for day in (23, 24, 25):  # Monday to Wednesday: quiet
        await _no_nudge_at(runtime, clock, rae, _at(day, 9))
    clock.set(_at(26, 9))
    nudge = await rae.wait_for("Bridge: 3 x 10")
    await runtime.engine.idle()  # the send's outcome is recorded just after it arrives
    [client] = await rows(runtime, Client)
    assert (client.status, client.paused_until) == ("active", None)
    # One occurrence, Thursday's: nothing from the pause was recorded, expired or sent late.
    assert [(n.local_date.isoformat(), n.status) for n in await rows(runtime, Nudge)] == [
        ("2026-11-26", "sent")
    ]

    await rae.press(nudge, "Done")
    thanks = await rae.wait_for(variants("reply.done"), after=nudge.message_id)
    assert variants("pause.welcome_back")(thanks)
    assert not any(word in thanks.body.lower() for word in ("days", "while", "break", "since"))

    clock.set(_at(27, 9))  # the next answer is an ordinary one
    friday = await rae.wait_for(lambda m: "Bridge" in m.body and m.message_id > thanks.message_id)
    await rae.press(friday, "Done")
    thanks = await rae.wait_for(variants("reply.done"), after=friday.message_id)
    assert not variants("pause.welcome_back")(thanks)


async def test_until_a_typed_date_with_kind_refusals_then_resume_early(
    stub: BotApiStub, runtime: BotRuntime, clock: ManualClock
) -> None:
    therapist, rae = await enrolled(stub, 2102)

    menu = await _pause_menu(rae)
    await rae.press(menu, "Until a date…")
    ask = await rae.wait_for("Which day should nudges start again?", after=menu.message_id)
    for typed, answer in (
        ("sometime", 'couldn\'t read "sometime"'),
        ("23 Nov", "That day is already here"),
        ("20 Nov", "That day is already here"),
        ("2028-01-01", "more than a year away"),
    ):
        sent = await rae.send(typed)
        await rae.wait_for(answer, after=sent.message_id)
    sent = await rae.send("next monday")
    done = await rae.wait_for(variants("pause.paused_until"), after=sent.message_id)
    assert "Monday 30 November" in done.body
    assert ask.message_id < done.message_id
    await therapist.wait_for("until Monday 30 November")

    await _no_nudge_at(runtime, clock, rae, _at(23, 9))
    clock.set(_at(24, 8))
    sent = await rae.send("/pause")  # asking again shows the pause as it stands
    await rae.wait_for("on a break until Monday 30 November", after=sent.message_id)
    sent = await rae.send("/resume")
    back = await rae.wait_for(variants("pause.resumed"), after=sent.message_id)
    assert "today at 9:00 am" in back.body
    await therapist.wait_for("Rae turned their nudges back on")

    clock.set(_at(24, 9))  # Tuesday's nudge comes at its time, once
    nudge = await rae.wait_for("Bridge: 3 x 10")
    sent = await rae.send("did it")
    thanks = await rae.wait_for(variants("reply.done"), after=sent.message_id)
    assert variants("pause.welcome_back")(thanks)
    assert [n.local_date.isoformat() for n in await rows(runtime, Nudge)] == ["2026-11-24"]
    assert nudge.message_id < thanks.message_id

    sent = await rae.send("/resume")
    await rae.wait_for("on already. The next one comes tomorrow at 9:00 am", after=sent.message_id)


async def test_until_i_say_calls_off_a_reminder_asked_for_with_later(
    stub: BotApiStub, runtime: BotRuntime, clock: ManualClock
) -> None:
    therapist, rae = await enrolled(stub, 2103)
    clock.set(_at(23, 9))
    nudge = await rae.wait_for("Bridge: 3 x 10")
    await rae.press(nudge, "Later")
    offer = await rae.wait_for(variants("reply.later"), after=nudge.message_id)
    await rae.press(offer, "In an hour")
    await rae.wait_for("10:00 am", after=offer.message_id)

    menu = await _pause_menu(rae)
    await rae.press(menu, "Until I say")
    await rae.wait_for(variants("pause.paused_open"), after=menu.message_id)
    await therapist.wait_for("Rae paused their nudges until further notice")
    [client] = await rows(runtime, Client)
    assert (client.status, client.paused_until) == ("paused", None)

    await _no_nudge_at(runtime, clock, rae, _at(23, 10))  # the re-nudge is called off
    for day in (24, 25, 26):
        await _no_nudge_at(runtime, clock, rae, _at(day, 9, 30))
    sent = await rae.send("/pause")
    await rae.wait_for("on a break until you say", after=sent.message_id)

    sent = await rae.send("/resume")
    back = await rae.wait_for(variants("pause.resumed"), after=sent.message_id)
    assert "tomorrow at 9:00 am" in back.body  # today's time has passed: never late
    clock.set(_at(27, 9))
    friday = await rae.wait_for(lambda m: "Bridge" in m.body and m.message_id > back.message_id)
    await rae.press(friday, "Not today")
    thanks = await rae.wait_for(variants("reply.not_today"), after=friday.message_id)
    assert variants("pause.welcome_back")(thanks)
    dates = [(n.local_date.isoformat(), n.renudge_at) for n in await rows(runtime, Nudge)]
    assert dates == [("2026-11-23", None), ("2026-11-27", None)]


async def test_never_mind_changes_nothing_and_a_stranger_has_nothing_to_pause(
    stub: BotApiStub, runtime: BotRuntime, clock: ManualClock
) -> None:
    _therapist, rae = await enrolled(stub, 2104)
    menu = await _pause_menu(rae)
    await rae.press(menu, "Never mind")
    await rae.wait_for("nothing changed", after=menu.message_id)
    clock.set(_at(23, 9))
    await rae.wait_for("Bridge: 3 x 10")

    stranger = stub.user(2199, "Sam")
    for command, answer in (("/pause", "no nudges to pause"), ("/resume", "no nudges to turn")):
        sent = await stranger.send(command)
        await stranger.wait_for(answer, after=sent.message_id)
    # A forged press of a pause button by a stranger pauses nothing.
    last = stranger.messages[-1]
    query = await stranger.press_data(last, "a:7")
    await stranger.wait_for_answer(query)
    await stranger.wait_for("no nudges to pause", after=last.message_id)
    assert [c.status for c in await rows(runtime, Client)] == ["active"]


async def test_the_therapist_hears_in_their_own_language(
    stub: BotApiStub, runtime: BotRuntime, clock: ManualClock
) -> None:
    therapist, rae = await enrolled(stub, 2105)
    async with runtime.db.transaction() as session:
        await session.exec(update(Therapist).values(language="de"))  # type: ignore[call-overload]
    menu = await _pause_menu(rae)
    await rae.press(menu, "A week")
    await therapist.wait_for("Rae macht eine Pause von den Erinnerungen bis Montag, 30. November")
    sent = await rae.send("/resume")
    await rae.wait_for(variants("pause.resumed"), after=sent.message_id)
    await therapist.wait_for("Rae hat die Erinnerungen wieder eingeschaltet")
    assert clock.now() < _at(23, 9) + timedelta(hours=1)
