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

On stop, nothing new is claimed or started, and sends already under way get a
short grace to finish and be recorded, so a SIGTERM leaves no nudge "sending".
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
from bot.scheduling.errands import Errand, ErrandSource
from bot.scheduling.leases import SenderLease
from bot.scheduling.ratelimit import RateLimiter
from bot.telemetry import NullTelemetry, Telemetry

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
    # How long stop() lets sends already under way finish; SIGTERM must end within 10 s.
    stop_grace_s: float = 5.0


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
        telemetry: Telemetry | None = None,
        errands: ErrandSource | None = None,
    ) -> None:
        """`writer` and `marks` are shared with others and started/stopped by their owner;
        `errands` are the messages besides nudges (follow-ups and the like)."""
        self._db = db
        self._clock = clock
        self._sender = sender
        self._limiter = limiter
        self._config = config
        self._writer = writer
        self._marks = marks
        self._telemetry = telemetry or NullTelemetry()
        self._errands = errands
        self.lease = SenderLease(db, config.sender_lease)
        self.lease.on_change(self._lease_changed)
        self._keeper: asyncio.Task[None] | None = None
        self._scheduler: AsyncIOScheduler | None = None
        self._producer: asyncio.Task[None] | None = None
        self._workers: list[asyncio.Task[None]] = []
        self._queue: asyncio.Queue[_Job | Errand] = asyncio.Queue(maxsize=config.batch_size * 2)
        self._queued: set[int] = set()
        self._again = False
        self._stopping = False
        self._busy: set[asyncio.Task[None]] = set()
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
        """Claim nothing more, let sends under way finish (within `stop_grace_s`), then end."""
        self._stopping = True
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None
        if self._producer is not None:
            await asyncio.gather(self._producer, return_exceptions=True)
        busy = [worker for worker in self._workers if worker in self._busy]
        for worker in self._workers:
            if worker not in self._busy:
                worker.cancel()  # waiting for work: nothing of theirs is under way
        if busy:
            await asyncio.wait(busy, timeout=self._config.stop_grace_s)
        for task in (*self._workers, self._keeper):
            if task is not None:
                task.cancel()  # past the grace: what is left is recovered after the restart
        await asyncio.gather(*self._workers, return_exceptions=True)
        if self._keeper is not None:
            await asyncio.gather(self._keeper, return_exceptions=True)
        self._workers, self._keeper = [], None
        if self.stats["stop_abandoned"]:
            log.warning("stopped with %d send(s) unfinished", self.stats["stop_abandoned"])
        # Only once the sends under way are recorded, so the next holder can't resend them.
        await self.lease.release()

    def _lease_changed(self, held: bool) -> None:
        self._telemetry.sender_lease_held(held)
        if held:
            self.poke()  # what the last holder left is ours to send now

    @property
    def queue_depth(self) -> int:
        """Claimed nudges waiting for a sender."""
        return self._queue.qsize()

    def problem(self) -> str | None:
        """Why the engine cannot do its part right now, or None (for /healthz).

        Not holding the sender lease is no problem: another replica sends.
        """
        if self._stopping:
            return "nudge engine is stopping"
        if self._scheduler is None or not self._scheduler.running:
            return "nudge scheduler is not running"
        if not self._workers or any(worker.done() for worker in self._workers):
            return "nudge senders are not running"
        if self._keeper is None or self._keeper.done():
            return "sender lease keeper is not running"
        return None

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
                if self._again:  # poked while arming: that poke found this pass running
                    asyncio.get_running_loop().call_soon(self.poke)

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
            self._telemetry.nudge_outcome("expired", claim.expired)
            log.info(
                "recorded %d occurrence(s) as expired after downtime",
                claim.expired,
                extra={"outcome": "expired"},
            )
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
        more = False
        if self._errands is not None:
            errands, more = await self._errands.due(now)
            for errand in errands:
                await self._queue.put(errand)
        return more or claim.slots_advanced >= cfg.batch_size or len(ids) >= cfg.batch_size

    async def _work(self) -> None:
        task = asyncio.current_task()
        assert task is not None
        while not self._stopping:
            job = await self._queue.get()
            if self._stopping:
                # Claimed but not started: the row is still claimed, so the next start sends it.
                self._forget(job)
                self._queue.task_done()
                break
            self._busy.add(task)
            try:
                if isinstance(job, Errand):
                    await self._run_errand(job)
                else:
                    await self._deliver(job)
            except asyncio.CancelledError:
                self.stats["stop_abandoned"] += 1
                raise
            except Exception:
                self._outcome(job, "crashed", logging.ERROR, exc_info=True)
            finally:
                self._busy.discard(task)
                self._forget(job)
                self._queue.task_done()

    def _forget(self, job: _Job | Errand) -> None:
        if isinstance(job, _Job):
            self._queued.discard(job.content.nudge_id)

    def _outcome(
        self, job: _Job | Errand, outcome: str, level: int, *, exc_info: bool = False
    ) -> None:
        """Count one nudge's outcome and log it as one line (nudge_id and outcome as fields)."""
        if isinstance(job, Errand):
            outcome = f"{job.name}_{outcome}"
            what, ref, nudge_id = job.name, job.ref, job.nudge_id
        else:
            what, ref = "nudge", job.content.nudge_id
            nudge_id = ref
        self._telemetry.nudge_outcome(outcome)
        extra: dict[str, object] = {"outcome": outcome}
        if nudge_id is not None:
            extra["nudge_id"] = nudge_id
        log.log(level, "%s %d: %s", what, ref, outcome, extra=extra, exc_info=exc_info)

    async def _run_errand(self, errand: Errand) -> None:
        """Send a follow-up or the like: paced like nudges, by the lease holder, once."""
        failures = 0
        while True:
            async with self._limiter.slot(errand.outgoing.chat_id):
                if not self.lease.held():
                    self.stats["handed_over"] += 1
                    self._outcome(errand, "unsent", logging.INFO)
                    return  # claimed already: dropped rather than risk it twice
                result = await self._sender.send(errand.outgoing)
            if result.outcome is Outcome.RETRY_AFTER:
                self._limiter.pause(max(result.retry_after_s, 1.0))
                continue
            if result.outcome is Outcome.NETWORK and failures + 1 < self._config.max_attempts:
                failures += 1  # not accepted, so a retry can't duplicate it
                await asyncio.sleep(self._config.backoff_s * 2 ** (failures - 1))
                continue
            break
        if result.outcome is Outcome.OK and result.message_id is not None:
            if errand.sent is not None:
                await errand.sent(result.message_id)
            self._outcome(errand, "sent", logging.DEBUG)
            if errand.then is not None:  # in order, by this worker
                await self._run_errand(errand.then)
        else:
            self._outcome(errand, "unsent", logging.INFO)

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
                self._outcome(job, "withheld", logging.DEBUG)
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
            if result.message_id is None:
                self._outcome(job, "renudge_unsent", logging.INFO)
                return
            await self._writer.submit(attempts.renudge_sent, (content.nudge_id, result.message_id))
            self._outcome(job, "renudge_sent", logging.DEBUG)
            return
        finished = partial(
            attempts.Finished, nudge_id=content.nudge_id, log=codes, attempts=tries, now=now
        )
        if result.outcome is Outcome.OK and result.message_id is not None:
            name, level = "sent", logging.DEBUG
            if content.due_at is not None:
                self._telemetry.nudge_lateness((now - content.due_at).total_seconds())
            outcome = finished(
                status=NudgeStatus.SENT, chat_id=content.chat_id, message_id=result.message_id
            )
        elif result.outcome in (Outcome.BLOCKED, Outcome.REJECTED):
            name, level = "undeliverable", logging.INFO
            outcome = finished(
                status=NudgeStatus.UNDELIVERABLE,
                error=result.error,
                client_id=content.client_id,
                unreachable=result.outcome is Outcome.BLOCKED,
            )
        else:
            name, level = "retry_later", logging.INFO
            outcome = finished(
                status=NudgeStatus.CLAIMED,
                retry_at=now + self._config.retry_later,
                error=result.error,
            )
        self.stats[name] += 1
        await self._writer.submit(attempts.record, outcome)
        if result.outcome is Outcome.BLOCKED:
            self.poke()  # its pass tells the therapist, once, that the client is unreachable
        # Logged once recorded, so the line never claims what a crash could still undo.
        self._outcome(job, name, level)

    async def _arm(self) -> None:
        if self._scheduler is None or not self.lease.held():
            # Only the holder sends. Armed for work another replica is doing, this one
            # would wake at once, find nothing to do, and arm again: a spin for as long
            # as that work lasts. Gaining the lease pokes (_lease_changed) instead.
            return
        async with self._db.transaction() as session:
            wakes = [await store.next_wake(session), await pauses.next_pause_end(session)]
            if self._errands is not None:
                wakes.append(await self._errands.next_wake(session))
        wake_at = min((wake for wake in wakes if wake is not None), default=None)
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
