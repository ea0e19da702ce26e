"""/message: a client writes to their therapist and the therapist's reply comes back.

End to end through the stub on both databases; the words are sealed at rest.
"""

from __future__ import annotations

from bot.app import BotRuntime
from bot.db.models import Message
from bot.sandbox.botapi import BotApiStub, buttons
from tests.conftest import THERAPIST_ID, rows
from tests.journeys import enrol_daily_at_nine_utc
from tests.rawdb import dialog_data, stored_strings
from tests.said import said, texts


async def test_a_message_to_the_therapist_and_the_reply_back(
    stub: BotApiStub, runtime: BotRuntime
) -> None:
    therapist, rae = stub.user(THERAPIST_ID, "Dana", last_name="Physio"), stub.user(2001, "Rae")
    await enrol_daily_at_nine_utc(therapist, rae)
    for lang, words in (("", "Write to your therapist"), ("es", "Escribir a tu terapeuta")):
        menu = stub.commands({"type": "all_private_chats"}, lang)
        assert {"command": "message", "description": words} in menu

    sent = await rae.send("/message")
    ask = await rae.wait_for(said("messages.ask"), after=sent.message_id)
    assert "Dana Physio" in (ask.text or "")
    sent = await rae.send("Can I do the bridge on a soft mat? My back is stiff in the morning.")
    await rae.wait_for(said("messages.sent"), after=sent.message_id)

    relayed = await therapist.wait_for("Message from Rae")
    assert "soft mat" in (relayed.text or "")
    params = [
        c.params for c in stub.calls_to("sendMessage") if c.params.get("text") == relayed.text
    ]
    assert params and params[0].get("protect_content") is True

    # The therapist answers by replying to that message in Telegram.
    answer = await therapist.send("Yes, a mat is perfect. Go gently.", reply_to=relayed)
    back = await rae.wait_for(said("messages.from_therapist"), after=sent.message_id)
    assert "Dana Physio" in (back.text or "") and "a mat is perfect" in (back.text or "")
    await therapist.wait_for(said("messages.delivered"), after=answer.message_id)

    stored = await rows(runtime, Message)
    assert [(m.direction, m.text) for m in stored] == [
        ("to_therapist", "Can I do the bridge on a soft mat? My back is stiff in the morning."),
        ("to_client", "Yes, a mat is perfect. Go gently."),
    ]
    assert stored[1].reply_to_id == stored[0].id
    assert all(m.delivered_at is not None and m.relay_message_id for m in stored)
    raw = await stored_strings(runtime.db, "message", "text")
    assert all(value and "mat" not in value for value in raw)  # sealed at rest

    # A reply to the therapist's answer, however short, is offered, not sent unasked.
    again = await rae.send("Thanks!", reply_to=back)
    offer = await rae.wait_for(said("messages.offer_reply"), after=again.message_id)
    await rae.press(offer, "No, thanks")
    await rae.wait_for(said("messages.offer_declined"), after=offer.message_id)
    # Words that answer nothing are offered, never sent unasked (the next test).
    plain = await rae.send("what a lovely day")
    await rae.wait_for(said("messages.offer"), after=plain.message_id)
    assert len(await rows(runtime, Message)) == 2
    assert not [m for m in therapist.messages if "lovely day" in (m.text or "")]


async def test_words_that_answer_nothing_go_to_the_therapist_only_after_a_yes(
    stub: BotApiStub, runtime: BotRuntime
) -> None:
    therapist, rae = stub.user(THERAPIST_ID, "Dana", last_name="Physio"), stub.user(2001, "Rae")
    await enrol_daily_at_nine_utc(therapist, rae)

    # A question typed without /message: offered, kept sealed, sent on the press.
    sent = await rae.send("Can I do the bridge on my bed instead of the floor?")
    offer = await rae.wait_for(said("messages.offer"), after=sent.message_id)
    assert "Dana Physio" in (offer.text or "")
    [sealed] = await dialog_data(runtime.db)
    assert sealed is not None and "bed" not in sealed
    await rae.press(offer, "Send it to Dana Physio")
    await rae.wait_for(said("messages.sent"), after=offer.message_id)
    relayed = await therapist.wait_for("Message from Rae")
    assert "on my bed instead" in (relayed.text or "")
    assert await dialog_data(runtime.db) == []
    again = await rae.press_data(offer, "m:y")  # a second tap: already sent
    assert (await rae.wait_for_answer(again)).text == texts().get("en", "reply.stale")

    # "No, thanks": nothing sent and nothing kept.
    sent = await rae.send("my neighbour has a lovely dog")
    offer = await rae.wait_for(said("messages.offer"), after=sent.message_id)
    await rae.press(offer, "No, thanks")
    await rae.wait_for(said("messages.offer_declined"), after=offer.message_id)
    assert await dialog_data(runtime.db) == []

    # Typed instead of an answer: the offer lapses and the new words are read afresh.
    sent = await rae.send("the weather is grey today")
    offer = await rae.wait_for(said("messages.offer"), after=sent.message_id)
    sent = await rae.send("done")
    await rae.wait_for(said("reply.nothing_open"), after=sent.message_id)
    assert await dialog_data(runtime.db) == []
    await rae.wait_for_edit(offer, lambda m: not buttons(m))  # no keyboard left to press
    late = await rae.press_data(offer, "m:y")
    assert (await rae.wait_for_answer(late)).text == texts().get("en", "reply.stale")

    # A stray word or emoji is not worth an offer; nor is a stranger's text.
    for text in ("hello", "🙂🙂", "18:30"):
        sent = await rae.send(text)
        await rae.wait_for(said("reply.not_understood"), after=sent.message_id)
    sam = stub.user(4001, "Sam")
    sent = await sam.send("is this the physio bot?")
    await sam.wait_for(said("reply.not_understood"), after=sent.message_id)

    stored = await rows(runtime, Message)
    assert [m.text for m in stored] == ["Can I do the bridge on my bed instead of the floor?"]
    assert not [m for m in therapist.messages if "lovely dog" in (m.text or "")]
    assert not [m for m in therapist.messages if "grey" in (m.text or "")]


async def test_message_needs_a_therapist_and_a_short_enough_text(
    stub: BotApiStub, runtime: BotRuntime
) -> None:
    therapist, rae = stub.user(THERAPIST_ID, "Dana", last_name="Physio"), stub.user(2001, "Rae")
    stranger = stub.user(4001, "Sam")
    sent = await stranger.send("/message")
    await stranger.wait_for(said("messages.not_client"), after=sent.message_id)

    await enrol_daily_at_nine_utc(therapist, rae)
    await rae.send("/message")
    sent = await rae.send("x" * 3600)
    await rae.wait_for("under 3500 characters", after=sent.message_id)
    # Still at the step: a shorter one goes through; /cancel would have ended it.
    sent = await rae.send("Shorter now.")
    await rae.wait_for(said("messages.sent"), after=sent.message_id)
    await therapist.wait_for("Shorter now.")
    # A therapist's reply to some other message of the bot is no answer to anyone.
    joined = await therapist.wait_for("Rae joined")
    other = await therapist.send("hello?", reply_to=joined)
    await therapist.wait_for(said("reply.not_understood_therapist"), after=other.message_id)
    assert [m.direction for m in await rows(runtime, Message)] == ["to_therapist"]


async def test_a_client_who_blocked_the_bot_is_reported_to_the_therapist(
    stub: BotApiStub, runtime: BotRuntime
) -> None:
    therapist, rae = stub.user(THERAPIST_ID, "Dana", last_name="Physio"), stub.user(2001, "Rae")
    await enrol_daily_at_nine_utc(therapist, rae)
    await rae.send("/message")
    await rae.send("Quick question about the bridge.")
    relayed = await therapist.wait_for("Message from Rae")
    rae.block()
    answer = await therapist.send("Sure, ask away.", reply_to=relayed)
    await therapist.wait_for(said("messages.client_unreachable"), after=answer.message_id)
    stored = await rows(runtime, Message)
    assert stored[1].delivered_at is None
