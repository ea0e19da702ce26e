"""One aiohttp server for Telegram's webhook calls, /healthz and /metrics.

Why our own server rather than PTB's `start_webhook`: PTB runs a tornado server of
its own that serves only the webhook, and a host gives a web process one port
(`PORT`), which health checks and scrapers must share with Telegram.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.startup import StartupError
from bot.web.metrics import Metrics

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
WEBHOOK_PATH = "/telegram"
# Returns why the bot is unhealthy, or None when it is fine.
HealthCheck = Callable[[], Awaitable[str | None]]
# Webhook calls only queue the update, so a stop never waits long for them.
_SHUTDOWN_TIMEOUT_S = 2.0


def _json(status: int, body: dict[str, str]) -> web.Response:
    return web.Response(status=status, text=json.dumps(body), content_type="application/json")


class WebServer:
    """Serves /healthz and /metrics, and with `telegram` set also POST /telegram."""

    def __init__(
        self,
        *,
        listen: str,
        port: int,
        metrics: Metrics,
        health: HealthCheck,
        telegram: Application[Any, Any, Any, Any, Any, Any] | None = None,
        secret: str | None = None,
    ) -> None:
        self._listen = listen
        self._port = port
        self._metrics = metrics
        self._health = health
        self._telegram = telegram
        self._secret = secret.encode() if secret else None
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/metrics", self._serve_metrics)
        if self._telegram is not None:
            app.router.add_post(WEBHOOK_PATH, self._webhook)
        # No access log: a scraper every few seconds would drown everything else.
        runner = web.AppRunner(
            app, access_log=None, handle_signals=False, shutdown_timeout=_SHUTDOWN_TIMEOUT_S
        )
        await runner.setup()
        site = web.TCPSite(runner, self._listen, self._port)
        try:
            await site.start()
        except OSError as exc:
            await runner.cleanup()
            # A port in use or not ours to take: a one-line start-up problem, not a traceback.
            raise StartupError(
                f"cannot listen on {self._listen}:{self._port} ({exc.strerror or exc}): "
                "pick another port, or stop what uses it."
            ) from None
        self._runner = runner
        log.info("serving HTTP on %s:%d", self._listen, self._port)

    async def stop(self) -> None:
        """Stop listening; calls already inside finish (they only queue an update)."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def _healthz(self, _request: web.Request) -> web.Response:
        problem = await self._health()
        if problem is None:
            return _json(200, {"status": "ok"})
        return _json(503, {"status": "unavailable", "reason": problem})

    async def _serve_metrics(self, request: web.Request) -> web.Response:
        body, content_type = self._metrics.render(request.headers.get("Accept", ""))
        return web.Response(body=body, headers={"Content-Type": content_type})

    async def _webhook(self, request: web.Request) -> web.Response:
        assert self._telegram is not None  # the route exists only then
        given = request.headers.get(SECRET_HEADER, "").encode()
        if self._secret is None or not hmac.compare_digest(given, self._secret):
            log.debug("refused a webhook call without the right secret")
            return _json(403, {"error": "forbidden"})
        try:
            data = await request.json()
            update = Update.de_json(data, self._telegram.bot) if isinstance(data, dict) else None
        except Exception:  # any malformed body; its content may be personal, so not logged
            update = None
        if update is None:
            log.warning("refused a webhook call whose body is not an update")
            return _json(400, {"error": "not an update"})
        await self._telegram.update_queue.put(update)
        return web.Response(status=200)
