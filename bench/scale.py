"""scale: start-up time and peak memory of `python -m bot` with many clients stored.

The schedule lives in the database, so neither start-up nor memory should grow with
the number of clients. This seeds N enrolled clients (each with a daily reminder due
tomorrow, so nothing fires), starts the real bot as a subprocess against an
in-process Bot API stub, and measures:

* ``ready_s``: process spawn → the "... is running" log line (database migrated,
  nudge scheduler armed, polling started); the median over ``--runs`` starts;
* ``peak_rss_mb``: the kernel's peak-RSS mark of the bot process (VmHWM), read after
  the bot has been running for ``--settle`` seconds so its first dispatch pass and
  first long-polls are included; the maximum over the runs.

Targets: ready ≤ 2 s, peak RSS ≤ 150 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.botproc import BotProcess
from bench.database import BenchDatabase, open_databases
from bench.report import emit_json, print_table, target_row
from bench.workdir import Workdir

TOKEN = "123456789:bench-scale-token-for-local-stub"
READY_TARGET_S = 2.0
RSS_TARGET_MB = 150.0


@dataclass
class StartResult:
    ready_s: float
    rss_at_ready_mb: float | None
    peak_rss_mb: float | None
    get_updates: int
    stop_s: float
    exit_code: int | None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--clients", type=int, default=100_000, help="clients to seed")
    parser.add_argument("--runs", type=int, default=3, help="bot starts on the same database")
    parser.add_argument("--settle", type=float, default=2.0, help="seconds to run after ready")
    parser.add_argument("--ready-timeout", type=float, default=60.0, help="give up after (s)")
    parser.add_argument("--zone", default="UTC", help="time zone of the seeded clients")
    parser.add_argument(
        "--baseline", action="store_true", help="also start once on an empty database"
    )


async def start_once(db: BenchDatabase, workdir: Path, args: argparse.Namespace) -> StartResult:
    """One bot start against a fresh in-process stub; always stops both."""
    from bot.sandbox.botapi import BotApiStub

    async with BotApiStub(TOKEN, record_calls=False) as stub:
        bot = BotProcess(
            token=TOKEN,
            database_url=db.url,
            api_url=stub.url,
            log_dir=workdir,
            extra_env=db.bot_env,
            bot_path=args.bot_path,
        )
        async with bot:
            ready_s = await bot.wait_ready(args.ready_timeout)
            rss_at_ready = bot.peak_rss_mb()
            deadline = time.monotonic() + args.settle
            while time.monotonic() < deadline:
                if not bot.alive():
                    break
                await asyncio.sleep(0.05)
            peak = bot.peak_rss_mb()
            stopping = time.monotonic()
            code = await bot.stop()
            stop_s = time.monotonic() - stopping
            peak = bot.peak_rss_mb() or peak  # includes readings taken during shutdown
        return StartResult(
            ready_s=ready_s,
            rss_at_ready_mb=rss_at_ready,
            peak_rss_mb=peak,
            get_updates=stub.stats["method:getUpdates"],
            stop_s=stop_s,
            exit_code=code,
        )


async def measure(
    db: BenchDatabase, empty: BenchDatabase | None, workdir: Path, args: argparse.Namespace
) -> tuple[list[StartResult], StartResult | None, float]:
    """The starts, the baseline start, and the database's size (MiB)."""
    size_mb = await db.size_mb()
    results = [
        await start_once(db, workdir / f"run{i + 1}", args) for i in range(max(1, args.runs))
    ]
    baseline = None
    if empty is not None:
        baseline = await start_once(empty, workdir / "baseline", args)
    return results, baseline, size_mb


def run(args: argparse.Namespace) -> int:
    """Seed (blocking, before any event loop: the seeder runs the bot's migrations), then
    start the bot ``--runs`` times."""
    with (
        Workdir("scale", keep=args.keep) as workdir,
        open_databases(args.database, workdir) as databases,
    ):
        due = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(days=1)
        db = databases.new("scale")
        seeding = time.perf_counter()
        db.seed(args.clients, due, zone=args.zone)
        seed_s = time.perf_counter() - seeding
        empty = None
        if args.baseline:
            empty = databases.new("empty")
            empty.seed(0, due)
        results, baseline, db_mb = asyncio.run(measure(db, empty, workdir.path, args))

    ready_s = statistics.median(r.ready_s for r in results)
    peaks = [r.peak_rss_mb for r in results if r.peak_rss_mb is not None]
    peak_rss_mb = max(peaks) if peaks else None
    rows: list[tuple[str, object]] = [
        ("clients", args.clients),
        ("database", args.database),
        ("seed time (s)", seed_s),
        ("database size (MiB)", db_mb),
        ("runs", len(results)),
    ]
    for i, r in enumerate(results, start=1):
        rows.append(
            (
                f"run {i}",
                f"ready {r.ready_s:.3f} s, RSS at ready {_mb(r.rss_at_ready_mb)},"
                f" peak {_mb(r.peak_rss_mb)}, getUpdates {r.get_updates},"
                f" stop {r.stop_s:.2f} s (exit {r.exit_code})",
            )
        )
    if baseline is not None:
        rows.append(
            (
                "baseline (0 clients)",
                f"ready {baseline.ready_s:.3f} s, peak {_mb(baseline.peak_rss_mb)}",
            )
        )
    ready_row = target_row("ready_s (median)", ready_s, READY_TARGET_S, " s")
    rss_row = target_row("peak_rss_mb (max)", peak_rss_mb, RSS_TARGET_MB, " MB")
    rows += [ready_row, rss_row]
    print_table(f"scale: start-up with {args.clients:,} clients", rows)
    emit_json(
        {
            "clients": args.clients,
            "ready_s": round(ready_s, 4),
            "peak_rss_mb": None if peak_rss_mb is None else round(peak_rss_mb, 2),
            "database": args.database,
        }
    )
    missed = ready_s > READY_TARGET_S or peak_rss_mb is None or peak_rss_mb > RSS_TARGET_MB
    bad_exit = any(r.exit_code not in (0, None) for r in results)
    return 1 if args.strict and (missed or bad_exit) else 0


def _mb(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} MB"
