"""therapist: /clients with 1,000 clients and a year of answers, and one client's chart.

The therapist's list has to feel instant however big the practice, so it is counted
in a few grouped queries for all clients at once (bot/db/roster.py), not per client.

How: seed one therapist with ``--clients`` clients (half in Europe/Berlin, half in
America/New_York, so the counting spans two local "todays" at some hours) and
``--days`` days of answers each (bulk writes: bench/seed.py), a few with pain
reported or gone quiet. Start the real bot (``python -m bot``, a subprocess) against
an in-process ``BotApiStub`` and, as the therapist, send ``/clients`` and press the
list's page buttons one after another. **Latency** = the press (the update queued at
the stub) → the bot's list (``sendMessage``) or edited page (``editMessageText``)
reaching the stub; p50/p95 over ``--requests`` presses, every fifth a fresh
``/clients`` and the rest page turns across the whole list.

**Chart**: one client's whole history read through the bot's store
(bot/db/history.py), counted by week (bot/domain/adherence.py) and drawn with
``render_weekly_chart`` (bot/services/charts.py) off the event loop, as the bot does
it; ``chart_ms`` is the median of ``--charts`` renders after a first one, which also
pays matplotlib's import and is reported on its own.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.botproc import BotProcess
from bench.database import BenchDatabase, open_databases
from bench.driving import (
    Spread,
    bot_log_problems,
    cpu_speed_ms,
    percentile,
    speed_row,
    tap,
    whole_minute_now,
)
from bench.report import emit_json, print_table, target_row
from bench.workdir import Workdir

TOKEN = "123456789:bench-therapist-token-for-local-stub"
THERAPIST_USER = 999
ZONES = ("Europe/Berlin", "America/New_York")
LIST_P95_TARGET_MS = 300.0
CHART_TARGET_MS = 1000.0
PAGE_SIZE = 10  # bot/views/clients.py


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--clients", type=int, default=1000, help="clients of the one therapist")
    parser.add_argument("--days", type=int, default=365, help="days of answers per client")
    parser.add_argument("--requests", type=int, default=60, help="timed /clients and pages")
    parser.add_argument("--charts", type=int, default=5, help="timed chart renders")
    parser.add_argument("--timeout", type=float, default=30.0, help="give up one wait after (s)")
    parser.add_argument("--log-level", default="INFO", help="the bot's LOG_LEVEL")


def seed(db: BenchDatabase, clients: int, days: int) -> int:
    """The therapist's clients, split over two zones, then their history; occurrences."""
    from bench.seed import seed_history

    due = whole_minute_now() + timedelta(days=1)  # nothing falls due while we measure
    today = datetime.now(UTC).date()
    written = 0
    halves = (clients - clients // 2, clients // 2)
    for i, (zone, n) in enumerate(zip(ZONES, halves, strict=True)):
        if n == 0:
            continue
        db.seed(
            n,
            due,
            first_user_id=20_000_000 + i * 1_000_000,
            zone=zone,
            therapist_user_id=THERAPIST_USER,
        )
        _ids, count = db.bulk_write(lambda w, n=n: seed_history(w, n, days, today))
        written += count
    return written


class Watch:
    """Times each press: when it was queued, and when its answer reached the stub."""

    def __init__(self, stub: Any, chat_id: int) -> None:
        self.chat_id = chat_id
        self.pressed_at = 0.0
        self.arrived: asyncio.Event = asyncio.Event()
        self.arrived_at = 0.0
        self.message_id: int | None = None
        tap(stub, "sendMessage", self._on_answer)
        tap(stub, "editMessageText", self._on_answer)

    def _on_answer(self, params: Any, result: Any, arrived: float) -> None:
        if params.get("chat_id") != self.chat_id:
            return
        self.arrived_at = arrived
        self.message_id = int(result["message_id"])
        self.arrived.set()

    def press(self) -> None:
        self.arrived.clear()
        self.pressed_at = time.monotonic()

    async def wait(self, timeout: float) -> float:  # noqa: ASYNC109 - one deadline per press
        await asyncio.wait_for(self.arrived.wait(), timeout)
        return (self.arrived_at - self.pressed_at) * 1000.0


async def measure_list(db: BenchDatabase, workdir: Path, args: Any) -> dict[str, Any]:
    from bot.sandbox.botapi import BotApiStub

    pages = max(1, -(-args.clients // PAGE_SIZE))
    latencies: list[float] = []
    async with BotApiStub(TOKEN, record_calls=False) as stub:
        therapist = stub.user(THERAPIST_USER, "Dana")
        watch = Watch(stub, therapist.chat_id)
        bot = BotProcess(
            token=TOKEN,
            database_url=db.url,
            api_url=stub.url,
            log_dir=workdir / "bot",
            log_level=args.log_level,
            extra_env=db.bot_env,
            bot_path=args.bot_path,
        )
        async with bot:
            ready_s = await bot.wait_ready(60.0)
            watch.press()
            await therapist.send("/clients")
            first_ms = await watch.wait(args.timeout)  # warms the bot's caches; not counted
            listing = watch.message_id
            assert listing is not None
            for i in range(args.requests):
                watch.press()
                if i % 5 == 0:
                    await therapist.send("/clients")
                else:
                    page = (i * 7) % pages  # across the whole list, never twice in a row
                    await therapist.press_data(listing, f"Tl:{page}")
                latencies.append(await watch.wait(args.timeout))
            log_problems = bot_log_problems(bot.log_text())
    return {
        "ready_s": ready_s,
        "first_ms": first_ms,
        "latency": Spread.of(latencies),
        "p95": percentile(latencies, 95),
        "log_problems": log_problems,
    }


async def measure_chart(db: BenchDatabase, runs: int) -> tuple[float, float, int]:
    """(first render ms, median of the next `runs`, weeks drawn) for one client's history."""
    from bot.db import history
    from bot.db.database import Database
    from bot.domain import adherence
    from bot.services.charts import SERIES, ChartText, WeekCounts, render_weekly_chart

    database = Database.from_url(db.url)
    try:
        async with database.transaction() as session:
            found = await history.occurrences(session, 1)
    finally:
        await database.dispose()
    today = datetime.now(UTC).date()
    # Every week of the year, all four series: the therapist's chart of one client.
    weeks = [
        WeekCounts.of(week.start.strftime("%d %b"), week.tally)
        for week in adherence.weekly(found, today)
    ]
    text = ChartText("Adherence by week", {series: series.replace("_", " ") for series in SERIES})
    timings = []
    for _ in range(runs + 1):
        started = time.perf_counter()
        png = await render_weekly_chart(weeks, text)
        timings.append((time.perf_counter() - started) * 1000.0)
        assert png.startswith(b"\x89PNG")
    return timings[0], statistics.median(timings[1:]), len(weeks)


def run(args: argparse.Namespace) -> int:
    """Seed (blocking, before any event loop: the seeder runs migrations), then measure."""
    with (
        Workdir("therapist", keep=args.keep) as workdir,
        open_databases(args.database, workdir) as databases,
    ):
        speed_before = cpu_speed_ms()
        db = databases.new("therapist")
        started = time.perf_counter()
        occurrences = seed(db, args.clients, args.days)
        seed_s = time.perf_counter() - started
        figures = asyncio.run(measure_list(db, workdir.path, args))
        chart_first, chart_ms, weeks = asyncio.run(measure_chart(db, args.charts))
        if figures["log_problems"]:
            workdir.keep = True
        speed_after = cpu_speed_ms()

    latency: Spread = figures["latency"]
    p95 = figures["p95"]
    rows: list[tuple[str, object]] = [
        ("clients", f"{args.clients:,} of one therapist, {occurrences:,} occurrences"),
        ("database", args.database),
        speed_row(speed_before, speed_after),
        ("seeding", f"{seed_s:.1f} s"),
        ("bot ready", f"{figures['ready_s']:.2f} s"),
        ("first /clients (not counted)", f"{figures['first_ms']:.1f} ms"),
        ("list latency (press → answer at the stub)", latency.describe()),
        target_row("list_p95_ms", p95, LIST_P95_TARGET_MS, " ms"),
        ("chart: first render (with matplotlib's import)", f"{chart_first:.0f} ms"),
        target_row(
            f"chart_ms ({weeks} weeks, median of {args.charts})", chart_ms, CHART_TARGET_MS, " ms"
        ),
        ("bot log errors", len(figures["log_problems"])),
    ]
    print_table(f"therapist: /clients with {args.clients:,} clients", rows)
    for line in figures["log_problems"][:10]:
        print(f"  ! {line}")
    emit_json(
        {
            "clients": args.clients,
            "list_p50_ms": _round(latency.p50),
            "list_p95_ms": _round(p95),
            "chart_ms": _round(chart_ms),
            "database": args.database,
        }
    )
    missed = p95 is None or p95 > LIST_P95_TARGET_MS or chart_ms > CHART_TARGET_MS
    return 1 if args.strict and (missed or figures["log_problems"]) else 0


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
