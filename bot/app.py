"""Wiring: the Application, its handlers, the nudge engine, and their lifecycle.

`BotRuntime` is used both by `python -m bot` and by the tests, so the tests start
the bot exactly the way production does, only with another clock and API URL.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field

from telegram.ext import Application, ApplicationBuilder

from bot import keys
from bot.clock import Clock, SystemClock
from bot.db.batch_writer import BatchWriter
from bot.db.database import Database
from bot.db.keycheck import verify_data_key
from bot.db.person_settings import LanguageChoices
from bot.db.sending_marks import SendingMarks, sending_marks
from bot.domain.timezones import CityIndex
from bot.flows import registry
from bot.flows.bad_input import ALLOWED_UPDATES
from bot.flows.menus import CommandMenus
from bot.flows.router import Dispatcher
from bot.flows.turn import SERVICES_KEY, Services
from bot.scheduling.alerts import AllErrands, Digests, Unreachable
from bot.scheduling.engine import EngineConfig, NudgeEngine
from bot.scheduling.followups import Followups
from bot.scheduling.housekeeping import IdleDialogs
from bot.scheduling.leases import PersonLocks
from bot.scheduling.ratelimit import RateLimiter
from bot.services.delivery import TelegramSender
from bot.settings import Settings
from bot.startup import StartupError, reach_api, reach_database
from bot.texts import Texts
from bot.transport import AiohttpRequest
from bot.update_processor import PerUserUpdateProcessor
from bot.web.metrics import Metrics
from bot.web.server import WEBHOOK_PATH, WebServer

log = logging.getLogger(__name__)
# /healthz: a database that takes longer than this to answer SELECT 1 counts as down.
HEALTH_DB_TIMEOUT_S = 2.0


@dataclass
class BotRuntime:
    settings: Settings
    clock: Clock
    app: Application  # type: ignore[type-arg]
    db: Database
    engine: NudgeEngine
    texts: Texts
    writer: BatchWriter
    marks: SendingMarks
    dispatcher: Dispatcher
    metrics: Metrics
    web: WebServer | None = field(default=None, init=False)

    @classmethod
    def build(
        cls,
        settings: Settings,
        clock: Clock | None = None,
        engine_config: EngineConfig | None = None,
    ) -> BotRuntime:
        """Wire everything; tests pass their own clock and, for fault tests, faster retries."""
        clock = clock or SystemClock()
        metrics = Metrics()
        keys.configure_for(settings)  # before any row is read or written, migrations included
        texts = Texts.load(settings.config_dir, settings.default_language)
        db = Database.from_url(settings.database_url)
        cities = CityIndex.load(settings.config_dir / "cities.tsv")
        # SQLite serves one process; on PostgreSQL a person's next update may reach
        # another replica, so their updates are ordered through the database too.
        person_locks = PersonLocks(db).hold if db.dialect == "postgresql" else None
        app = (
            ApplicationBuilder()
            .token(settings.token)
            .base_url(settings.bot_base_url)
            .base_file_url(settings.bot_file_url)
            # aiohttp moves several times more requests per second than PTB's default
            # httpx transport, which is what bounds a burst of nudges (see README).
            .request(
                AiohttpRequest(
                    connection_pool_size=64,
                    read_timeout=settings.request_timeout_s,
                    write_timeout=settings.request_timeout_s,
                    on_flood=metrics.telegram_flood,
                )
            )
            .get_updates_request(
                AiohttpRequest(connection_pool_size=1, on_flood=metrics.telegram_flood)
            )
            .concurrent_updates(PerUserUpdateProcessor(64, person_locks, telemetry=metrics))
            .build()
        )
        limiter = RateLimiter(settings.rate_per_s, settings.per_chat_interval_s)
        # One group-commit writer for the two busiest write paths: nudge attempts
        # and answers to them.
        writer = BatchWriter(db)
        marks = sending_marks(db, writer)
        engine = NudgeEngine(
            db,
            clock,
            TelegramSender(app.bot, texts),
            limiter,
            engine_config
            or EngineConfig(
                grace=settings.nudge_grace,
                lease=settings.nudge_lease,
                safety_interval_s=settings.safety_interval_s,
                sender_lease=settings.sender_lease,
            ),
            writer,
            marks,
            telemetry=metrics,
            errands=AllErrands(
                [
                    Followups(db, texts, settings.followup_after),
                    Unreachable(db, texts),
                    Digests(db, texts),
                    IdleDialogs(db),
                ]
            ),
        )
        metrics.watch_queue(lambda: engine.queue_depth)
        app.bot_data[SERVICES_KEY] = Services(
            settings=settings,
            db=db,
            texts=texts,
            clock=clock,
            cities=cities,
            writer=writer,
            poke_scheduler=engine.poke,
            languages=LanguageChoices(db),
        )
        dispatcher = registry.install(app)
        services = app.bot_data[SERVICES_KEY]
        services.menus = CommandMenus(app.bot, texts, dispatcher, settings.admin_ids)
        return cls(settings, clock, app, db, engine, texts, writer, marks, dispatcher, metrics)

    async def start(self) -> None:
        """Start everything, or (on any failure, or when cancelled) undo what was started.

        Raises bot.startup.StartupError, with one line to show, when the Bot API
        rejects the token or stays unreachable for `startup_retry_s`.
        """
        try:
            await reach_database(self.db, self.settings.startup_retry_s)
            # Then our own problems: a wrong key needs no Bot API to be explained.
            await verify_data_key(self.db)  # before migrations touch any sealed value
            await reach_api(self.app.bot, self.settings.api_url, self.settings.startup_retry_s)
            await self._start()
        except BaseException:
            with contextlib.suppress(Exception):
                await asyncio.shield(self.stop())
            raise
        log.info("bot @%s is running", self.app.bot.username)

    async def _start(self) -> None:
        await self.db.upgrade()
        self.writer.start()
        await self.app.initialize()
        await self._publish_commands()
        await self.app.start()
        await self.engine.start()
        settings = self.settings
        if settings.webhook_url:
            if not settings.webhook_secret:  # load_settings() requires it; direct callers too
                raise StartupError("WEBHOOK_SECRET must be set when WEBHOOK_URL is.")
            self.web = WebServer(
                listen=settings.webhook_listen,
                port=settings.webhook_port,
                metrics=self.metrics,
                health=self.health_problem,
                telegram=self.app,
                secret=settings.webhook_secret,
            )
            await self.web.start()
            await self.app.bot.set_webhook(
                f"{settings.webhook_url.rstrip('/')}{WEBHOOK_PATH}",
                secret_token=settings.webhook_secret,
                allowed_updates=list(ALLOWED_UPDATES),
            )
            return
        if settings.metrics_port is not None:
            self.web = WebServer(
                listen=settings.metrics_listen,
                port=settings.metrics_port,
                metrics=self.metrics,
                health=self.health_problem,
            )
            await self.web.start()
        assert self.app.updater is not None
        # getMe has just answered, so a failure of the first deleteWebhook is passing
        # trouble (a slow network, a busy host): try it again rather than give up.
        await self.app.updater.start_polling(
            poll_interval=0.0,
            timeout=10,
            allowed_updates=list(ALLOWED_UPDATES),
            bootstrap_retries=3,
        )

    async def health_problem(self) -> str | None:
        """Why this process can't do its job, or None (GET /healthz)."""
        try:
            await self.db.ping(HEALTH_DB_TIMEOUT_S)
        except TimeoutError:
            return f"database did not answer within {HEALTH_DB_TIMEOUT_S:g} s"
        except Exception as exc:  # the driver's own error types differ per database
            log.warning("health check: database unreachable (%s)", type(exc).__name__)
            return "database unreachable"
        return self.engine.problem()

    async def _publish_commands(self) -> None:
        """The clients' menu per language, and each therapist's and admin's own."""
        menus = self.app.bot_data[SERVICES_KEY].menus
        await menus.publish_all(self.db)

    async def stop(self) -> None:
        """Stop taking updates, let sends under way finish and be recorded, then close.

        Safe on a runtime that only got part way through start().
        """
        if self.web is not None:
            web, self.web = self.web, None
            await web.stop()
        if self.app.updater is not None and self.app.updater.running:
            await self.app.updater.stop()
        await self.engine.stop()
        if self.app.running:
            await self.app.stop()  # handles the updates already received
        await self.app.shutdown()
        await self.app.bot.shutdown()  # closes its sessions even if start() failed early
        await self.writer.stop()
        self.marks.close()
        await self.db.dispose()
