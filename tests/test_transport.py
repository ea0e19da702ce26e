"""AiohttpRequest is a drop-in replacement for PTB's HTTPXRequest.

Why these tests: the transport sits under every Bot API call, and our retry logic keys on PTB's
exception types. So each behaviour is checked against what ``HTTPXRequest`` does for the same
call: the request bytes on the wire, the parameters the (stub) server decodes, the exception
raised for each failure, and the timeouts.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dtm
import json
import re
import socket
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

import pytest
from aiohttp import web
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    InputMediaPhoto,
    Update,
)
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters
from telegram.request import BaseRequest, HTTPXRequest

from bot.sandbox.botapi import BotApiStub, UploadedFile
from bot.transport import AiohttpRequest

TOKEN = "123456789:TEST-token-for-the-local-stub-only"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40

# PTB reads the deprecated int ``retry_after`` itself when building RetryAfter (v22.2+).
pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")

RequestFactory = Callable[..., BaseRequest]
TRANSPORTS: dict[str, RequestFactory] = {"httpx": HTTPXRequest, "aiohttp": AiohttpRequest}


@pytest.fixture
async def stub() -> AsyncIterator[BotApiStub]:
    async with BotApiStub(TOKEN) as server:
        yield server


@contextlib.asynccontextmanager
async def make_bot(
    base: str,
    factory: RequestFactory = AiohttpRequest,
    *,
    initialize: bool = True,
    **request_kwargs: Any,
) -> AsyncIterator[Bot]:
    """A Bot on ``base`` (a server URL) whose two request objects come from ``factory``.

    The request objects are shut down explicitly: ``Bot.shutdown`` skips them when the bot
    never finished initializing (as when the server is unreachable).
    """
    request = factory(**request_kwargs)
    updates_request = factory(**{**request_kwargs, "connection_pool_size": 1})
    bot = Bot(
        TOKEN,
        base_url=f"{base}/bot",
        base_file_url=f"{base}/file/bot",
        request=request,
        get_updates_request=updates_request,
    )
    try:
        if initialize:
            async with bot:
                yield bot
        else:
            yield bot
    finally:
        await request.shutdown()
        await updates_request.shutdown()


def keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("Done ✅", callback_data="done:42")],
            [
                InlineKeyboardButton("Later", callback_data="later"),
                InlineKeyboardButton("Help", url="https://example.org/help?a=1&b=2"),
            ],
        ]
    )


def retry_after_seconds(exc: RetryAfter) -> float:
    value = exc.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


# -- basic calls through the stub -------------------------------------------------------------


async def test_get_me(stub: BotApiStub) -> None:
    async with make_bot(stub.url) as bot:
        me = await bot.get_me()
    assert me.id == stub.bot_id
    assert me.username == stub.bot_username
    assert me.is_bot


async def test_send_message_params_arrive_exactly_as_with_httpx(stub: BotApiStub) -> None:
    alice = stub.user(1001, "Alice")
    text = "Time for your exercise 🌿 — 5 min & breathe = calm? 100% «yes»"
    for factory in TRANSPORTS.values():
        async with make_bot(stub.url, factory) as bot:
            message = await bot.send_message(
                alice.id,
                text,
                reply_markup=keyboard(),
                disable_notification=True,
                protect_content=False,
            )
        assert message.text == text
        assert message.reply_markup == keyboard()

    via_httpx, via_aiohttp = stub.calls_to("sendMessage")
    assert via_aiohttp.params == via_httpx.params
    assert via_aiohttp.params["reply_markup"]["inline_keyboard"][0][0]["text"] == "Done ✅"
    assert via_aiohttp.params["chat_id"] == alice.id
    assert via_aiohttp.params["disable_notification"] is True
    assert via_aiohttp.ok and via_httpx.ok


async def test_send_photo_uploads_bytes_as_multipart(stub: BotApiStub) -> None:
    alice = stub.user(1001, "Alice")
    for factory in TRANSPORTS.values():
        async with make_bot(stub.url, factory) as bot:
            message = await bot.send_photo(
                alice.id, PNG, caption="Today's worksheet", filename="sheet.png"
            )
            assert message.caption == "Today's worksheet"
            # The download goes through base_file_url (a GET via BaseRequest.retrieve).
            file = await bot.get_file(message.photo[-1].file_id)
            assert bytes(await file.download_as_bytearray()) == PNG

    via_httpx, via_aiohttp = stub.calls_to("sendPhoto")
    assert via_aiohttp.params == via_httpx.params
    upload = via_aiohttp.params["photo"]
    assert isinstance(upload, UploadedFile)
    assert (upload.filename, upload.content_type, upload.data) == ("sheet.png", "image/png", PNG)


async def test_get_updates_long_polls(stub: BotApiStub) -> None:
    alice = stub.user(1001, "Alice")
    # A long poll longer than read_timeout must not time out: PTB adds the poll timeout to
    # the request's read_timeout property.
    async with make_bot(stub.url, read_timeout=0.5) as bot:
        started = time.monotonic()
        assert await bot.get_updates(timeout=1) == ()
        assert time.monotonic() - started >= 0.9

        poll = asyncio.create_task(bot.get_updates(timeout=10))
        await asyncio.sleep(0.2)
        assert not poll.done()  # the request is held open by the server
        await alice.send("hello")
        updates = await asyncio.wait_for(poll, 5)

    assert [u.message.text for u in updates if u.message] == ["hello"]
    assert updates[0].message.chat.id == alice.id


# -- error mapping ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fault:
    status: int
    description: str | None = None
    retry_after: int | None = None


FAULTS = {
    "429": (Fault(429, retry_after=7), RetryAfter),
    "403": (Fault(403, "Forbidden: bot was blocked by the user"), Forbidden),
    "400": (Fault(400, "Bad Request: chat not found"), BadRequest),
    "500": (Fault(500, "Internal Server Error"), NetworkError),
    "502": (Fault(502, "Bad Gateway"), NetworkError),
}


@pytest.mark.parametrize("fault_name", list(FAULTS))
async def test_http_errors_raise_the_same_exceptions_as_httpx(
    stub: BotApiStub, fault_name: str
) -> None:
    fault, expected = FAULTS[fault_name]
    alice = stub.user(1001, "Alice")
    raised: dict[str, Exception] = {}
    for name, factory in TRANSPORTS.items():
        async with make_bot(stub.url, factory) as bot:
            stub.fail_next(
                "sendMessage",
                status=fault.status,
                description=fault.description,
                retry_after=fault.retry_after,
            )
            with pytest.raises(expected) as caught:
                await bot.send_message(alice.id, "nudge")
            raised[name] = caught.value
            # The connection stays usable after an error response.
            assert (await bot.send_message(alice.id, "again")).text == "again"

    assert type(raised["aiohttp"]) is type(raised["httpx"])
    assert raised["aiohttp"].message == raised["httpx"].message
    if isinstance(raised["aiohttp"], RetryAfter):
        assert retry_after_seconds(raised["aiohttp"]) == 7
    if fault.description:  # PTB trims "Bad Request: " etc. from some descriptions
        assert fault.description.split(": ")[-1].lower() in raised["aiohttp"].message.lower()


async def test_response_slower_than_read_timeout_raises_timed_out(stub: BotApiStub) -> None:
    alice = stub.user(1001, "Alice")
    async with make_bot(stub.url, read_timeout=0.3) as bot:
        stub.delay_next("sendMessage", 2.0)
        started = time.monotonic()
        with pytest.raises(TimedOut):
            await bot.send_message(alice.id, "slow")
        assert time.monotonic() - started < 1.5
        # A per-call read_timeout overrides the instance default (DEFAULT_NONE semantics).
        stub.delay_next("sendMessage", 0.5)
        assert (await bot.send_message(alice.id, "patient", read_timeout=3)).text == "patient"
        assert (await bot.send_message(alice.id, "fresh")).text == "fresh"


async def test_closed_port_raises_network_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with make_bot(f"http://127.0.0.1:{port}", initialize=False) as bot:
        with pytest.raises(NetworkError) as caught:
            await bot.get_me()
    assert not isinstance(caught.value, TimedOut)
    assert "aiohttp.ClientConnectorError" in caught.value.message


async def test_exhausted_pool_raises_timed_out_without_sending(stub: BotApiStub) -> None:
    alice = stub.user(1001, "Alice")
    async with make_bot(stub.url, connection_pool_size=1, pool_timeout=0.2) as bot:
        stub.delay_next("sendMessage", 1.0)
        slow = asyncio.create_task(bot.send_message(alice.id, "holds the only connection"))
        await asyncio.sleep(0.1)
        with pytest.raises(TimedOut, match="Pool timeout"):
            await bot.send_message(alice.id, "no connection for me")
        assert (await slow).text == "holds the only connection"
    assert [c.params["text"] for c in stub.calls_to("sendMessage")] == ["holds the only connection"]


@pytest.mark.parametrize("transport", list(TRANSPORTS))
async def test_stalled_upload_raises_timed_out_after_media_write_timeout(transport: str) -> None:
    # A server that accepts connections but never reads: the upload fills the socket buffers
    # and the write blocks until media_write_timeout (the default for uploads) expires.
    with socket.socket() as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        base = f"http://127.0.0.1:{server.getsockname()[1]}"
        factory = TRANSPORTS[transport]
        async with make_bot(
            base, factory, initialize=False, write_timeout=30, media_write_timeout=0.3
        ) as bot:
            started = time.monotonic()
            with pytest.raises(TimedOut):
                await bot.send_document(1, b"x" * (32 << 20), filename="big.bin")
            assert time.monotonic() - started < 5


# -- proxies ------------------------------------------------------------------------------------


@pytest.fixture
def clean_proxy_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    return monkeypatch


async def test_proxies_are_used_like_httpx(clean_proxy_env: pytest.MonkeyPatch) -> None:
    # The capture server plays an HTTP proxy: requests for an unresolvable host reach it.
    unreachable = "http://api.telegram.invalid"
    async with CaptureServer() as proxy:
        clean_proxy_env.setenv("HTTP_PROXY", proxy.url)
        for factory in TRANSPORTS.values():
            async with make_bot(unreachable, factory, initialize=False) as bot:
                assert (await bot.get_me()).username == "b_bot"
        async with make_bot(unreachable, proxy=proxy.url, initialize=False) as bot:
            clean_proxy_env.delenv("HTTP_PROXY")
            assert (await bot.get_me()).username == "b_bot"
    assert [r.path for r in proxy.requests] == [f"/bot{TOKEN}/getMe"] * 3

    with pytest.raises(ValueError, match="SOCKS"):
        AiohttpRequest(proxy="socks5://127.0.0.1:1080")


async def test_no_proxy_bypasses_the_proxy(
    stub: BotApiStub, clean_proxy_env: pytest.MonkeyPatch
) -> None:
    clean_proxy_env.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # nothing listens there
    clean_proxy_env.setenv("NO_PROXY", "127.0.0.1")
    async with make_bot(stub.url) as bot:
        assert (await bot.get_me()).id == stub.bot_id


# -- lifecycle ----------------------------------------------------------------------------------


async def test_lifecycle_lazy_init_idempotent_shutdown_and_reinit(stub: BotApiStub) -> None:
    request = AiohttpRequest(read_timeout=2.5)
    assert request.read_timeout == 2.5
    url = f"{stub.url}/bot{TOKEN}/getMe"

    # Usable before initialize(), as HTTPXRequest is.
    assert (await request.post(url))["id"] == stub.bot_id
    await request.shutdown()
    await request.shutdown()
    with pytest.raises(NetworkError, match="not initialized"):
        await request.post(url)

    await request.initialize()
    await request.initialize()
    assert (await request.post(url))["id"] == stub.bot_id
    await request.shutdown()

    async with AiohttpRequest() as again:
        assert (await again.post(url))["id"] == stub.bot_id


async def test_application_builder_polls_and_shuts_down_cleanly(stub: BotApiStub) -> None:
    request = AiohttpRequest()
    updates_request = AiohttpRequest(connection_pool_size=1)
    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(f"{stub.url}/bot")
        .base_file_url(f"{stub.url}/file/bot")
        .request(request)
        .get_updates_request(updates_request)
        .build()
    )

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await update.message.reply_text(f"echo: {update.message.text}", reply_markup=keyboard())

    app.add_handler(MessageHandler(filters.TEXT, echo))
    alice = stub.user(1001, "Alice")

    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(timeout=1, poll_interval=0)
    sent = await alice.send("ping")
    reply = await alice.wait_for("echo: ping", after=sent.message_id)
    assert reply.reply_markup is not None
    await app.updater.stop()
    await app.stop()
    await app.shutdown()

    url = f"{stub.url}/bot{TOKEN}/getMe"
    for closed in (request, updates_request):
        with pytest.raises(NetworkError, match="not initialized"):
            await closed.post(url)
    assert not stub.internal_errors


# -- wire format ----------------------------------------------------------------------------------


@dataclass
class Captured:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class CaptureServer:
    """Records raw requests (headers + body bytes) and answers with minimal valid results."""

    def __init__(self) -> None:
        self.requests: list[Captured] = []
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def __aenter__(self) -> CaptureServer:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._runner is not None
        await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        keep = ("Content-Type", "Content-Length", "Transfer-Encoding", "User-Agent")
        self.requests.append(
            Captured(
                method=request.method,
                path=request.path,
                headers={name: request.headers[name] for name in keep if name in request.headers},
                body=await request.read(),
            )
        )
        message = {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}}
        results: dict[str, Any] = {
            "getMe": {"id": 123456789, "is_bot": True, "first_name": "B", "username": "b_bot"},
            "sendMediaGroup": [message, message],
        }
        return web.json_response({"ok": True, "result": results.get(method, message)})

    def normalized(self) -> Iterator[tuple[str, str, dict[str, str], bytes]]:
        """Requests with random multipart boundaries and attachment names made fixed."""
        for r in self.requests:
            headers, body = dict(r.headers), r.body
            found = re.search(r"boundary=(\S+)", headers.get("Content-Type", ""))
            if found:
                boundary = found.group(1)
                headers["Content-Type"] = headers["Content-Type"].replace(boundary, "B")
                body = body.replace(boundary.encode(), b"B")
            # PTB names media-group attachments with random uuids.
            for index, name in enumerate(dict.fromkeys(re.findall(rb"attached[0-9a-f]{32}", body))):
                body = body.replace(name, b"attached%d" % index)
            yield r.method, r.path, headers, body


async def _wire_calls(bot: Bot, handle_path: str) -> None:
    await bot.get_me()
    await bot.send_message(1, "Hello & welcome — 🌿 + 100%", reply_markup=keyboard())
    await bot.send_photo(1, PNG, caption="cap", filename='odd "name"\\ü.png')
    handle = await asyncio.to_thread(open, handle_path, "rb")
    with handle:
        # read_file_handle=False makes PTB pass the handle itself; it is sent in chunks.
        await bot.send_document(1, InputFile(handle, read_file_handle=False), caption="doc")
    await bot.send_media_group(
        1, [InputMediaPhoto(PNG, caption="one"), InputMediaPhoto(PNG[::-1], caption="two")]
    )


async def test_wire_bytes_identical_to_httpx(tmp_path: Any) -> None:
    document = tmp_path / "notes.txt"
    document.write_bytes(b"line\n" * 30_000)
    seen: dict[str, list[tuple[str, str, dict[str, str], bytes]]] = {}
    for name, factory in TRANSPORTS.items():
        async with CaptureServer() as server:
            async with make_bot(server.url, factory) as bot:
                await _wire_calls(bot, str(document))
            seen[name] = list(server.normalized())

    assert len(seen["aiohttp"]) == len(seen["httpx"]) > 5
    for via_httpx, via_aiohttp in zip(seen["httpx"], seen["aiohttp"], strict=True):
        assert via_aiohttp == via_httpx
    methods = [path.rsplit("/", 1)[1] for _, path, _, _ in seen["aiohttp"]]
    assert {"getMe", "sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup"} <= set(methods)
    send_message = next(r for r in seen["aiohttp"] if r[1].endswith("/sendMessage"))
    assert send_message[2]["Content-Type"] == "application/x-www-form-urlencoded"
    form = parse_qs(send_message[3].decode("ascii"), strict_parsing=True)
    assert json.loads(form["reply_markup"][0]) == keyboard().to_dict()
