"""The sandbox's page endpoints, in-process and without a browser (the browser test is
tests/test_sandbox_browser.py): each acts as a person would, and the page sees what
Telegram would show."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.sandbox.page import build_app
from bot.sandbox.world import Sandbox
from tests.botprocess import REPO


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    world = await Sandbox.start()
    yield world
    await world.stop()


@pytest.fixture
async def page(sandbox: Sandbox) -> AsyncIterator[TestClient[Any, Any]]:
    async with TestClient(TestServer(build_app(sandbox))) as client:
        yield client


async def _chat_after(page: TestClient[Any, Any], key: str, text: str) -> dict[str, Any]:
    """Long-poll the page's state until a bot message in `key`'s chat says `text`."""
    version = 0
    for _ in range(50):
        state = await (await page.get(f"/api/state?since={version}")).json()
        version = state["version"]
        chat = next(c for c in state["chats"] if c["key"] == key)
        found = [m for m in chat["messages"] if m["from_bot"] and text in (m["text"] or "")]
        if found:
            return chat
    raise AssertionError(f"{text!r} never came to {key}")


async def test_the_page_and_its_menus(page: TestClient[Any, Any]) -> None:
    html = await (await page.get("/")).text()
    assert "/static/app.js" in html and "ff-next" in html
    assert (await page.get("/static/app.js")).status == 200
    state = await (await page.get("/api/state")).json()
    menus = {c["key"]: [cmd["command"] for cmd in c["commands"]] for c in state["chats"]}
    assert "newclient" in menus["therapist"]  # the therapist's own menu, by chat scope
    assert "newclient" not in menus["client1"] and "progress" in menus["client1"]
    descriptions = {c["key"]: str(c["commands"]) for c in state["chats"]}
    assert descriptions["client1"] != descriptions["client2"]  # Lucía's is in Spanish


async def test_typing_a_command_as_the_therapist(page: TestClient[Any, Any]) -> None:
    sent = await page.post("/api/send", json={"user": "therapist", "text": "/newclient"})
    assert sent.status == 200
    chat = await _chat_after(page, "therapist", "What name should I show you")
    assert chat["messages"][0]["text"] == "/newclient"
    assert chat["messages"][0]["entities"] == [{"type": "bot_command", "offset": 0, "length": 10}]
    refused = await page.post("/api/send", json={"user": "nobody", "text": "hi"})
    assert refused.status == 400


async def test_a_bundled_photo_is_sent_and_served(
    page: TestClient[Any, Any], sandbox: Sandbox
) -> None:
    state = await (await page.get("/api/state")).json()
    name = state["photos"][0]
    sent = await page.post("/api/photo", json={"user": "client2", "name": name, "caption": "x"})
    assert sent.status == 200
    photo = sandbox.users["client2"].history[-1]
    file_id = photo.content["photo"][-1]["file_id"]
    served = await page.get(f"/media/{file_id}")
    assert served.status == 200 and (await served.read()).startswith(b"\x89PNG")
    assert (await page.get("/media/nope")).status == 404
    unknown = await page.post("/api/photo", json={"user": "client2", "name": "../x.png"})
    assert unknown.status == 400


async def test_fast_forward(page: TestClient[Any, Any], sandbox: Sandbox) -> None:
    answer = await (await page.post("/api/clock", json={"by": "next"})).json()
    assert answer == {"ok": False, "now": answer["now"], "note": "nothing is scheduled yet"}
    before = sandbox.clock.now()
    await page.post("/api/clock", json={"by": "day"})
    assert sandbox.clock.now() - before >= timedelta(days=1)
    assert (await page.post("/api/clock", json={"by": "year"})).status == 400


async def test_sharing_a_city_answers_the_zone_question(
    page: TestClient[Any, Any], sandbox: Sandbox
) -> None:
    sent = await page.post("/api/location", json={"user": "client1", "city": "Madrid"})
    assert sent.status == 200
    location = sandbox.users["client1"].history[-1].content["location"]
    assert round(location["latitude"]) == 40
    assert (
        await page.post("/api/location", json={"user": "client1", "city": "Atlantis"})
    ).status == 400


def test_a_taken_port_is_one_line(tmp_path: Any) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "bot", "sandbox", "--port", str(port)],
            cwd=tmp_path,
            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"error: port {port} is not free (Address already in use); try --port 8081"
    ]
