"""Bad input and other people's buttons: a short answer or silence, never a crash,
never a second record, and nothing that tells whether someone else's nudge exists."""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest
from sqlmodel import select

from bot.app import BotRuntime
from bot.clock import ManualClock
from bot.db.models import ConcernReport, Dialog, Nudge, Reply
from bot.sandbox.botapi import BotApiStub, FakeUser, buttons
from bot.sandbox.botapi.models import StoredMessage
from tests.botprocess import free_port
from tests.conftest import THERAPIST_ID, RuntimeFactory, rows, variants
from tests.journeys import create_client, enrol
from tests.test_answers import callback_data

SECRET = "bad-input-webhook-secret"


async def _snapshot(runtime: BotRuntime) -> list[object]:
    """Everything a press could change, as comparable values."""
    tables = (Nudge, Reply, ConcernReport, Dialog)
    snapshot: list[object] = []
    for table in tables:
        async with runtime.db.transaction() as session:
            for row in await session.exec(select(table)):
                snapshot.append(row.model_dump())
    return snapshot


def _nudge_id(message: StoredMessage) -> int:
    return int(callback_data(message)[0].split(":")[1])


async def _client(stub: BotApiStub, user_id: int, name: str) -> FakeUser:
    dana = stub.user(THERAPIST_ID, "Dana")
    person = stub.user(user_id, name)
    token = await create_client(dana, name, [("Bridge", "3 x 10"), ("Plank", "20 s")])
    await enrol(person, token, place="UTC", when="9am", therapist_name="Dana")
    return person


async def test_forged_buttons_for_someone_elses_nudge_read_exactly_like_missing_ones(
    stub: BotApiStub, runtime: BotRuntime, clock: ManualClock
) -> None:
    anna = await _client(stub, 5001, "Anna")
    ben = await _client(stub, 5002, "Ben")
    dana = stub.user(THERAPIST_ID, "Dana")
    # Monday: Anna answers "some of it"; Tuesday "not today"; Wednesday's stays open.
    answered: dict[str, int] = {}
    for day, button in ((23, "Some of it"), (24, "Not today"), (25, None)):
        clock.set(datetime(2026, 11, day, 9, 0, tzinfo=UTC))
        nudge = await anna.wait_for(lambda m, d=day: "Bridge" in m.body and bool(buttons(m)))
        own = await ben.wait_for(lambda m: "Bridge" in m.body and bool(buttons(m)))
        answered[button or "open"] = _nudge_id(nudge)
        if button:
            await anna.press(nudge, button)
            await anna.wait_for(lambda m, n=nudge: m.message_id > n.message_id and bool(buttons(m)))
    some, not_today, still_open = answered["Some of it"], answered["Not today"], answered["open"]
    forged = [
        f"r:{still_open}:d",
        f"r:{still_open}:n",
        f"r:{some}:d",
        f"l:{still_open}:h",
        f"l:{still_open}:e",
        f"l:{still_open}:p",
        f"l:{still_open}:x",
        f"f:{some}:p",
        f"e:{some}:1",
        f"b:{not_today}:s",
        f"b:{not_today}:o",
    ]
    await ben.wait_quiet(0.3)  # the engine records Wednesday's sends
    before = await _snapshot(runtime)
    anna_seen = [(m.message_id, m.edits) for m in anna.messages]
    dana_seen = len(dana.messages)
    ben_seen = len(ben.messages)
    missing_id = 987_654
    for data in forged:
        prefix, _id, code = data.split(":")
        answers = []
        for target in (data, f"{prefix}:{missing_id}:{code}"):
            query = await ben.press_data(own, target)
            answer = await ben.wait_for_answer(query)
            answers.append((answer.text, answer.show_alert, answer.url))
        assert answers[0] == answers[1], data
        assert answers[0][0] == "That button has expired. Nothing changed."
    await ben.wait_quiet(0.3)
    assert await _snapshot(runtime) == before
    assert [(m.message_id, m.edits) for m in anna.messages] == anna_seen
    assert len(dana.messages) == dana_seen
    assert len(ben.messages) == ben_seen  # no dialog started, no message sent
    assert buttons(own)  # Ben's own nudge keeps its buttons


async def test_odd_messages_get_a_short_answer_and_record_nothing(
    stub: BotApiStub, runtime: BotRuntime, clock: ManualClock
) -> None:
    ida = await _client(stub, 6101, "Ida")
    clock.set(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    nudge = await ida.wait_for("Bridge: 3 x 10")
    photo = await ida.send_photo(caption="my mat")
    await ida.wait_for("I can only read text", after=photo.message_id)
    voice = ida._stub.state.add_message(
        ida._chat,
        from_bot=False,
        content={"voice": {"file_id": "v1", "file_unique_id": "u1", "duration": 3}},
    )
    stub.push_update("message", voice.to_api())
    await ida.wait_for("I can only read text", after=voice.message_id)
    for text, answer in (
        ("🙂🙂", "not sure what you mean"),
        ("x" * 4096, "not sure what you mean"),
        ("/dance", "Here's what I can do"),
    ):
        sent = await ida.send(text)
        await ida.wait_for(answer, after=sent.message_id)
    # Two taps on Done and a typed "done" after: one answer recorded.
    await ida.press(nudge, "Done")
    await ida.wait_for("How did it feel?", after=nudge.message_id)
    old = callback_data(nudge) or [f"r:{_nudge_id_from_rows(await rows(runtime, Nudge))}:d"]
    query = await ida.press_data(nudge, old[0])
    assert "Already noted" in ((await ida.wait_for_answer(query)).text or "")
    sent = await ida.send("done")
    await ida.wait_for("no reminder waiting", after=sent.message_id)
    assert [(r.kind, r.source) for r in await rows(runtime, Reply)] == [("done", "button")]
    assert stub.internal_errors == []


def _nudge_id_from_rows(nudges: list[Nudge]) -> int:
    assert nudges[0].id is not None
    return nudges[0].id


async def test_the_bot_asks_telegram_only_for_what_it_handles(
    stub: BotApiStub, runtime: BotRuntime
) -> None:
    poll = await stub.wait_for_call("getUpdates", completed=False)
    allowed = poll.params["allowed_updates"]
    assert sorted(json.loads(allowed) if isinstance(allowed, str) else allowed) == [
        "callback_query",
        "edited_message",
        "message",
    ]


def _user(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": "Wes", "language_code": "en"}


def _strays(user_id: int) -> list[dict[str, Any]]:
    """Update kinds the bot did not ask for, or from places it does not serve."""
    now = int(time.time())
    user = _user(user_id)
    private = {"id": user_id, "type": "private", "first_name": "Wes"}
    group = {"id": -100123, "type": "supergroup", "title": "Clinic team"}
    channel = {"id": -100456, "type": "channel", "title": "Clinic news"}
    member = {"user": {"id": 42, "is_bot": True, "first_name": "Bot"}, "status": "member"}
    left = {"user": {"id": 42, "is_bot": True, "first_name": "Bot"}, "status": "left"}
    text = {"message_id": 7, "date": now, "text": "done"}
    return [
        {"channel_post": {**text, "chat": channel}},
        {"edited_channel_post": {**text, "chat": channel, "edit_date": now}},
        {"message": {**text, "chat": group, "from": user}},
        {
            "message": {
                **text,
                "text": "/help",
                "chat": group,
                "from": user,
                "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
            }
        },
        {"edited_message": {**text, "chat": group, "from": user, "edit_date": now}},
        {
            "business_message": {
                **text,
                "chat": private,
                "from": user,
                "business_connection_id": "b",
            }
        },
        {
            "callback_query": {
                "id": "inline-1",
                "from": user,
                "inline_message_id": "AAAA",
                "chat_instance": "1",
                "data": "r:1:d",
            }
        },
        {
            "my_chat_member": {
                "chat": private,
                "from": user,
                "date": now,
                "old_chat_member": member,
                "new_chat_member": {**left, "status": "kicked", "until_date": 0},
            }
        },
        {
            "chat_member": {
                "chat": group,
                "from": user,
                "date": now,
                "old_chat_member": left,
                "new_chat_member": member,
            }
        },
    ]


async def test_update_kinds_it_does_not_serve_are_ignored_without_a_word(
    stub: BotApiStub, start_bot: RuntimeFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """Through a webhook every kind arrives, asked for or not: all ignored, no error."""
    port = free_port()
    await start_bot(
        webhook_url="https://bot.example.test/base",
        webhook_listen="127.0.0.1",
        webhook_port=port,
        webhook_secret=SECRET,
    )
    stub.user(7801, "Wes")
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    url = f"http://127.0.0.1:{port}/telegram"
    caplog.set_level(logging.WARNING)
    stub.clear_calls()
    async with aiohttp.ClientSession() as http:
        for update_id, stray in enumerate(_strays(7801), start=1):
            async with http.post(url, json={"update_id": update_id, **stray}, headers=headers) as r:
                assert r.status == 200
        # Then a plain private message, answered: the strays did not stop the bot.
        help_update = {
            "update_id": 99,
            "message": {
                "message_id": 8,
                "date": int(time.time()),
                "chat": {"id": 7801, "type": "private", "first_name": "Wes"},
                "from": _user(7801),
                "text": "/help",
                "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
            },
        }
        async with http.post(url, json=help_update, headers=headers) as r:
            assert r.status == 200
    call = await stub.wait_for_call("sendMessage", after=0)
    assert call.params["chat_id"] == 7801 and "Here's what I can do" in str(call.params["text"])
    answered = [c.method for c in stub.calls if c.method != "getUpdates"]
    assert answered == ["sendMessage"]
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_group_messages_and_inline_presses_are_ignored_when_polling(
    stub: BotApiStub, runtime: BotRuntime
) -> None:
    wes = stub.user(7802, "Wes")
    stub.clear_calls()
    for stray in _strays(7802):
        [(kind, payload)] = stray.items()
        if kind in ("message", "callback_query"):
            stub.push_update(kind, payload)
    sent = await wes.send("/help")
    await wes.wait_for("Here's what I can do", after=sent.message_id)
    methods = [c.method for c in stub.calls if c.method not in ("getUpdates",)]
    assert methods == ["sendMessage"]
    assert variants("reply.stale")  # the copy exists, and was not used here
