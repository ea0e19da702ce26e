"""The Bot API stub as its own process, with a small control API for benchmarks.

Why a separate process: when a benchmark measures how fast the bot can send, a stub
sharing the benchmark's event loop (and GIL) would be part of what is measured. Run::

    python -m bench.stubserver --token T --port 0 [--global-limit N] [--per-chat-limit N]
                               [--users FIRST:COUNT]

The first stdout line is the server's base URL (``http://127.0.0.1:PORT``); nothing
else is written to stdout. Logs go to stderr. The process exits on SIGTERM/SIGINT, when
its parent dies, or after ``--max-seconds``.

Control API, under ``/_bench/`` (the bot only ever calls ``/bot<token>/...`` and
``/file/bot<token>/...``):

* ``GET /_bench/stats`` → JSON, see :meth:`BenchStub.bench_stats` (``?full=1`` adds
  every chat's count);
* ``POST /_bench/reset`` → zero the counters (chats, messages and rate-limit windows stay);
* ``POST /_bench/users`` with ``{"first_id": N, "count": C, "first_name": "Client"}`` →
  create private chats ``N .. N+C-1`` (a send to an unknown chat is "chat not found").

Accepted sends are counted by the stub's ``on_finish`` hook (answered with 200, so not
refused by fault injection or rate limiting); the counts work with
``record_calls=False`` (the default here, for speed and memory).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
import time
from collections import Counter
from typing import Any, Self

from aiohttp import web

from bot.sandbox.botapi import BotApiStub
from bot.sandbox.botapi.models import ApiCall

log = logging.getLogger("bench.stubserver")


def _json(body: Any, status: int = 200) -> web.Response:
    return web.json_response(body, status=status)


class BenchStub(BotApiStub):
    """``BotApiStub`` with a fixed/free port, per-chat send counts and ``/_bench/`` routes."""

    def __init__(self, token: str, *, port: int = 0, **kwargs: Any) -> None:
        kwargs.setdefault("record_calls", False)
        super().__init__(token, **kwargs)
        self.listen_port = port
        self.per_chat: Counter[int] = Counter()
        self.accepted = 0
        self.first_accepted_at: float | None = None
        self.last_accepted_at: float | None = None
        self.per_second: Counter[int] = Counter()
        self.on_finish("sendMessage", self._on_send_message)

    def _on_send_message(self, call: ApiCall) -> None:
        if call.status == 200:  # refused (429) and failed calls don't count
            self._count_accepted(call.params.get("chat_id"))

    def _count_accepted(self, chat_id: Any) -> None:
        now = time.monotonic()
        if self.first_accepted_at is None:
            self.first_accepted_at = now
        self.last_accepted_at = now
        self.accepted += 1
        self.per_chat[int(chat_id)] += 1
        self.per_second[int(now - self.first_accepted_at)] += 1

    def reset_counters(self) -> None:
        self.per_chat.clear()
        self.per_second.clear()
        self.accepted = 0
        self.first_accepted_at = self.last_accepted_at = None
        self.stats.clear()
        self.calls.clear()

    def add_users(self, first_id: int, count: int, first_name: str = "Client") -> int:
        for user_id in range(first_id, first_id + count):
            self.user(user_id, f"{first_name}{user_id - first_id + 1}")
        return len(self.state.chats)

    def bench_stats(self, *, full: bool = False) -> dict[str, Any]:
        """Figures for benchmarks; times are this process's ``time.monotonic()``.

        Keys: ``accepted_send_message``, ``chats_sent_to``, ``per_chat_histogram``
        ({messages per chat: number of chats}), ``chats_not_once`` ({chat: count} for
        chats with more than one), ``known_chats_never_sent`` (how many registered chats
        got nothing) with up to 100 of them in ``never_sent_sample``, ``rate_limited_429``,
        ``first_accepted_at``/``last_accepted_at``/``accepted_span_s``,
        ``accepted_per_second`` (counts per whole second since the first), ``now``,
        ``stats`` (the stub's raw counters) and with ``full`` also ``per_chat``.
        """
        histogram = Counter(self.per_chat.values())
        never = [chat for chat in self.state.chats if chat not in self.per_chat]
        span = (
            self.last_accepted_at - self.first_accepted_at
            if self.first_accepted_at is not None and self.last_accepted_at is not None
            else None
        )
        seconds = max(self.per_second, default=-1) + 1
        body: dict[str, Any] = {
            "accepted_send_message": self.accepted,
            "chats_sent_to": len(self.per_chat),
            "per_chat_histogram": {str(k): v for k, v in sorted(histogram.items())},
            "chats_not_once": {str(c): n for c, n in self.per_chat.items() if n != 1},
            "known_chats_never_sent": len(never),
            "never_sent_sample": never[:100],
            "rate_limited_429": self.stats["429"],
            "first_accepted_at": self.first_accepted_at,
            "last_accepted_at": self.last_accepted_at,
            "accepted_span_s": span,
            "accepted_per_second": [self.per_second.get(s, 0) for s in range(seconds)],
            "now": time.monotonic(),
            "stats": dict(self.stats),
        }
        if full:
            body["per_chat"] = {str(c): n for c, n in self.per_chat.items()}
        return body

    # -- HTTP -----------------------------------------------------------------------------------

    async def start(self, *, port: int | None = None, backlog: int = 1024) -> Self:
        """``BotApiStub.start`` on the port given at construction, with a deeper backlog."""
        return await super().start(port=self.listen_port if port is None else port, backlog=backlog)

    def add_routes(self, router: web.UrlDispatcher) -> None:
        router.add_get("/_bench/stats", self._control_stats)
        router.add_post("/_bench/reset", self._control_reset)
        router.add_post("/_bench/users", self._control_users)
        super().add_routes(router)

    async def _control_stats(self, request: web.Request) -> web.Response:
        full = request.query.get("full", "") not in ("", "0", "false")
        return _json(self.bench_stats(full=full))

    async def _control_reset(self, _request: web.Request) -> web.Response:
        self.reset_counters()
        return _json({"ok": True})

    async def _control_users(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
            first_id, count = int(body["first_id"]), int(body["count"])
            first_name = str(body.get("first_name", "Client"))
        except (ValueError, KeyError, TypeError) as exc:
            return _json({"ok": False, "error": f"bad request: {exc!r}"}, status=400)
        return _json({"ok": True, "chats": self.add_users(first_id, count, first_name)})


def _users(spec: str) -> tuple[int, int]:
    first, _, count = spec.partition(":")
    try:
        return int(first), int(count)
    except ValueError as exc:
        raise argparse.ArgumentTypeError("expected FIRST_ID:COUNT, e.g. 10000000:1000") from exc


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.stubserver", description=__doc__)
    parser.add_argument("--token", required=True)
    parser.add_argument("--port", type=int, default=0, help="0 = any free port")
    parser.add_argument("--bot-username", default="homework_test_bot")
    parser.add_argument("--global-limit", type=float, default=None, help="messages/s, all chats")
    parser.add_argument("--per-chat-limit", type=float, default=None, help="messages/s per chat")
    parser.add_argument("--users", type=_users, default=None, metavar="FIRST:COUNT")
    parser.add_argument("--record-calls", action="store_true", help="keep every request")
    parser.add_argument("--max-seconds", type=float, default=3600.0, help="hard lifetime cap")
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    stub = BenchStub(
        args.token,
        port=args.port,
        bot_username=args.bot_username,
        global_limit_per_s=args.global_limit,
        per_chat_limit_per_s=args.per_chat_limit,
        record_calls=args.record_calls,
    )
    if args.users is not None:
        stub.add_users(*args.users)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    parent = os.getppid()

    async def watch_parent() -> None:
        # An orphaned stub would hold its port forever; follow the benchmark out.
        while os.getppid() == parent:  # noqa: ASYNC110 - no event exists for this
            await asyncio.sleep(0.5)
        log.warning("parent process went away; stopping")
        stop.set()

    await stub.start()
    try:
        sys.stdout.write(stub.url + "\n")
        sys.stdout.flush()
        watcher = asyncio.create_task(watch_parent())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), args.max_seconds)
        watcher.cancel()
    finally:
        await stub.stop()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(message)s")
    asyncio.run(serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
