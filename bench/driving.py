"""Plumbing for benchmarks that drive the bot through an in-process stub (replies, restart).

Why in-process: these benchmarks need to *see* each request the moment it reaches the
stub (a callback answer for one press, a nudge for one chat) and to inject updates as
users would, which a stub in another process could only offer through a slower,
coarser control API. The bot itself always runs as a subprocess (``BotProcess``), so
it never shares the benchmark's event loop or GIL; what the stub costs is measured
with ``CpuMeter`` and reported, so a saturated stub can't pass for a slow bot.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bench.database import BenchDatabase
from bot.sandbox.botapi import BotApiStub
from bot.sandbox.botapi.models import ApiCall
from bot.sandbox.botapi.params import Params

# Called after a successful call: (its params, its result, time.monotonic() when it arrived).
Tap = Callable[[Params, Any, float], None]


def tap(stub: BotApiStub, method: str, on_success: Tap) -> None:
    """Run ``on_success`` after every successful ``method`` call the stub answers.

    The arrival time is when the stub had read the whole request (``ApiCall.at``). A call
    refused with a 429 or an injected fault is never reported. Several taps on one method
    run in the order they were added.
    """

    def finished(call: ApiCall) -> None:
        if call.status == 200:
            on_success(Params(call.params), call.result, call.at)

    stub.on_finish(method, finished)


def callback_data(markup: Any, prefix: str) -> list[str]:
    """Every ``callback_data`` of an inline keyboard that starts with ``prefix``."""
    if not isinstance(markup, dict):
        return []
    rows = markup.get("inline_keyboard")
    if not isinstance(rows, list):
        return []
    found: list[str] = []
    for row in rows:
        for button in row if isinstance(row, list) else []:
            data = button.get("callback_data") if isinstance(button, dict) else None
            if isinstance(data, str) and data.startswith(prefix):
                found.append(data)
    return found


def whole_minute_now() -> datetime:
    """The current UTC minute: "due now" for the seeder, which wants whole minutes."""
    return datetime.now(UTC).replace(second=0, microsecond=0)


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile (0..100) with linear interpolation; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    if len(ordered) == 1:
        return float(ordered[0])
    rank = (len(ordered) - 1) * q / 100.0
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return float(ordered[low] + (ordered[high] - ordered[low]) * (rank - low))


@dataclass(frozen=True)
class Spread:
    """p50/p90/p99/max of a sample, in the sample's unit."""

    count: int
    p50: float | None
    p90: float | None
    p99: float | None
    max: float | None

    @classmethod
    def of(cls, values: Iterable[float]) -> Spread:
        sample = list(values)
        return cls(
            len(sample),
            percentile(sample, 50),
            percentile(sample, 90),
            percentile(sample, 99),
            max(sample) if sample else None,
        )

    def describe(self, unit: str = " ms") -> str:
        def fmt(value: float | None) -> str:
            return "-" if value is None else f"{value:.1f}"

        return (
            f"p50 {fmt(self.p50)}, p90 {fmt(self.p90)}, p99 {fmt(self.p99)},"
            f" max {fmt(self.max)}{unit} (n={self.count})"
        )


_TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu_s(pid: int) -> float | None:
    """User + system CPU seconds of a live process (from /proc), None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None
    # After the command name: state is field 3, utime and stime are fields 14 and 15.
    return (int(fields[11]) + int(fields[12])) / _TICKS


class CpuMeter:
    """CPU share of a process over an interval (1.0 = one core busy all the time).

    Used to tell who limits a measurement on a small machine: the bot at 100 % of a
    core means the bot is the bottleneck; the benchmark (and its stub) near 100 %
    means the figure says more about the stub than about the bot.
    """

    def __init__(self, pid: int | None = None) -> None:
        self.pid = pid if pid is not None else os.getpid()
        self._wall = time.monotonic()
        self._cpu = self._read()

    def _read(self) -> float:
        if self.pid == os.getpid():
            return time.process_time()
        return process_cpu_s(self.pid) or 0.0

    def restart(self) -> None:
        self._wall = time.monotonic()
        self._cpu = self._read()

    def share(self) -> float | None:
        wall = time.monotonic() - self._wall
        if wall <= 0:
            return None
        return (self._read() - self._cpu) / wall


async def nudge_status_counts(db: BenchDatabase) -> dict[str, int]:
    """``{status: number of nudges}`` as the bot has committed them."""
    return {
        str(status): int(count)
        for status, count in await db.rows("SELECT status, COUNT(*) FROM nudge GROUP BY 1")
    }


def bot_log_problems(text: str) -> list[str]:
    """Lines of a bot log that mean something went wrong (errors, tracebacks)."""
    return [
        line
        for line in text.splitlines()
        if " ERROR " in line or " CRITICAL " in line or line.startswith("Traceback")
    ]


def cpu_speed_ms(rounds: int = 5) -> float:
    """Best-of-``rounds`` time of a fixed pure-Python loop, in ms (lower = faster machine).

    Shared or virtual machines change speed from minute to minute (the same loop was
    seen taking 45 ms and 72 ms on one host); printing this next to a throughput says
    whether a slower figure is the bot's doing or the machine's.
    """
    best = math.inf
    for _ in range(rounds):
        started = time.perf_counter()
        total = 0
        for i in range(300_000):
            total += i * i
        best = min(best, time.perf_counter() - started)
    return best * 1000.0


def speed_row(before_ms: float, after_ms: float) -> tuple[str, str]:
    """The table row that says how fast the machine was around a measurement."""
    return (
        "machine speed (fixed loop, lower = faster)",
        f"{before_ms:.1f} ms before, {after_ms:.1f} ms after",
    )
