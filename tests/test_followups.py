"""No answer: one silent follow-up, the day closing as "no reply", and a week of silence.

End to end through the stub on both databases; the ManualClock is the only thing moved.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select, update

from bot.app import BotRuntime
from bot.clock import ManualClock
from bot.db import followups as store
from bot.db.database import Database
from bot.db.models import Client, Nudge, QuietSpell, Reply
from bot.domain.types import ClientStatus
from bot.sandbox.botapi import BotApiStub, FakeUser, StoredMessage
from bot.settings import SettingsError, load_settings
from tests.conftest import THERAPIST_ID, TOKEN, RuntimeFactory, rows
from tests.journeys import create_client, enrol, enrol_daily_at_nine_utc
from tests.said import said, texts
from tests.seeding import Answered, seed_enrolled, seed_history

WELCOME = "pause.welcome_back"  # one greeting after a pause or a quiet spell

MONDAY = datetime(2026, 11, 23, tzinfo=UTC)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return MONDAY + timedelta(days=day, hours=hour, minutes=minute)


def _people(stub: BotApiStub) -> tuple[FakeUser, FakeUser]:
    return stub.user(THERAPIST_ID, "Dana", last_name="Physio"), stub.user(2001, "Rae")


async def _nudged_on_monday(
    stub: BotApiStub, clock: ManualClock
) -> tuple[FakeUser, FakeUser, StoredMessage]:
    """Dana's client Rae, enrolled for 09:00 UTC daily, and Monday's nudge."""
    therapist, rae = _people(stub)
    await enrol_daily_at_nine_utc(therapist, rae)
    clock.set(at(0, 9))
    return therapist, rae, await rae.wait_for("Bridge: 3 x 10")


def _is_nudge(after: int) -> object:
    return lambda m: "Bridge: 3 x 10" in (m.text or "") and m.message_id > after


def _welcomed(message: StoredMessage) -> bool:
    return any((message.text or "").startswith(w) for w in texts().variants("en", WELCOME))


def _call_for(stub: BotApiStub, text: str) -> dict[str, object]:
    calls = [c for c in stub.calls_to("sendMessage") if c.params.get("text") == text]
    assert len(calls) == 1, [c.params.get("text") for c in stub.calls_to("sendMessage")]
    return calls[0].params


async def test_one_silent_follow_up_as_a_reply_to_the_nudge_and_never_twice(
    stub: BotApiStub, start_bot: RuntimeFactory, clock: ManualClock
) -> None:
    runtime = await start_bot()
    _therapist, rae, nudge = await _nudged_on_monday(stub, clock)

    clock.set(at(0, 10, 59))
    assert await rae.wait_quiet(0.3) == []
    clock.set(at(0, 11))
    followup = await rae.wait_for(said("followups.followup"), after=nudge.message_id)
    assert "Rae" in (followup.text or "")
    assert followup.reply_to is not None and followup.reply_to.message_id == nudge.message_id
    params = _call_for(stub, followup.text or "")
    assert params.get("disable_notification") is True
    assert followup.buttons == []  # the nudge's own buttons still take the answer

    # A restart, and hours more: still exactly one follow-up.
    await runtime.stop()
    runtime = await start_bot()
    clock.set(at(0, 13))
    await runtime.engine.idle()
    assert await rae.wait_quiet(0.3) == []
    [row] = await rows(runtime, Nudge)
    assert row.followup_claimed_at is not None and row.followup_message_id == followup.message_id

    # The nudge's buttons still work after the follow-up.
    await rae.press(nudge, "Done")
    await rae.wait_for_edit(nudge, "Done. Noted.")


async def test_an_answer_or_a_later_means_no_follow_up(
    stub: BotApiStub, runtime: BotRuntime, clock: ManualClock
) -> None:
    _therapist, rae, monday = await _nudged_on_monday(stub, clock)
    await rae.press(monday, "Done")
    await rae.wait_for("How did it feel?")
    clock.set(at(1, 9))
    tuesday = await rae.wait_for(_is_nudge(monday.message_id))
    await rae.press(tuesday, "Later")
    offer = await rae.wait_for(said("reply.later"), after=tuesday.message_id)
    await rae.press(offer, "No reminder needed")
    clock.set(at(1, 12))
    await runtime.engine.idle()
    assert [m for m in await rae.wait_quiet(0.3) if said("followups.followup")(m)] == []
    assert not [m for m in rae.messages if said("followups.followup")(m)]


async def test_a_follow_up_that_would_fall_in_quiet_hours_is_skipped_not_postponed(
    stub: BotApiStub, runtime: BotRuntime, clock: ManualClock
) -> None:
    therapist, rae = _people(stub)
    token = await create_client(therapist, "Rae", [("Bridge", "3 x 10")])
    await enrol(rae, token, place="UTC", when="8pm", therapist_name="Dana Physio")
    clock.set(at(0, 20))
    await rae.wait_for("Bridge: 3 x 10")
    clock.set(at(0, 22))  # 22:00 local: inside the default 21:30-08:00
    await runtime.engine.idle()
    clock.set(at(1, 8, 30))  # the next morning, outside them: still nothing
    await runtime.engine.idle()
    assert not [m for m in rae.messages if said("followups.followup")(m)]
    [row] = [n for n in await rows(runtime, Nudge) if n.local_date == at(0, 0).date()]
    assert row.followup_claimed_at is not None and row.followup_message_id is None
    assert row.outcome == "no_reply"  # and the day closed at midnight


async def test_a_client_who_switched_follow_ups_off_gets_none(
    stub: BotApiStub, runtime: BotRuntime, clock: ManualClock
) -> None:
    _therapist, rae, _nudge = await _nudged_on_monday(stub, clock)
    sent = await rae.send("/settings")
    panel = await rae.wait_for("Your settings", after=sent.message_id)
    await rae.press(panel, "🔔 Follow-up: on")
    await rae.wait_for_edit(panel, "Gentle follow-up: off")
    clock.set(at(0, 11, 30))
    await runtime.engine.idle()
    assert not [m for m in rae.messages if said("followups.followup")(m)]


async def test_the_day_closes_as_no_reply_and_a_late_done_still_counts(
    stub: BotApiStub, runtime: BotRuntime, clock: ManualClock
) -> None:
    _therapist, rae, monday = await _nudged_on_monday(stub, clock)
    clock.set(at(0, 23, 59))
    await runtime.engine.idle()
    assert (await rows(runtime, Nudge))[0].outcome is None
    clock.set(at(1, 0))
    await runtime.engine.idle()
    [row] = await rows(runtime, Nudge)
    assert row.outcome == "no_reply" and row.closes_at is None

    # Tuesday morning: "Later" on Monday's nudge makes no sense any more...
    query = await rae.press(monday, "Later")
    answer = await rae.wait_for_answer(query)
    assert "expired" in (answer.text or "")
    # ...but a late "Done" counts: the exercises were done, whenever the tap came.
    await rae.press(monday, "Done")
    await rae.wait_for_edit(monday, "Done. Noted.")
    [row] = await rows(runtime, Nudge)
    assert row.outcome == "done"
    assert [r.kind for r in await rows(runtime, Reply)] == ["done"]
    query = await rae.press_data(monday, f"r:{row.id}:d")
    assert "Already noted" in ((await rae.wait_for_answer(query)).text or "")


async def test_a_week_of_silence_asks_once_tells_the_therapist_once_then_welcomes_back(
    stub: BotApiStub, runtime: BotRuntime, clock: ManualClock
) -> None:
    therapist, rae = _people(stub)
    await enrol_daily_at_nine_utc(therapist, rae)
    last = 0
    for day in range(7):
        clock.set(at(day, 9))
        nudge = await rae.wait_for(_is_nudge(last))
        clock.set(at(day, 11))
        followup = await rae.wait_for(said("followups.followup"), after=nudge.message_id)
        last = followup.message_id
    assert not [m for m in rae.messages if said("followups.quiet_ask")(m)]

    clock.set(at(7, 0))  # the seventh day closes: a quiet spell
    question = await rae.wait_for(said("followups.quiet_ask"), after=last)
    assert question.buttons == ["Take a break", "Another time", "Carry on"]
    note = await therapist.wait_for("hasn't answered the last 7 reminders")
    assert "Rae" in (note.text or "")
    assert _call_for(stub, note.text or "").get("protect_content") is True

    clock.set(at(7, 9))
    day8 = await rae.wait_for(_is_nudge(question.message_id))
    clock.set(at(7, 11))  # follow-ups have stopped
    await runtime.engine.idle()
    assert await rae.wait_quiet(0.3) == []

    # Someone else can't answer Rae's question; Rae can.
    [spell] = await rows(runtime, QuietSpell)
    other = stub.user(3001, "Ben")
    query = await other.press_data(question, f"q:{spell.id}:c")
    assert "expired" in ((await other.wait_for_answer(query)).text or "")
    await rae.press(question, "Take a break")  # opens /pause's own question
    pause = await rae.wait_for(said("pause.ask"), after=day8.message_id)
    await rae.wait_for_edit(question, lambda m: m.buttons == [])
    await rae.press_data(question, f"q:{spell.id}:c")  # "Carry on" changes nothing
    await rae.wait_for(said("followups.quiet_carry_on"), after=pause.message_id)

    # The first answer in a while: a welcome back before the usual kind words.
    await rae.press(day8, "Some of it")
    thanks = await rae.wait_for("How did it feel?", after=day8.message_id)
    assert _welcomed(thanks)
    [spell] = await rows(runtime, QuietSpell)
    assert spell.ended_at is not None

    # Follow-ups are back, the next answer is an ordinary one, and nothing came twice.
    clock.set(at(8, 9))
    day9 = await rae.wait_for(_is_nudge(thanks.message_id))
    clock.set(at(8, 11))
    await rae.wait_for(said("followups.followup"), after=day9.message_id)
    await rae.press(day9, "Done")
    await rae.wait_for("How did it feel?", after=day9.message_id)
    assert len([m for m in rae.messages if _welcomed(m)]) == 1
    asked = [m for m in rae.messages if said("followups.quiet_ask")(m)]
    assert len(asked) == 1
    told = [m for m in therapist.messages if "hasn't answered" in (m.text or "")]
    assert len(told) == 1


async def test_a_follow_up_is_claimed_once(
    runtime: BotRuntime, stub: BotApiStub, clock: ManualClock
) -> None:
    await _nudged_on_monday(stub, clock)
    await runtime.engine.idle()
    async with runtime.db.transaction() as session:
        [nudge] = list(await session.exec(select(Nudge)))
        assert nudge.id is not None
        assert await store.claim_followup(session, nudge.id, at(0, 11))
        assert not await store.claim_followup(session, nudge.id, at(0, 11))


async def test_a_client_away_gets_no_follow_up_and_the_engine_does_not_spin(
    stub: BotApiStub, runtime: BotRuntime, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    _therapist, rae, _nudge = await _nudged_on_monday(stub, clock)
    await runtime.engine.idle()
    async with runtime.db.transaction() as session:
        [client] = list(await session.exec(select(Client)))
        client.status = ClientStatus.PAUSED  # as /pause would leave it
        session.add(client)
    clock.set(at(0, 11))
    await runtime.engine.idle()
    [row] = await rows(runtime, Nudge)
    assert row.followup_claimed_at is not None and row.followup_message_id is None

    passes = 0
    real = store.followup_candidates

    async def counted(*args: object, **kwargs: object) -> object:
        nonlocal passes
        passes += 1
        return await real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(store, "followup_candidates", counted)
    await rae.wait_quiet(0.5)
    assert passes <= 1  # woken for nothing would be hundreds
    assert not [m for m in rae.messages if said("followups.followup")(m)]


def test_the_follow_up_delay_is_a_setting() -> None:
    env = {"TELEGRAM_BOT_TOKEN": TOKEN}
    assert load_settings(env, read_dotenv=False).followup_after == timedelta(hours=2)
    half = load_settings(env | {"FOLLOWUP_AFTER_H": "0.5"}, read_dotenv=False)
    assert half.followup_after == timedelta(minutes=30)
    with pytest.raises(SettingsError, match="FOLLOWUP_AFTER_H"):
        load_settings(env | {"FOLLOWUP_AFTER_H": "-1"}, read_dotenv=False)


async def test_the_follow_up_comes_after_the_configured_delay(
    stub: BotApiStub, start_bot: RuntimeFactory, clock: ManualClock
) -> None:
    await start_bot(followup_after=timedelta(minutes=30))
    _therapist, rae, nudge = await _nudged_on_monday(stub, clock)
    clock.set(at(0, 9, 29))
    assert await rae.wait_quiet(0.3) == []
    clock.set(at(0, 9, 30))
    await rae.wait_for(said("followups.followup"), after=nudge.message_id)


async def test_todays_open_nudge_is_not_silence_yet(database_url: str) -> None:
    """Six days closed without a word, and today's nudge sent but not answered yet: no
    quiet spell until today closes too (the close and the next send can share a pass)."""
    start = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
    await seed_enrolled(database_url, 1, start)
    db = Database.from_url(database_url)
    try:
        async with db.transaction() as session:
            [client] = (await session.exec(select(Client))).all()
        assert client.id is not None
        days = [start + timedelta(days=n) for n in range(7)]
        history = [Answered(day, "no_reply") for day in days[:6]] + [Answered(days[6], None)]
        await seed_history(db, client.id, history)
        now = days[6] + timedelta(hours=2)
        async with db.transaction() as session:
            assert await store.start_quiet_spells(session, {client.id}, now) == 0
        async with db.transaction() as session:  # today closes as no reply: now it is one
            await session.exec(
                update(Nudge).where(Nudge.due_at == days[6]).values(outcome="no_reply")
            )
            assert await store.start_quiet_spells(session, {client.id}, now) == 1
    finally:
        await db.dispose()
