"""The nudge engine.

APScheduler only ever holds two jobs: a wake-up at the earliest due instant and a
safety tick. The database holds the schedule, so memory and start-up time don't
grow with the number of clients, and a restart picks up exactly where it stopped.

A pass (the producer) claims due occurrences, one row per slot and local date,
committed before anything is sent, and queues them in due order. Long-lived
workers (the consumers) take them one by one: wait for the rate limiter, make the
request, commit the attempt as "sending" just before the request's last byte
leaves (see bot/db/sending_marks.py), commit the outcome. 429s pause every worker;
network trouble is retried with backoff; a blocked bot stops that client's nudges.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.clock import Clock
from bot.db import attempts, pauses
from bot.db import nudges as store
from bot.db.batch_writer import BatchWriter
from bot.db.database import Database
from bot.db.nudges import NudgeContent
from bot.db.sending_marks import SendingMarks
from bot.domain.types import NudgeStatus
from bot.scheduling.attempt import Attempt, Outcome, Sender
from bot.scheduling.leases import SenderLease
from bot.scheduling.ratelimit import RateLimiter

log = logging.getLogger(__name__)

WAKE_JOB = "nudge-wake"
SAFETY_JOB = "nudge-safety"


@dataclass(frozen=True)
class EngineConfig:
    grace: timedelta = timedelta(hours=2)
    # How long an attempt may stay "sending" before we assume its sender died.
    lease: timedelta = timedelta(seconds=60)
    safety_interval_s: float = 30.0
    batch_size: int = 500
    workers: int = 16
    max_attempts: int = 5  # network/timeouts in a row before handing back for later
    backoff_s: float = 0.5
    retry_later: timedelta = timedelta(minutes=1)
    # Replicas: only the holder of the sender lease claims and sends; this long
    # after the holder dies, another process takes over.
    sender_lease: timedelta = timedelta(seconds=10)


@dataclass(frozen=True)
class _Job:
    content: NudgeContent
    renudge: bool


class NudgeEngine:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        sender: Sender,
        limiter: RateLimiter,
        config: EngineConfig,
        writer: BatchWriter,
        marks: SendingMarks,
    ) -> None:
        """`writer` and `marks` are shared with others and started/stopped by their owner."""
        self._db = db
        self._clock = clock
        self._sender = sender
        self._limiter = limiter
        self._config = config
        self._writer = writer
        self._marks = marks
        self.lease = SenderLease(db, config.sender_lease)
        self.lease.on_change(self._lease_changed)
        self._keeper: asyncio.Task[None] | None = None
        self._scheduler: AsyncIOScheduler | None = None
        self._producer: asyncio.Task[None] | None = None
        self._workers: list[asyncio.Task[None]] = []
        self._queue: asyncio.Queue[_Job] = asyncio.Queue(maxsize=config.batch_size * 2)
        self._queued: set[int] = set()
        self._again = False
        self._stopping = False
        self.stats: Counter[str] = Counter()

    async def start(self) -> None:
        self._stopping = False
        loop = asyncio.get_running_loop()
        await self.lease.refresh()
        self._keeper = loop.create_task(self.lease.keep())
        self._workers = [loop.create_task(self._work()) for _ in range(self._config.workers)]
        self._scheduler = AsyncIOScheduler(timezone=UTC, event_loop=loop)
        self._scheduler.add_job(
            self._scheduled_poke,
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
        if self._producer is not None:
            await asyncio.gather(self._producer, return_exceptions=True)
        for task in (*self._workers, self._keeper):
            if task is not None:
                task.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)
        if self._keeper is not None:
            await asyncio.gather(self._keeper, return_exceptions=True)
        self._workers, self._keeper = [], None
        await self.lease.release()

    def _lease_changed(self, held: bool) -> None:
        if held:
            self.poke()  # what the last holder left is ours to send now

    async def _scheduled_poke(self) -> None:
        """APScheduler runs plain functions in a worker thread; a coroutine runs on our loop."""
        self.poke()

    def poke(self) -> None:
        """Run a pass now (or right after the current one). Call it on the event loop."""
        if self._stopping:
            return
        if self._producer is not None and not self._producer.done():
            self._again = True
            return
        self._producer = asyncio.get_running_loop().create_task(self._produce_until_quiet())

    async def idle(self) -> None:
        """Wait until nothing is being claimed or sent; for tests and benchmarks."""
        while True:
            if self._producer is not None and not self._producer.done():
                await asyncio.gather(self._producer, return_exceptions=True)
            await self._queue.join()
            if self._producer is None or self._producer.done():
                return

    async def _produce_until_quiet(self) -> None:
        try:
            while True:
                self._again = False
                more = await self.run_once()
                if not (more or self._again) or self._stopping:
                    break
        except Exception:
            log.exception("dispatch pass failed; the safety tick will retry")
        finally:
            if not self._stopping:
                await self._arm()

    async def run_once(self) -> bool:
        """Claim what is due and queue it for the workers; True if there may be more."""
        if not self.lease.held():
            return False  # another replica sends; this one only answers people
        now = self._clock.now()
        cfg = self._config
        async with self._db.transaction() as session:
            await pauses.resume_elapsed(session, now)  # a pause whose day has come ends first
            claim = await store.claim_due(session, now, cfg.grace, cfg.batch_size)
        if claim.expired:
            self.stats["expired"] += claim.expired
            log.info("recorded %d occurrence(s) as expired after downtime", claim.expired)
        async with self._db.transaction() as session:
            ids = await store.ready_to_send(
                session, now, cfg.grace, cfg.lease, self._queued, cfg.batch_size
            )
            renudges = await store.claim_renudges(session, now, cfg.batch_size)
            regular = await store.load_contents(session, ids)
            again = await store.load_contents(session, renudges)
        for content in regular:
            self._queued.add(content.nudge_id)
            await self._queue.put(_Job(content, renudge=False))
        for content in again:
            await self._queue.put(_Job(content, renudge=True))
        return claim.slots_advanced >= cfg.batch_size or len(ids) >= cfg.batch_size

    async def _work(self) -> None:
        while True:
            job = await self._queue.get()
            try:
                await self._deliver(job)
            except Exception:
                log.exception("sending nudge %s crashed", job.content.nudge_id)
            finally:
                self._queued.discard(job.content.nudge_id)
                self._queue.task_done()

    async def _deliver(self, job: _Job) -> None:
        content, cfg = job.content, self._config
        codes: list[str] = []
        failures = 0
        began = False

        async def gate() -> bool:
            # Runs inside the request, just before its last byte: if we die after this
            # commit, the row says "sending" and the request is as good as gone.
            nonlocal began
            if not began:
                began = await self._marks.mark(attempts.Begin(content.nudge_id, self._clock.now()))
            return began

        while True:
            async with self._limiter.slot(content.chat_id):
                if not self.lease.held():
                    # The lease moved on while this waited: the nudge stays claimed in
                    # the database, and the new holder sends it.
                    self.stats["handed_over"] += 1
                    return
                # A re-nudge has no attempt of its own to mark (see claim_renudges).
                result = await self._sender.attempt(
                    content, job.renudge, None if job.renudge else gate
                )
            if result.outcome is Outcome.WITHHELD:
                self.stats["withheld"] += 1
                return  # someone else has this nudge; nothing was sent
            codes.append(result.outcome.value)
            self.stats[result.outcome.value] += 1
            if result.outcome is Outcome.RETRY_AFTER:
                # Flood control is about us, not this message: everyone waits, then retries.
                self._limiter.pause(max(result.retry_after_s, 1.0))
                continue
            if result.outcome in (Outcome.TIMEOUT, Outcome.NETWORK):
                if result.outcome is Outcome.TIMEOUT:
                    # Telegram may already have it; a retry can duplicate. Counted, documented.
                    self.stats["ambiguous_retry"] += 1
                failures += 1
                if failures < cfg.max_attempts:
                    await asyncio.sleep(cfg.backoff_s * 2 ** (failures - 1))
                    continue
            await self._finish(job, result, " ".join(codes) + " ", len(codes))
            return

    async def _finish(self, job: _Job, result: Attempt, codes: str, tries: int) -> None:
        content, now = job.content, self._clock.now()
        if job.renudge:
            if result.message_id is not None:
                await self._writer.submit(
                    attempts.renudge_sent, (content.nudge_id, result.message_id)
                )
            return
        finished = partial(
            attempts.Finished, nudge_id=content.nudge_id, log=codes, attempts=tries, now=now
        )
        if result.outcome is Outcome.OK and result.message_id is not None:
            self.stats["sent"] += 1
            outcome = finished(
                status=NudgeStatus.SENT, chat_id=content.chat_id, message_id=result.message_id
            )
        elif result.outcome in (Outcome.BLOCKED, Outcome.REJECTED):
            self.stats["undeliverable"] += 1
            outcome = finished(
                status=NudgeStatus.UNDELIVERABLE,
                error=result.error,
                client_id=content.client_id,
                unreachable=result.outcome is Outcome.BLOCKED,
            )
        else:
            self.stats["retry_later"] += 1
            outcome = finished(
                status=NudgeStatus.CLAIMED,
                retry_at=now + self._config.retry_later,
                error=result.error,
            )
        await self._writer.submit(attempts.record, outcome)

    async def _arm(self) -> None:
        if self._scheduler is None:
            return
        async with self._db.transaction() as session:
            wakes = (await store.next_wake(session), await pauses.next_pause_end(session))
        wake_at = min((at for at in wakes if at is not None), default=None)
        if wake_at is None:
            return
        delay = (wake_at - self._clock.now()).total_seconds()
        delay = min(max(delay, 0.0), self._config.safety_interval_s)
        self._scheduler.add_job(
            self._scheduled_poke,
            DateTrigger(run_date=datetime.now(UTC) + timedelta(seconds=delay)),
            id=WAKE_JOB,
            replace_existing=True,
            misfire_grace_time=None,
            coalesce=True,
        )
