"""Helpers shared by the sending benchmarks (burst, ceiling).

Both seed clients whose reminders are already due, start the real bot against the
stub in its own process, and judge the run from what the *stub* accepted: that is
what a Telegram user would see, independent of what the bot believes it sent. The
bot's database is read afterwards (``BenchDatabase.rows``, the bot stopped) only to
explain a miss: how many nudges ended in which status, and in which order they went out.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.botproc import BotProcess
from bench.database import BenchDatabase, instant
from bench.stubproc import StubProcess

FIRST_CHAT_ID = 10_000_000


def engine_workers() -> int:
    """How many sends the bot's engine keeps in flight (its worker count)."""
    from bot.scheduling.engine import EngineConfig

    return EngineConfig().workers


def last_whole_minute() -> datetime:
    """The start of the previous whole minute (UTC): every instant in it is already due."""
    return datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=1)


@dataclass
class Delivery:
    """What the stub saw, and how the wait for it ended."""

    stats: dict[str, Any]
    finished: bool  # every expected chat got a nudge (then we waited ``quiet_s`` more)
    waited_s: float
    bot_alive: bool
    stop_reason: str

    @property
    def accepted(self) -> int:
        return int(self.stats["accepted_send_message"])

    @property
    def delivered(self) -> int:
        return int(self.stats["chats_sent_to"])

    @property
    def duplicates(self) -> int:
        """Messages beyond the first in each chat (a chat that got 3 counts 2)."""
        return self.accepted - self.delivered

    @property
    def got_429(self) -> int:
        return int(self.stats["rate_limited_429"])

    @property
    def span_s(self) -> float | None:
        span = self.stats.get("accepted_span_s")
        return None if span is None else float(span)

    def rate_per_s(self) -> float | None:
        """Accepted messages per second between the first and the last arrival."""
        span = self.span_s
        if span is None or span <= 0:
            return None
        return self.accepted / span


async def wait_for_delivery(
    stub: StubProcess,
    bot: BotProcess,
    expected: int,
    *,
    timeout_s: float,
    stall_s: float = 5.0,
    quiet_s: float = 1.0,
    poll_s: float = 0.25,
) -> Delivery:
    """Poll the stub until ``expected`` chats got a nudge, then ``quiet_s`` more.

    The extra quiet time is there to catch duplicates that arrive after the last new
    chat. The wait also ends if nothing new was accepted for ``stall_s`` after the first
    arrival (a lost nudge would only be retried a minute later, past any sane run), if
    the bot died, or after ``timeout_s``. Polling is cheap but not free for the stub
    (its stats walk every chat), hence the modest default rate.
    """
    started = time.monotonic()
    last_count = -1
    last_change = started
    reason = "timeout"
    finished = False
    stats = await stub.stats()
    while True:
        now = time.monotonic()
        count = int(stats["accepted_send_message"])
        if count != last_count:
            last_count, last_change = count, now
        if int(stats["chats_sent_to"]) >= expected:
            finished = True
            reason = "all delivered"
            break
        if not bot.alive():
            reason = f"bot exited with code {bot.returncode}"
            break
        if count > 0 and now - last_change >= stall_s:
            reason = f"no progress for {stall_s:g} s"
            break
        if now - started >= timeout_s:
            break
        await asyncio.sleep(poll_s)
        stats = await stub.stats()
    if finished:
        await asyncio.sleep(quiet_s)
        stats = await stub.stats()
    return Delivery(
        stats=stats,
        finished=finished,
        waited_s=time.monotonic() - started,
        bot_alive=bot.alive(),
        stop_reason=reason,
    )


@dataclass
class NudgeLedger:
    """The bot's own record of the nudges, read after it stopped."""

    statuses: Counter[str] = field(default_factory=Counter)
    attempt_logs: Counter[str] = field(default_factory=Counter)
    # (due_at, sent_at) of every nudge recorded as sent, in sending order.
    sent: list[tuple[datetime, datetime]] = field(default_factory=list)

    def status_text(self) -> str:
        return ", ".join(f"{k} {v:,}" for k, v in sorted(self.statuses.items())) or "-"

    def attempts_text(self) -> str:
        """Attempt logs other than a single clean "ok" (429s, timeouts, retries)."""
        if not self.attempt_logs:
            return "-"
        odd = {k: v for k, v in self.attempt_logs.items() if k.strip() != "ok"}
        return ", ".join(f"{k.strip() or '(none)'!r} {v:,}" for k, v in sorted(odd.items())) or (
            "all 'ok' at the first try"
        )


async def read_ledger(db: BenchDatabase) -> NudgeLedger:
    """Status counts and send order from the bot's database (the bot must be stopped)."""
    ledger = NudgeLedger()
    for status, log, count in await db.rows(
        "SELECT status, attempt_log, COUNT(*) FROM nudge GROUP BY status, attempt_log"
    ):
        ledger.statuses[str(status)] += int(count)
        ledger.attempt_logs[str(log)] += int(count)
    sent = await db.rows(
        "SELECT due_at, sent_at FROM nudge WHERE sent_at IS NOT NULL ORDER BY sent_at, id"
    )
    ledger.sent = [(instant(due), instant(at)) for due, at in sent]
    return ledger


@dataclass(frozen=True)
class OrderCheck:
    due_instants: int
    violations: int  # nudges sent after more than ``window`` nudges due strictly later
    window: int

    @property
    def ok(self) -> bool:
        return self.violations == 0


def check_due_order(sent: list[tuple[datetime, datetime]], window: int) -> OrderCheck:
    """Did nudges go out in due order, up to what ``window`` concurrent senders can reorder?

    ``sent`` is (due, sent) in sending order. With N requests in flight a nudge may
    finish after up to N - 1 nudges that were taken after it, so a nudge only counts as
    out of order when more than ``window`` nudges due strictly later went out before it.
    Counting per distinct due instant keeps this O(nudges x instants).
    """
    dues = sorted({due for due, _ in sent})
    rank = {due: i for i, due in enumerate(dues)}
    sent_per_rank = [0] * len(dues)
    violations = 0
    for due, _ in sent:
        r = rank[due]
        later = sum(sent_per_rank[r + 1 :])
        if later > window:
            violations += 1
        sent_per_rank[r] += 1
    return OrderCheck(due_instants=len(dues), violations=violations, window=window)


def log_warnings(bot: BotProcess, limit: int = 5) -> tuple[int, list[str]]:
    """How many WARNING/ERROR lines the bot logged, and the first few of them."""
    lines = [
        line
        for line in bot.log_text().splitlines()
        if " WARNING " in line or " ERROR " in line or "Traceback" in line
    ]
    return len(lines), lines[:limit]


def per_second_text(per_second: list[int]) -> str:
    """Accepted messages per whole second since the first, e.g. "296 296 295 … 112"."""
    if len(per_second) <= 12:
        return " ".join(str(n) for n in per_second) or "-"
    head = " ".join(str(n) for n in per_second[:8])
    tail = " ".join(str(n) for n in per_second[-3:])
    return f"{head} … {tail}"
