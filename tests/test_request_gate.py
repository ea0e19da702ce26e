"""The request gate: a request completes only once its gate says yes.

Why these tests: the engine commits "this nudge is being sent" inside the gate, so a crash can
lose a nudge only in the instant between that commit and the request's last byte. That holds
only if the server really cannot act on the request before the gate opens, if a closed or
failing gate leaves nothing behind on the server, and if the connection stays usable after.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest
from telegram import Bot
from telegram.error import NetworkError

from bot.sandbox.botapi import BotApiStub
from bot.transport import AiohttpRequest, RequestGate, RequestWithheld, gated

TOKEN = "123456789:TEST-token-for-the-local-stub-only"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40


@pytest.fixture
async def stub() -> AsyncIterator[BotApiStub]:
    async with BotApiStub(TOKEN) as server:
        yield server


@pytest.fixture
async def bot(stub: BotApiStub) -> AsyncIterator[Bot]:
    async with Bot(
        TOKEN,
        base_url=f"{stub.url}/bot",
        request=AiohttpRequest(connection_pool_size=1),  # one connection: reuse is tested
        get_updates_request=AiohttpRequest(connection_pool_size=1),
    ) as bot:
        yield bot


def watching_gate(stub: BotApiStub, method: str, answer: bool) -> tuple[RequestGate, list[int]]:
    """A gate that notes how many ``method`` requests the server had seen when it ran."""
    seen: list[int] = []

    async def gate() -> bool:
        await asyncio.sleep(0.1)  # time enough for the server to act on a whole request
        seen.append(len(stub.calls_to(method)))
        return answer

    return gate, seen


async def test_server_sees_nothing_until_the_gate_opens(stub: BotApiStub, bot: Bot) -> None:
    alice = stub.user(1001, "Alice")
    gate, seen = watching_gate(stub, "sendMessage", True)
    with gated(gate):
        message = await bot.send_message(alice.id, "Time for your exercise 🌿")
    assert seen == [0]
    assert message.text == "Time for your exercise 🌿"
    assert [c.params["text"] for c in stub.calls_to("sendMessage")] == [message.text]


async def test_closed_gate_withholds_the_request_and_the_connection_recovers(
    stub: BotApiStub, bot: Bot
) -> None:
    alice = stub.user(1001, "Alice")
    gate, seen = watching_gate(stub, "sendMessage", False)
    with gated(gate), pytest.raises(RequestWithheld):
        await bot.send_message(alice.id, "never sent")
    await asyncio.sleep(0.1)
    assert seen == [0]
    assert stub.calls_to("sendMessage") == []
    # The half-written request must not poison the next one on the same pool.
    assert (await bot.send_message(alice.id, "sent")).text == "sent"
    assert [c.params["text"] for c in stub.calls_to("sendMessage")] == ["sent"]


async def test_failing_gate_is_a_network_error_and_sends_nothing(
    stub: BotApiStub, bot: Bot
) -> None:
    alice = stub.user(1001, "Alice")

    async def gate() -> bool:
        raise RuntimeError("database unavailable")

    with gated(gate), pytest.raises(NetworkError) as caught:
        await bot.send_message(alice.id, "never sent")
    assert not isinstance(caught.value, RequestWithheld)
    assert "database unavailable" in caught.value.message
    await asyncio.sleep(0.1)
    assert stub.calls_to("sendMessage") == []
    assert (await bot.send_message(alice.id, "sent")).text == "sent"


@pytest.mark.parametrize(
    ("method", "call"),
    [
        ("sendPhoto", lambda bot, chat: bot.send_photo(chat, PNG, caption="cap")),
        ("getMe", lambda bot, chat: bot.get_me()),
    ],
    ids=["multipart", "no-body"],
)
async def test_uploads_and_bodiless_requests_are_gated_too(
    stub: BotApiStub, bot: Bot, method: str, call: Callable[[Bot, int], object]
) -> None:
    alice = stub.user(1001, "Alice")
    before = len(stub.calls_to(method))
    gate, seen = watching_gate(stub, method, False)
    with gated(gate), pytest.raises(RequestWithheld):
        await call(bot, alice.id)  # type: ignore[misc]
    await asyncio.sleep(0.1)
    assert seen == [before]
    assert len(stub.calls_to(method)) == before
    gate, seen = watching_gate(stub, method, True)
    with gated(gate):
        await call(bot, alice.id)  # type: ignore[misc]
    assert seen == [before]
    assert len(stub.calls_to(method)) == before + 1


async def test_gate_runs_once_per_request_and_only_inside_the_block(
    stub: BotApiStub, bot: Bot
) -> None:
    alice = stub.user(1001, "Alice")
    runs = 0

    async def gate() -> bool:
        nonlocal runs
        runs += 1
        return True

    with gated(gate):
        await bot.send_message(alice.id, "one")
        await bot.send_message(alice.id, "two")
    await bot.send_message(alice.id, "three")
    assert runs == 2
    assert len(stub.calls_to("sendMessage")) == 3
