"""A therapist writes to a client: "Reply" under a client's message (Tw:<message>) or
"Message client" from the detail (Tm:<client>).

End to end through the stub on both databases: each person reads it in their own
language, both directions are kept sealed, a client who blocked the bot or was
removed costs the therapist nothing they wrote, and forged ids change nothing.
"""

from __future__ import annotations

from bot.app import BotRuntime
from bot.db.models import Client, Message
from bot.sandbox.botapi import BotApiStub, FakeUser, buttons
from tests.conftest import THERAPIST_ID, rows
from tests.journeys import add_therapist, create_client, enrol, enrol_in
from tests.rawdb import stored_strings
from tests.rights_journeys import speaks
from tests.said import said

STALE = "That button has expired. Nothing changed."


async def _two_therapists(
    stub: BotApiStub, rae_speaks: str
) -> tuple[FakeUser, FakeUser, FakeUser, FakeUser]:
    """Dana (an admin) with Rae, who speaks `rae_speaks`; Lee, another therapist, with Kim."""
    dana, lee = stub.user(THERAPIST_ID, "Dana", last_name="Physio"), stub.user(2001, "Lee")
    await add_therapist(dana, lee)
    rae = stub.user(3001, "Rae", language_code=rae_speaks)
    token = await create_client(dana, "Rae", [("Bridge", "3 x 10")])
    await enrol_in(rae_speaks, rae, token, place="Madrid", when="9:00")
    kim = stub.user(3002, "Kim")
    token = await create_client(lee, "Kim", [("Squat", "3 x 8")])
    await enrol(kim, token, place="UTC", when="9am", therapist_name="Lee")
    return dana, lee, rae, kim


async def _press(user: FakeUser, data: str) -> tuple[str | None, int]:
    sent = await user.send("/help")
    message = await user.wait_for("/help", after=sent.message_id)
    query = await user.press_data(message, data)
    return (await user.wait_for_answer(query)).text, message.message_id


async def _write(therapist: FakeUser, data: str, text: str, lang: str = "en") -> int:
    """Press Tm/Tw, wait for the question, type the message; the typed message's id."""
    toast, after = await _press(therapist, data)
    assert toast is None
    key = "client_messages.ask_reply" if data.startswith("Tw") else "client_messages.ask"
    await therapist.wait_for(said(key, lang), after=after)
    return (await therapist.send(text)).message_id


async def test_reply_button_and_message_client_in_each_persons_language(
    stub: BotApiStub, runtime: BotRuntime
) -> None:
    dana, lee, rae, kim = await _two_therapists(stub, "es")
    sent = await rae.send("/message")
    await rae.wait_for(said("messages.ask", "es"), after=sent.message_id)
    await rae.send("¿Puedo hacer el puente en una esterilla?")
    relayed = await dana.wait_for("Message from Rae")
    assert "esterilla" in relayed.body
    await dana.press(relayed, "↩️ Reply")
    await dana.wait_for(said("client_messages.ask_reply"), after=relayed.message_id)
    typed = await dana.send("Yes, a mat is perfect.")
    back = await rae.wait_for(said("messages.from_therapist", "es"), after=sent.message_id)
    assert "Dana Physio" in back.body and "a mat is perfect" in back.body
    await dana.wait_for(said("messages.delivered"), after=typed.message_id)
    # The button stays for a second answer; the dialog does not: plain text is no message.
    (still,) = [m for m in dana.messages if m.message_id == relayed.message_id]
    assert buttons(still) == ["↩️ Reply"]
    plain = await dana.send("thanks")
    await dana.wait_for(said("reply.not_understood_therapist"), after=plain.message_id)

    # Lee, in German, writes to Kim (English) without a message to answer.
    speaks(stub, lee, "de")
    (kim_row,) = [c for c in await rows(runtime, Client) if c.label == "Kim"]
    typed = await _write(lee, f"Tm:{kim_row.id}", "How is the squat going?", "de")
    note = await kim.wait_for(said("messages.from_therapist"))
    assert "How is the squat going?" in note.body and "Lee" in note.body
    await lee.wait_for(said("messages.delivered", "de"), after=typed)

    stored = await rows(runtime, Message)
    assert [(m.direction, m.text) for m in stored] == [
        ("to_therapist", "¿Puedo hacer el puente en una esterilla?"),
        ("to_client", "Yes, a mat is perfect."),
        ("to_client", "How is the squat going?"),
    ]
    assert stored[1].reply_to_id == stored[0].id and stored[2].reply_to_id is None
    assert all(m.delivered_at is not None for m in stored)
    raw = await stored_strings(runtime.db, "message", "text")
    assert all(value and "mat" not in value and "squat" not in value for value in raw)


async def test_forged_blocked_unjoined_and_removed_clients(
    stub: BotApiStub, runtime: BotRuntime
) -> None:
    dana, lee, rae, kim = await _two_therapists(stub, "en")
    await create_client(dana, "Cam", [("Squat", "3 x 8")])
    sent = await rae.send("/message")
    await rae.send("A question for Dana.")
    relayed = await dana.wait_for("Message from Rae")
    typed = await _write(dana, relayed.inline_keyboard[0][0]["callback_data"], "An answer.")
    await dana.wait_for(said("messages.delivered"), after=typed)
    ids = {c.label: c.id for c in await rows(runtime, Client)}
    question, answer = await rows(runtime, Message)
    missing = 10_000 + sum(ids.values())

    # Lee forging Dana's ids reads exactly like pressing nothing, and starts no dialog.
    forged = [f"Tm:{ids['Rae']}", f"Tw:{question.id}", f"Tm:{missing}", f"Tw:{missing}"]
    forged += ["Tm:", "Tw:abc", f"Tm:{ids['Kim']}:1", "Tw:-1"]
    for data in forged:
        assert (await _press(lee, data))[0] == STALE, data
    # Dana's own answer is no client's message to reply to; clients press nothing here.
    assert (await _press(dana, f"Tw:{answer.id}"))[0] == STALE
    assert (await _press(rae, f"Tm:{ids['Rae']}"))[0] == STALE
    plain = await lee.send("hello?")
    await lee.wait_for(said("reply.not_understood_therapist"), after=plain.message_id)
    assert len(await rows(runtime, Message)) == 2
    assert not [m for m in rae.messages if "hello?" in m.body]

    # Not joined yet: nothing to write to.
    _toast, after = await _press(dana, f"Tm:{ids['Cam']}")
    await dana.wait_for(said("client_messages.not_joined"), after=after)

    # Kim blocked the bot: Lee is told, and the message is kept all the same.
    kim.block()
    typed = await _write(lee, f"Tm:{ids['Kim']}", "Still with us?")
    await lee.wait_for(said("messages.client_unreachable"), after=typed)
    kept = (await rows(runtime, Message))[-1]
    assert (kept.text, kept.delivered_at, kept.client_id) == ("Still with us?", None, ids["Kim"])

    # Rae erases her data while Dana is writing: Dana gets her words back.
    _toast, after = await _press(dana, f"Tm:{ids['Rae']}")
    await dana.wait_for(said("client_messages.ask"), after=after)
    sent = await rae.send("/deletemydata")
    question_msg = await rae.wait_for("erases everything I hold about you", after=sent.message_id)
    await rae.press(question_msg, "Yes, erase everything")
    await dana.wait_for("erased", after=after)
    typed = (await dana.send("See you Tuesday.")).message_id
    gone = await dana.wait_for(said("client_messages.gone"), after=typed)
    assert "See you Tuesday." in gone.body
    assert not [m for m in rae.messages if "Tuesday" in m.body]
