"""The nudge engine.

APScheduler only ever holds two jobs: a wake-up at the earliest due instant and a
safety tick. The database holds the schedule, so memory and start-up time don't
grow with the number of clients, and a restart picks up exactly where it stopped.
Each run: claim due occurrences (a unique row per slot and local date, committed
before anything is sent), send them in due order, record the Telegram message id.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.clock import Clock
from bot.db import nudges as store
from bot.db.database import Database
from bot.db.nudges import NudgeContent

log = logging.getLogger(__name__)

WAKE_JOB = "nudge-wake"
SAFETY_JOB = "nudge-safety"


@dataclass(frozen=True)
class Delivery:
    """What happened to one send; the engine turns it into database state."""

    message_id: int | None = None
    error: str | None = None
    permanent: bool = False  # retrying will not help (e.g. chat not found)
    unreachable: bool = False  # the person blocked the bot


Deliver = Callable[[NudgeContent, bool], Awaitable[Delivery]]


@dataclass(frozen=True)
class EngineConfig:
    grace: timedelta = timedelta(hours=2)
    lease: timedelta = timedelta(seconds=60)
    safety_interval_s: float = 30.0
    batch_size: int = 500
    concurrency: int = 16


class NudgeEngine:
    def __init__(self, db: Database, clock: Clock, deliver: Deliver, config: EngineConfig):
        self._db = db
        self._clock = clock
        self._deliver = deliver
        self._config = config
        self._scheduler: AsyncIOScheduler | None = None
        self._running: asyncio.Task[None] | None = None
        self._again = False
        self._in_flight: set[int] = set()
        self._stopping = False
        self.sent_count = 0

    async def start(self) -> None:
        self._scheduler = AsyncIOScheduler(timezone=UTC, event_loop=asyncio.get_running_loop())
        self._scheduler.add_job(
            self.poke,
            IntervalTrigger(seconds=self._config.safety_interval_s),
            id=SAFETY_JOB,
            coalesce=True,
            misfire_grace_time=None,
        )
        self._scheduler.start()
        self._clock.on_change(self.poke)
        self.poke()

    async def stop(self) -> None:
        self._stopping = True
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None
        if self._running is not None:
            await asyncio.gather(self._running, return_exceptions=True)

    def poke(self) -> None:
        """Run a dispatch pass now (or right after the current one)."""
        if self._stopping:
            return
        if self._running is not None and not self._running.done():
            self._again = True
            return
        self._running = asyncio.get_running_loop().create_task(self._run_until_quiet())

    async def idle(self) -> None:
        """Wait until no pass is running; lets tests and benchmarks observe a settled state."""
        while self._running is not None and not self._running.done():
            await asyncio.gather(self._running, return_exceptions=True)

    async def _run_until_quiet(self) -> None:
        try:
            while True:
                self._again = False
                busy = await self.run_once()
                if not (busy or self._again) or self._stopping:
                    break
        except Exception:
            log.exception("dispatch pass failed; the safety tick will retry")
        finally:
            if not self._stopping:
                await self._arm()

    async def run_once(self) -> bool:
        """One claim-and-send pass. Returns True when there may be more to do."""
        now = self._clock.now()
        cfg = self._config
        async with self._db.transaction() as session:
            claim = await store.claim_due(session, now, cfg.grace, cfg.batch_size)
        if claim.expired:
            log.info("recorded %d occurrence(s) as expired after downtime", claim.expired)
        async with self._db.transaction() as session:
            ids = await store.claimable_nudges(
                session, now, cfg.grace, cfg.lease, self._in_flight, cfg.batch_size
            )
            renudges = await store.claim_renudges(session, now, cfg.batch_size)
        async with self._db.transaction() as session:
            regular = await store.load_contents(session, ids)
            again = await store.load_contents(session, renudges)
        self._in_flight.update(ids)
        try:
            await self._send_all([(content, False) for content in regular])
            await self._send_all([(content, True) for content in again])
        finally:
            self._in_flight.difference_update(ids)
        return claim.slots_advanced >= cfg.batch_size or len(ids) >= cfg.batch_size

    async def _send_all(self, items: list[tuple[NudgeContent, bool]]) -> None:
        if not items:
            return
        queue: asyncio.Queue[tuple[NudgeContent, bool]] = asyncio.Queue()
        for item in items:
            queue.put_nowait(item)

        async def worker() -> None:
            while not queue.empty():
                content, renudge = queue.get_nowait()
                await self._send_one(content, renudge)

        workers = min(self._config.concurrency, len(items))
        await asyncio.gather(*(worker() for _ in range(workers)))

    async def _send_one(self, content: NudgeContent, renudge: bool) -> None:
        try:
            delivery = await self._deliver(content, renudge)
        except Exception as exc:  # a bug in delivery must not stop the other nudges
            log.exception("delivery of nudge %s crashed", content.nudge_id)
            delivery = Delivery(error=repr(exc))
        async with self._db.transaction() as session:
            if delivery.message_id is not None:
                if renudge:
                    await store.record_renudge_sent(session, content.nudge_id, delivery.message_id)
                else:
                    await store.record_sent(
                        session,
                        content.nudge_id,
                        content.chat_id,
                        delivery.message_id,
                        self._clock.now(),
                    )
                self.sent_count += 1
                return
            if delivery.unreachable:
                await store.mark_unreachable(session, content.client_id)
            await store.record_attempt_error(
                session,
                content.nudge_id,
                delivery.error or "unknown error",
                permanent=delivery.permanent or delivery.unreachable,
            )

    async def _arm(self) -> None:
        if self._scheduler is None:
            return
        async with self._db.transaction() as session:
            wake_at = await store.next_wake(session)
        if wake_at is None:
            return
        delay = (wake_at - self._clock.now()).total_seconds()
        delay = min(max(delay, 0.0), self._config.safety_interval_s)
        self._scheduler.add_job(
            self.poke,
            DateTrigger(run_date=datetime.now(UTC) + timedelta(seconds=delay)),
            id=WAKE_JOB,
            replace_existing=True,
            misfire_grace_time=None,
            coalesce=True,
        )
