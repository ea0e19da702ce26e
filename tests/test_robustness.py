"""Odd input of every kind gets a clear answer or is safely ignored; nothing crashes."""

from __future__ import annotations

from bot.app import BotRuntime
from bot.sandbox.botapi import BotApiStub
from tests.conftest import THERAPIST_ID
from tests.journeys import create_client


async def test_stickers_unknown_commands_and_long_text(
    stub: BotApiStub, runtime: BotRuntime
) -> None:
    ida = stub.user(6001, "Ida")
    sticker = await ida.send_sticker()
    await ida.wait_for("I can only read text", after=sticker.message_id)
    sent = await ida.send("/dance")
    await ida.wait_for("Here's what I can do", after=sent.message_id)
    sent = await ida.send("x" * 4000)
    await ida.wait_for("not sure what you mean", after=sent.message_id)
    sent = await ida.send("done")
    await ida.wait_for("no reminder waiting", after=sent.message_id)
    assert stub.internal_errors == []


async def test_edited_messages_are_not_read_as_answers(
    stub: BotApiStub, runtime: BotRuntime
) -> None:
    ida = stub.user(6001, "Ida")
    sent = await ida.send("hello")
    reply = await ida.wait_for("not sure what you mean", after=sent.message_id)
    await ida.edit(sent, "done")
    edited = await ida.wait_for("only see new messages", after=reply.message_id)
    assert [m.message_id for m in await ida.wait_quiet(0.3)] == []
    assert edited.message_id == ida.last_message.message_id


async def test_forged_and_stale_buttons_are_refused_politely(
    stub: BotApiStub, runtime: BotRuntime
) -> None:
    ida = stub.user(6001, "Ida")
    sent = await ida.send("/help")
    msg = await ida.wait_for("Here's what I can do", after=sent.message_id)
    for data in ("r:999:d", "r:abc:d", "zzz", "f:1:q", "l:1:zz", "n:done", "d:3", "c:y"):
        query_id = await ida.press_data(msg, data)
        answer = await ida.wait_for_answer(query_id)
        assert answer.text, data


async def test_therapist_flow_validates_input_and_can_be_cancelled(
    stub: BotApiStub, runtime: BotRuntime
) -> None:
    therapist = stub.user(THERAPIST_ID, "Dana")
    sent = await therapist.send("/newclient")
    await therapist.wait_for("What name should I show you", after=sent.message_id)
    sent = await therapist.send("y" * 200)
    await therapist.wait_for("short name", after=sent.message_id)
    sent = await therapist.send("/cancel")
    await therapist.wait_for("Cancelled", after=sent.message_id)
    sent = await therapist.send("/cancel")
    await therapist.wait_for("nothing in progress", after=sent.message_id)
    token = await create_client(therapist, "Jo", [("Lunge", "2 x 10")])
    assert token


async def test_time_and_zone_mistakes_are_explained(stub: BotApiStub, runtime: BotRuntime) -> None:
    therapist = stub.user(THERAPIST_ID, "Dana")
    token = await create_client(therapist, "Ola", [("Lunge", "2 x 10")])
    ola = stub.user(6002, "Ola")
    sent = await ola.send(f"/start {token}")
    consent = await ola.wait_for("here is what I keep", after=sent.message_id)
    await ola.press(consent, "Yes, that's fine")
    sent = await ola.send("Atlantis")
    await ola.wait_for('I don\'t know "Atlantis"', after=sent.message_id)
    sent = await ola.send("Sydney")
    await ola.wait_for("Australia/Sydney", after=sent.message_id)
    sent = await ola.send("25:99")
    await ola.wait_for("couldn't read", after=sent.message_id)
    sent = await ola.send("6.45am")
    await ola.wait_for("every day at 6:45 am (Australia/Sydney time)", after=sent.message_id)
