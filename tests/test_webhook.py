"""Webhook mode: the bot registers its URL, answers updates POSTed with the secret, and
serves /healthz and /metrics on the same port."""

from __future__ import annotations

import json
import time

import aiohttp

from bot.app import BotRuntime
from bot.sandbox.botapi import BotApiStub
from tests.botprocess import free_port
from tests.conftest import RuntimeFactory
from tests.scrape import get, sample

SECRET = "webhook-secret-for-tests"


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


async def _webhook_bot(start_bot: RuntimeFactory) -> BotRuntime:
    return await start_bot(
        webhook_url="https://bot.example.test/base",
        webhook_listen="127.0.0.1",
        webhook_port=free_port(),
        webhook_secret=SECRET,
    )


async def test_webhook_registers_and_answers(stub: BotApiStub, start_bot: RuntimeFactory) -> None:
    runtime = await _webhook_bot(start_bot)
    port = runtime.settings.webhook_port
    [registered] = stub.calls_to("setWebhook")
    assert registered.params["url"] == "https://bot.example.test/base/telegram"
    assert registered.params["secret_token"] == SECRET
    assert "message" in registered.params["allowed_updates"]
    assert stub.calls_to("getUpdates") == []  # no polling beside the webhook
    stub.user(7701, "Wes")
    url = f"http://127.0.0.1:{port}/telegram"
    async with aiohttp.ClientSession() as http:
        async with http.post(url, json=_update(1, 7701, "/help")) as refused:
            assert refused.status == 403  # no secret, no entry
        wrong = {"X-Telegram-Bot-Api-Secret-Token": SECRET + "x"}
        async with http.post(url, json=_update(3, 7701, "/help"), headers=wrong) as refused:
            assert refused.status == 403
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        async with http.post(url, json=_update(2, 7701, "/help"), headers=headers) as ok:
            assert ok.status == 200
    call = await stub.wait_for_call(
        "sendMessage", lambda c: c.params.get("chat_id") == 7701, after=0
    )
    assert "Here's what I can do" in str(call.params.get("text"))
    assert len([c for c in stub.calls_to("sendMessage") if c.params.get("chat_id") == 7701]) == 1


async def test_webhook_port_serves_health_and_metrics(
    stub: BotApiStub, start_bot: RuntimeFactory
) -> None:
    runtime = await _webhook_bot(start_bot)
    base = f"http://127.0.0.1:{runtime.settings.webhook_port}"
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{base}/telegram", data=b"{not json", headers=headers) as bad:
            assert bad.status == 400
        async with http.post(f"{base}/telegram", json=[1, 2], headers=headers) as bad:
            assert bad.status == 400
    status, body = await get(f"{base}/healthz")
    assert (status, json.loads(body)) == (200, {"status": "ok"})
    status, exposition = await get(f"{base}/metrics")
    assert status == 200
    assert sample(exposition, "bot_updates_total") == 0  # refused calls are not updates
