"""Webhook mode: the bot registers its URL and answers updates POSTed to it."""

from __future__ import annotations

import socket
import time

import aiohttp

from tests.botapi_stub import BotApiStub
from tests.conftest import RuntimeFactory

SECRET = "webhook-secret-for-tests"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _update(update_id: int, user_id: int, text: str) -> dict[str, object]:
    user = {"id": user_id, "is_bot": False, "first_name": "Wes", "language_code": "en"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private", "first_name": "Wes"},
            "from": user,
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}],
        },
    }


async def test_webhook_registers_and_answers(stub: BotApiStub, start_bot: RuntimeFactory) -> None:
    port = _free_port()
    await start_bot(
        webhook_url="https://bot.example.test/base",
        webhook_listen="127.0.0.1",
        webhook_port=port,
        webhook_secret=SECRET,
    )
    [registered] = stub.calls_to("setWebhook")
    assert registered.params["url"] == "https://bot.example.test/base/telegram"
    assert registered.params["secret_token"] == SECRET
    stub.user(7701, "Wes")
    url = f"http://127.0.0.1:{port}/telegram"
    async with aiohttp.ClientSession() as http:
        async with http.post(url, json=_update(1, 7701, "/help")) as refused:
            assert refused.status == 403  # no secret, no entry
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        async with http.post(url, json=_update(2, 7701, "/help"), headers=headers) as ok:
            assert ok.status == 200
    call = await stub.wait_for_call(
        "sendMessage", lambda c: c.params.get("chat_id") == 7701, after=0
    )
    assert "Here's what I can do" in str(call.params.get("text"))
    assert len([c for c in stub.calls_to("sendMessage") if c.params.get("chat_id") == 7701]) == 1
