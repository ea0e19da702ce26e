"""After the answer, as a client lives it: which exercises, how it felt, what got in the
way, a time they pick, and pain heard by the therapist within seconds."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from bot.app import BotRuntime
from bot.clock import ManualClock
from bot.db.models import ConcernReport, Nudge, Reply, Therapist
from bot.sandbox.botapi import BotApiStub, FakeUser, buttons
from bot.sandbox.botapi.models import StoredMessage
from tests.conftest import THERAPIST_ID, rows, variants
from tests.journeys import create_client, enrol
from tests.rawdb import stored_strings

NINE = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


async def _nudged(
    stub: BotApiStub, clock: ManualClock, exercises: list[tuple[str, str]]
) -> tuple[FakeUser, FakeUser, StoredMessage]:
    """Dana's client Cleo, nudged at 09:00 UTC with the given exercises."""
    dana = stub.user(THERAPIST_ID, "Dana")
    cleo = stub.user(4001, "Cleo")
    token = await create_client(dana, "Cleo R. (shoulder)", exercises)
    await enrol(cleo, token, place="UTC", when="9am", therapist_name="Dana")
    clock.set(NINE)
    nudge = await cleo.wait_for(f"{exercises[0][0]}: {exercises[0][1]}")
    return dana, cleo, nudge


def callback_data(message: StoredMessage) -> list[str]:
    return [str(b.get("callback_data")) for row in message.inline_keyboard for b in row]


async def test_some_of_it_ticks_exercises_in_place_then_asks_how_it_felt(
    stub: BotApiStub, runtime: BotRuntime, clock: ManualClock
) -> None:
    _dana, cleo, nudge = await _nudged(
        stub, clock, [("Bridge", "3 x 10"), ("Calf stretch", "hold 30 s x 3"), ("Plank", "20 s")]
    )
    await cleo.press(nudge, "Some of it")
    ticks = await cleo.wait_for("Which ones did you do?", after=nudge.message_id)
    assert buttons(ticks) == ["○ Bridge", "○ Calf stretch", "○ Plank"]
    feeling = await cleo.wait_for("How did it feel?", after=ticks.message_id)
    await cleo.press(ticks, "Bridge")
    await cleo.wait_for_edit(ticks, lambda m: "✓ Bridge" in buttons(m))
    await cleo.press(ticks, "Plank")
    await cleo.wait_for_edit(ticks, lambda m: "✓ Plank" in buttons(m))
    await cleo.press(ticks, "Bridge")
    await cleo.wait_for_edit(ticks, lambda m: buttons(m)[0] == "○ Bridge")
    [row] = await rows(runtime, Nudge)
    assert (row.outcome, row.exercises_done) == ("some", "3")
    # The ticks stay with this message: no new message for a toggle.
    assert cleo.last_message is not None and cleo.last_message.message_id == feeling.message_id
    await cleo.press(feeling, "Easy")
    await cleo.wait_for(variants("reply.feeling_thanks"), after=feeling.message_id)
    assert [r.feeling for r in await rows(runtime, Reply)] == ["easy"]


async def test_not_today_thanks_then_one_optional_tap_for_what_was_in_the_way(
    stub: BotApiStub, runtime: BotRuntime, clock: ManualClock
) -> None:
    dana, cleo, nudge = await _nudged(stub, clock, [("Bridge", "3 x 10")])
    await cleo.press(nudge, "Not today")
    asked = await cleo.wait_for(variants("answers.ask_barrier"), after=nudge.message_id)
    assert variants("reply.not_today")(asked)
    assert buttons(asked) == [
        "Busy",
        "Sore",
        "Tired",
        "Not sure how",
        "Not in the mood",
        "Something else",
    ]
    tired = callback_data_of(asked, "b", "t")
    await cleo.press(asked, "Busy")
    await cleo.wait_for_edit(asked, lambda m: m.body.endswith("Busy") and not buttons(m))
    await cleo.wait_for(variants("answers.barrier_thanks"), after=asked.message_id)
    # A second tap (an old keyboard) changes nothing.
    query = await cleo.press_data(asked, tired)
    assert (await cleo.wait_for_answer(query)).text == "That button has expired. Nothing changed."
    [row] = await rows(runtime, Nudge)
    assert (row.outcome, row.barrier, row.barrier_note) == ("not_today", "busy", None)
    assert [m for m in dana.messages if "Routine" in m.body] == []


def callback_data_of(message: StoredMessage, prefix: str, code: str) -> str:
    """Data for another button about the same nudge as one of this message's buttons."""
    nudge_id = callback_data(message)[0].split(":")[1]
    return f"{prefix}:{nudge_id}:{code}"


async def test_something_else_takes_their_own_words_sealed_at_rest(
    stub: BotApiStub, runtime: BotRuntime, clock: ManualClock
) -> None:
    _dana, cleo, _nudge = await _nudged(stub, clock, [("Bridge", "3 x 10")])
    sent = await cleo.send("not today")
    asked = await cleo.wait_for(variants("answers.ask_barrier"), after=sent.message_id)
    await cleo.press(asked, "Something else")
    prompt = await cleo.wait_for("A few words are plenty", after=asked.message_id)
    sent = await cleo.send("Grandma's birthday party all afternoon")
    await cleo.wait_for(variants("answers.barrier_note_thanks"), after=prompt.message_id)
    [row] = await rows(runtime, Nudge)
    assert (row.barrier, row.barrier_note) == ("other", "Grandma's birthday party all afternoon")
    [stored] = await stored_strings(runtime.db, "nudge", "barrier_note")
    assert stored is not None and stored.startswith("v1:") and "Grandma" not in stored
    # The question is over: the next words are an ordinary message again.
    sent = await cleo.send("done")
    await cleo.wait_for("no reminder waiting", after=sent.message_id)


async def test_sore_is_heard_like_pain(
    stub: BotApiStub, runtime: BotRuntime, clock: ManualClock
) -> None:
    dana, cleo, nudge = await _nudged(stub, clock, [("Bridge", "3 x 10"), ("Plank", "20 s")])
    await cleo.press(nudge, "Not today")
    asked = await cleo.wait_for(variants("answers.ask_barrier"), after=nudge.message_id)
    await cleo.press(asked, "Sore")
    alert = await dana.wait_for("because they are sore")
    assert "Cleo R. (shoulder)" in alert.body and "Routine: Bridge, Plank" in alert.body
    await cleo.wait_for("contact your clinic", after=asked.message_id)
    [report] = await rows(runtime, ConcernReport)
    assert (report.concern, report.source) == ("sore", "barrier")


async def test_typed_pain_reaches_the_therapist_within_five_seconds_protected(
    stub: BotApiStub, runtime: BotRuntime, clock: ManualClock
) -> None:
    dana, cleo, nudge = await _nudged(stub, clock, [("Bridge", "3 x 10"), ("Plank", "20 s")])
    async with runtime.db.transaction() as session:  # Dana works in Tokyo, Cleo in UTC
        [therapist] = (await session.exec(select(Therapist))).all()
        therapist.timezone = "Asia/Tokyo"
        session.add(therapist)
    sent = await cleo.send("done, but my knee hurts")
    started = time.monotonic()
    alert = await dana.wait_for("reported pain", timeout=5.0)
    assert time.monotonic() - started < 5.0
    assert "Cleo R. (shoulder)" in alert.body
    assert "reported pain (2026-11-23 6:00 pm)" in alert.body  # 09:00 UTC, in her day
    assert "Routine: Bridge, Plank" in alert.body
    assert "“done, but my knee hurts”" in alert.body
    [call] = [c for c in stub.calls_to("sendMessage") if "reported pain" in str(c.params["text"])]
    assert call.params.get("protect_content") is True
    heard = await cleo.wait_for("contact your clinic", after=sent.message_id)
    assert "Dana" in heard.body
    # The answer in it is recorded too, with how it felt, and the nudge's buttons go.
    await cleo.wait_for_edit(nudge, lambda m: not buttons(m))
    [reply] = await rows(runtime, Reply)
    assert (reply.kind, reply.source, reply.feeling) == ("done", "text", "painful")
    [report] = await rows(runtime, ConcernReport)
    assert (report.concern, report.source, report.words) == (
        "painful",
        "text",
        "done, but my knee hurts",
    )
    [sealed] = await stored_strings(runtime.db, "concernreport", "words")
    assert sealed is not None and "knee" not in sealed

    # "It didn't hurt" is no alarm; "too hard" is, in its own words.
    sent = await cleo.send("it didn't hurt at all")
    await cleo.wait_for(variants("messages.offer"), after=sent.message_id)
    sent = await cleo.send("the plank is too hard")
    alert = await dana.wait_for("too hard", after=alert.message_id)
    assert "“the plank is too hard”" in alert.body
    await cleo.wait_for(variants("answers.hard_heard"), after=sent.message_id)
    assert [r.concern for r in await rows(runtime, ConcernReport)] == ["painful", "hard"]


async def test_german_and_spanish_pain_words_are_heard(
    stub: BotApiStub, runtime: BotRuntime, clock: ManualClock
) -> None:
    dana = stub.user(THERAPIST_ID, "Dana")
    for user_id, name, code, said in (
        (4101, "Jonas", "de", "Mein Knie tut weh"),
        (4102, "Lucía", "es", "Me duele la rodilla"),
    ):
        token = await create_client(dana, name, [("Brücke", "3 x 10")])
        person = stub.user(user_id, name, language_code=code)
        await _enrol_by_buttons(person, token)
        sent = await person.send(said)
        alert = await dana.wait_for(f"“{said}”")  # in Dana's language
        assert name in alert.body
        await person.wait_for(lambda m, s=sent: m.message_id > s.message_id)
    assert len(await rows(runtime, ConcernReport)) == 2


async def _enrol_by_buttons(person: FakeUser, token: str) -> None:
    """Enrol in whatever language the copy is in: agree, UTC, 09:00."""
    sent = await person.send(f"/start {token}")
    consent = await person.wait_for(lambda m: bool(buttons(m)), after=sent.message_id)
    await person.press_data(consent, callback_data(consent)[0])
    await person.wait_for(lambda m: m.message_id > consent.message_id)
    sent = await person.send("UTC")
    await person.wait_for(lambda m: bool(buttons(m)), after=sent.message_id)
    sent = await person.send("09:00")
    await person.wait_for(lambda m: "09:00" in m.body or "9:00" in m.body, after=sent.message_id)


async def test_later_pick_a_time_gives_exactly_one_renudge_then(
    stub: BotApiStub, runtime: BotRuntime, clock: ManualClock
) -> None:
    _dana, cleo, nudge = await _nudged(stub, clock, [("Bridge", "3 x 10")])
    await cleo.press(nudge, "Later")
    offer = await cleo.wait_for(variants("reply.later"), after=nudge.message_id)
    assert buttons(offer) == [
        "In an hour",
        "This evening (7:00 pm)",
        "Pick a time",
        "No reminder needed",
    ]
    in_an_hour = callback_data_of(offer, "l", "h")
    await cleo.press(offer, "Pick a time")
    asked = await cleo.wait_for("What time suits you today?", after=offer.message_id)
    sent = await cleo.send("whenever")
    await cleo.wait_for('couldn\'t read "whenever"', after=sent.message_id)
    sent = await cleo.send("7am")
    await cleo.wait_for("7:00 am has already gone by", after=sent.message_id)
    sent = await cleo.send("after work")
    await cleo.wait_for("6:00 pm", after=sent.message_id)
    # The old offer can't add a second re-nudge.
    query = await cleo.press_data(offer, in_an_hour)
    await cleo.wait_for_answer(query)
    [row] = await rows(runtime, Nudge)
    assert row.renudge_at == datetime(2026, 11, 23, 18, 0, tzinfo=UTC)
    clock.set(datetime(2026, 11, 23, 17, 59, tzinfo=UTC))
    assert [m for m in await cleo.wait_quiet(0.3) if "Bridge" in m.body] == []
    clock.set(datetime(2026, 11, 23, 18, 0, tzinfo=UTC))
    renudge = await cleo.wait_for(lambda m: "Bridge" in m.body and m.message_id > asked.message_id)
    clock.advance(timedelta(hours=2))
    assert [m for m in await cleo.wait_quiet(0.3) if "Bridge" in m.body] == []
    await cleo.press(renudge, "Done")
    await cleo.wait_for("How did it feel?", after=renudge.message_id)


async def test_the_evening_is_offered_only_while_it_is_ahead(
    stub: BotApiStub, runtime: BotRuntime, clock: ManualClock
) -> None:
    dana = stub.user(THERAPIST_ID, "Dana")
    eve = stub.user(4201, "Eve")
    token = await create_client(dana, "Eve", [("Bridge", "3 x 10")])
    await enrol(eve, token, place="UTC", when="18:45", therapist_name="Dana")
    clock.set(datetime(2026, 11, 23, 18, 45, tzinfo=UTC))
    nudge = await eve.wait_for("Bridge: 3 x 10")
    await eve.press(nudge, "Later")
    offer = await eve.wait_for(variants("reply.later"), after=nudge.message_id)
    assert buttons(offer) == ["In an hour", "Pick a time", "No reminder needed"]


async def test_a_question_answered_by_a_tap_meanwhile_is_over(
    stub: BotApiStub, runtime: BotRuntime, clock: ManualClock
) -> None:
    dana, cleo, nudge = await _nudged(stub, clock, [("Bridge", "3 x 10")])
    await cleo.press(nudge, "Later")
    offer = await cleo.wait_for(variants("reply.later"), after=nudge.message_id)
    await cleo.press(offer, "Pick a time")
    asked = await cleo.wait_for("What time suits you today?", after=offer.message_id)
    await cleo.press(nudge, "Done")
    feeling = await cleo.wait_for("How did it feel?", after=asked.message_id)
    sent = await cleo.send("18:30")
    await cleo.wait_for("not sure what you mean", after=sent.message_id)
    [row] = await rows(runtime, Nudge)
    assert (row.outcome, row.renudge_at) == ("done", None)
    # A tapped "Hard" is heard like a typed one, protected from forwarding.
    await cleo.press(feeling, "Hard")
    alert = await dana.wait_for("too hard")
    assert "Routine: Bridge" in alert.body and "In their words" not in alert.body
    [call] = [c for c in stub.calls_to("sendMessage") if "too hard" in str(c.params["text"])]
    assert call.params.get("protect_content") is True
    await cleo.wait_for(variants("answers.hard_heard"), after=feeling.message_id)
