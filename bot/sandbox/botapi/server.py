"""The HTTP face of the stub: an aiohttp server speaking the Bot API wire protocol.

Why a real HTTP server (instead of mocking ``telegram.Bot``): the bot under test runs unmodified,
with python-telegram-bot's own request encoding, error mapping, retries and polling loop --
only ``base_url``/``base_file_url`` point here. That is the closest we can get to production
without Telegram, and it lets benchmarks measure the real stack.

Request pipeline (``_handle``): token check (401) → method lookup (404) → decode params → record
:class:`ApiCall` → injected delay → injected fault → rate limit (429) → handler.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import time
from collections import Counter
from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

from aiohttp import web

from .errors import ApiError
from .faults import FaultPlan, RateLimits
from .methods import BotApiMethods, Handler
from .models import ApiCall, CallbackAnswer, StoredMessage
from .params import Params, read_request_params
from .state import ChatState, StubState
from .updates import UpdateQueue
from .users import FakeUser

_MAX_UPLOAD = 64 * 1024 * 1024
# Sees one call as it arrives or is answered (BotApiStub.on_arrival / on_finish).
CallHook = Callable[[ApiCall], None]


def _json_response(status: int, body: dict[str, Any]) -> web.Response:
    return web.Response(
        status=status,
        body=json.dumps(body, ensure_ascii=False).encode(),
        content_type="application/json",
    )


def _default_bot_id(token: str) -> int:
    """Telegram bot ids are the numeric prefix of the token; mirror that when possible."""
    prefix = token.split(":", 1)[0]
    return int(prefix) if prefix.isdigit() else 7_000_000_001


class BotApiStub:
    """A local, in-process Telegram Bot API for driving the real bot over HTTP.

    Use as ``async with BotApiStub(token) as stub:`` and build the bot with
    ``base_url=f"{stub.url}/bot"`` and ``base_file_url=f"{stub.url}/file/bot"``.

    Args:
        token: the only token accepted (anything else → 401 Unauthorized).
        bot_username, bot_id, bot_first_name: the bot's identity; ``bot_id`` defaults to the
            token's numeric prefix, as on Telegram.
        global_limit_per_s, per_chat_limit_per_s: optional Telegram-like flood limits on
            message-producing methods (sliding 1 s window) → 429 + ``retry_after``.
        first_update_id: ``update_id`` of the first queued update.
        clock: source of unix time for ``date`` fields (inject a fake clock if the bot uses one).
        record_calls: keep every request in ``calls`` (turn off for long benchmarks).
    """

    def __init__(
        self,
        token: str,
        bot_username: str = "homework_test_bot",
        bot_id: int | None = None,
        *,
        bot_first_name: str = "Homework Companion",
        global_limit_per_s: float | None = None,
        per_chat_limit_per_s: float | None = None,
        first_update_id: int = 100_000,
        clock: Callable[[], float] = time.time,
        record_calls: bool = True,
    ) -> None:
        self.token = token
        self.bot_user: dict[str, Any] = {
            "id": bot_id if bot_id is not None else _default_bot_id(token),
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
        }
        self.state = StubState(self.bot_user, clock)
        self.updates = UpdateQueue(first_update_id)
        self.methods = BotApiMethods(self.state, self.updates)
        self.faults = FaultPlan()
        self.limits = RateLimits(global_limit_per_s, per_chat_limit_per_s)
        self.calls: list[ApiCall] = []
        self.record_calls = record_calls
        self.stats: Counter[str] = Counter()
        self.internal_errors: list[BaseException] = []
        self.users: dict[int, FakeUser] = {}
        self._arrival_hooks: dict[str, list[CallHook]] = {}
        self._finish_hooks: dict[str, list[CallHook]] = {}
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    # -- lifecycle ------------------------------------------------------------------------------

    async def start(self, *, port: int = 0, backlog: int = 128) -> Self:
        """Listen on 127.0.0.1, on a free port unless ``port`` names one."""
        app = web.Application(client_max_size=_MAX_UPLOAD)
        self.add_routes(app.router)
        # shutdown_timeout is short because stop() releases long-polls and delays itself.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        sock.setblocking(False)
        site = web.SockSite(self._runner, sock, backlog=backlog)
        await site.start()
        self._port = int(sock.getsockname()[1])
        return self

    def add_routes(self, router: web.UrlDispatcher) -> None:
        """The Bot API's routes; a subclass may add its own (e.g. a benchmark's controls)."""
        router.add_route("*", "/bot{token}/{method}", self._handle)
        router.add_get("/file/bot{token}/{path:.+}", self._handle_file)

    async def stop(self) -> None:
        """Release waiting long-polls/delays, then close the server (idempotent)."""
        self._closing.set()
        self.updates.close()
        self.state.notify()
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        if self._port is None:
            raise RuntimeError("BotApiStub is not started")
        return f"http://127.0.0.1:{self._port}"

    @property
    def bot_id(self) -> int:
        return int(self.bot_user["id"])

    @property
    def bot_username(self) -> str:
        return str(self.bot_user["username"])

    # -- HTTP -----------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        self.stats["requests"] += 1
        if request.match_info["token"] != self.token:
            self.stats["401"] += 1
            return _json_response(401, ApiError(401, "Unauthorized").payload())
        found = self.methods.lookup(request.match_info["method"])
        if found is None:
            self.stats["404"] += 1
            return _json_response(404, ApiError(404, "Not Found").payload())
        method, handler = found
        try:
            raw = await read_request_params(request)
        except (ValueError, UnicodeDecodeError):
            return _json_response(400, ApiError(400, "Bad Request: invalid request").payload())
        call = ApiCall(method=method, params=raw, at=time.monotonic())
        if self.record_calls:
            self.calls.append(call)
        self.stats[f"method:{method}"] += 1
        self.state.notify()
        try:
            for hook in self._arrival_hooks.get(method.lower(), ()):
                hook(call)
            result = await self._process(method, handler, Params(raw))
        except ApiError as exc:
            return self._finish(call, exc.status, exc.payload(), error=exc.description)
        except Exception as exc:  # a stub bug must be visible, not a hung test
            self.internal_errors.append(exc)
            error = ApiError(500, f"Internal Server Error: stub failed: {exc!r}")
            return self._finish(call, 500, error.payload(), error=error.description)
        call.result = result
        return self._finish(call, 200, {"ok": True, "result": result})

    async def _process(self, method: str, handler: Handler, params: Params) -> Any:
        chat_id = params.get("chat_id")
        delay = self.faults.take_delay(method, chat_id)
        if delay > 0:
            self.stats["delayed"] += 1
            await self._sleep(delay)
            if self.closing:
                raise ApiError(503, "Service Unavailable: stub stopped")
        fault = self.faults.take_fault(method, chat_id)
        if fault is not None:
            self.stats["faults"] += 1
            raise fault.error()
        limited = self.limits.check(method, chat_id, time.monotonic())
        if limited is not None:
            self.stats["rate_limited"] += 1
            raise limited
        return await handler(params)

    def _finish(
        self, call: ApiCall, status: int, body: dict[str, Any], *, error: str | None = None
    ) -> web.Response:
        call.status = status
        call.error = error
        self.stats[str(status)] += 1
        for hook in self._finish_hooks.get(call.method.lower(), ()):
            try:
                hook(call)
            except Exception as exc:  # the answer still goes out; the bug stays visible
                self.internal_errors.append(exc)
        self.state.notify()
        return _json_response(status, body)

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _json_response(401, ApiError(401, "Unauthorized").payload())
        stored = self.state.file_by_path(request.match_info["path"])
        if stored is None or stored.data is None:
            return _json_response(404, ApiError(404, "Not Found").payload())
        return web.Response(
            body=stored.data, content_type=stored.mime_type or "application/octet-stream"
        )

    async def _sleep(self, seconds: float) -> None:
        """Sleep that ends early when the stub stops, so shutdown never waits on a delay."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), seconds)

    # -- recorded calls -------------------------------------------------------------------------

    def calls_to(self, method: str) -> list[ApiCall]:
        """Recorded calls of one method (case-insensitive), oldest first."""
        return [c for c in self.calls if c.method.lower() == method.lower()]

    def clear_calls(self) -> None:
        self.calls.clear()

    def on_arrival(self, method: str, hook: CallHook) -> None:
        """Call ``hook`` the moment each whole ``method`` request arrives, before any fault,
        delay or rate limit: the instant Telegram could act on it. Tests use it to look at
        the bot's own records at that instant. A hook that raises fails the call with a 500
        and lands in ``internal_errors``."""
        self._arrival_hooks.setdefault(method.lower(), []).append(hook)

    def on_finish(self, method: str, hook: CallHook) -> None:
        """Call ``hook`` as each ``method`` call is answered, with ``status``, ``result`` and
        ``error`` set (429s and injected faults included). Works with ``record_calls=False``,
        so benchmarks count with it. A hook that raises lands in ``internal_errors``."""
        self._finish_hooks.setdefault(method.lower(), []).append(hook)

    async def wait_for_call(
        self,
        method: str,
        predicate: Callable[[ApiCall], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - test helper, per-call deadline reads best
        *,
        after: int = 0,
        completed: bool = True,
    ) -> ApiCall:
        """The first call of ``method`` (index ≥ ``after`` in ``calls``) matching ``predicate``.

        With ``completed`` it waits until the stub has answered it (``status`` set).
        """

        def check() -> ApiCall | None:
            for call in self.calls[after:]:
                if call.method.lower() != method.lower():
                    continue
                if completed and not call.status:
                    continue
                if predicate is None or predicate(call):
                    return call
            return None

        found = await self.state.wait_until(check, timeout)
        if found is None:
            recent = [f"{c.method} -> {c.status}" for c in self.calls[-10:]]
            raise AssertionError(f"no {method} call within {timeout}s; recent calls: {recent}")
        return found

    # -- faults and limits ----------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        status: int,
        description: str | None = None,
        retry_after: int | None = None,
        count: int = 1,
        chat_id: int | None = None,
    ) -> None:
        """Answer the next ``count`` calls of ``method`` (``"*"`` = any) with an error.

        ``description`` defaults to Telegram's wording for ``status`` (429 → "Too Many Requests:
        retry after N", with ``parameters.retry_after`` defaulting to 1). ``chat_id`` restricts
        the fault to calls targeting that chat. The faulted call has no side effects.
        """
        self.faults.add_fault(
            method,
            status=status,
            description=description,
            retry_after=retry_after,
            count=count,
            chat_id=chat_id,
        )

    def delay_next(
        self, method: str, seconds: float, count: int = 1, *, chat_id: int | None = None
    ) -> None:
        """Hold the next ``count`` calls of ``method`` for ``seconds`` (then handle them).

        Use with a short client ``read_timeout`` to simulate timeouts where the message was
        nevertheless delivered -- the case that makes naive retries send duplicates.
        """
        self.faults.add_delay(method, seconds, count, chat_id)

    def clear_faults(self) -> None:
        self.faults.clear()

    def block(self, chat_id: int, *, notify: bool = False) -> None:
        """The user blocks the bot: every send to ``chat_id`` gets 403 "bot was blocked...".

        With ``notify`` the bot also receives the ``my_chat_member`` update Telegram sends.
        """
        self.state.blocked.add(chat_id)
        if notify:
            self._member_update(chat_id, old="member", new="kicked")

    def unblock(self, chat_id: int, *, notify: bool = False) -> None:
        self.state.blocked.discard(chat_id)
        if notify:
            self._member_update(chat_id, old="kicked", new="member")

    def is_blocked(self, chat_id: int) -> bool:
        return chat_id in self.state.blocked

    def _member_update(self, chat_id: int, *, old: str, new: str) -> None:
        chat = self.state.chats.get(chat_id)
        if chat is None:
            return

        def member(status: str) -> dict[str, Any]:
            data: dict[str, Any] = {"user": dict(self.bot_user), "status": status}
            if status == "kicked":
                data["until_date"] = 0
            return data

        self.push_update(
            "my_chat_member",
            {
                "chat": dict(chat.chat),
                "from": dict(chat.user),
                "date": self.state.now(),
                "old_chat_member": member(old),
                "new_chat_member": member(new),
            },
        )

    # -- users, chats, updates ------------------------------------------------------------------

    def user(
        self,
        user_id: int,
        first_name: str = "Test User",
        username: str | None = None,
        language_code: str | None = "en",
        *,
        last_name: str | None = None,
        started: bool = True,
    ) -> FakeUser:
        """A user with a private chat with the bot (same object for the same id).

        ``started=False`` models a user who never pressed Start: the bot gets 403 "bot can't
        initiate conversation with a user" until the user sends something.
        """
        existing = self.users.get(user_id)
        if existing is not None:
            return existing
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        chat: dict[str, Any] = {"id": user_id, "type": "private", "first_name": first_name}
        if last_name:
            user["last_name"] = chat["last_name"] = last_name
        if username:
            user["username"] = chat["username"] = username
        if language_code:
            user["language_code"] = language_code
        self.state.chats[user_id] = ChatState(
            user=user, chat=chat, chat_instance=str(-(8_000_000_000_000 + user_id)), started=started
        )
        fake = FakeUser(self, user_id)
        self.users[user_id] = fake
        return fake

    def chat(self, chat_id: int) -> ChatState:
        return self.state.chats[chat_id]

    def messages(self, chat_id: int, *, include_user: bool = False) -> list[StoredMessage]:
        """Current (non-deleted) messages of a chat, oldest first; bot messages by default."""
        chat = self.state.chats.get(chat_id)
        if chat is None:
            return []
        return [m for m in chat.visible() if include_user or m.from_bot]

    @property
    def sent_messages(self) -> list[StoredMessage]:
        """Every non-deleted bot message in every chat (by chat, then id)."""
        return [m for chat in self.state.chats.values() for m in chat.visible() if m.from_bot]

    @property
    def callback_answers(self) -> list[CallbackAnswer]:
        return list(self.state.callback_answers)

    def commands(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, Any]]:
        """Commands set via ``setMyCommands`` for a scope (default scope by default)."""
        key = json.dumps(scope or {"type": "default"}, sort_keys=True), language_code
        return list(self.state.commands.get(key, []))

    @property
    def webhook(self) -> dict[str, Any] | None:
        return self.state.webhook

    def push_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Queue a raw update (for shapes FakeUser does not cover)."""
        return self.updates.push(kind, payload)

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates not yet confirmed by a later ``getUpdates`` offset."""
        return list(self.updates.pending)

    @property
    def closing(self) -> bool:
        return self._closing.is_set()
