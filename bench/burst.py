"""burst: N clients due the same minute, sent through a Telegram-like rate-limited stub.

The question: when many reminders fall due together, does the bot go out as fast as
Telegram allows (and no faster), to every client exactly once? The Bot API stub runs
in its own process and enforces Telegram's limits the way Telegram does: at most
``--limit`` messages in any sliding second overall (Telegram's is 30/s; scaled up so a
run takes seconds) and ``--per-chat-limit`` per chat, answering 429 with
``retry_after`` beyond that. The bot runs as ``python -m bot`` with
``SEND_RATE_PER_S = --limit`` and ``PER_CHAT_INTERVAL_S = 1 / --per-chat-limit``.

Seeding (default): every reminder is due within the *previous* whole minute, i.e.
already due (well inside the 2 h grace window) when the bot starts, so the whole burst
is claimable at the first dispatch pass. Why not "due at the next whole minute": that
costs up to a minute of waiting per run and measures the same rate, because the rate
is taken between the first and the last accepted arrival, so neither start-up nor
wake-up latency is part of it; here the bot's own limiter is the only thing pacing the
burst. The minute is split into ``--due-instants`` instants (:00, :15, :30, :45 by
default) seeded latest-first, so the clients due last have the lowest ids: a claim or
send order that followed insertion order instead of due time would show as out of
order.

``--due-in S`` instead seeds the instants S seconds ahead (spread over one second),
so the bot is up and idle when they fall due and must be woken by its scheduler;
the table then also shows the lateness of the first and the last nudge. That is the
path production takes every day, so it is worth a run of its own.

Figures, from the stub's accepted ``sendMessage`` calls: ``delivered`` (distinct chats
with at least one nudge), ``duplicates`` (messages beyond one per chat), ``lost``
(expected − delivered), ``got_429``, ``rate_per_s`` (accepted / (last − first
arrival)), ``ratio`` (rate / limit). Targets: ratio ≥ 0.97, no duplicates, none lost,
no 429. Also shown: the order the bot recorded them as sent (from its database after
it stopped; "in due order" allows the reordering its 16 concurrent senders can cause),
its per-nudge attempt logs and any warnings it logged.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.botproc import BotProcess
from bench.common import (
    FIRST_CHAT_ID,
    Delivery,
    NudgeLedger,
    OrderCheck,
    check_due_order,
    engine_workers,
    last_whole_minute,
    log_warnings,
    per_second_text,
    read_ledger,
    wait_for_delivery,
)
from bench.database import BenchDatabase, open_databases
from bench.report import emit_json, print_table, target_row, verdict
from bench.stubproc import StubProcess
from bench.workdir import Workdir

TOKEN = "123456789:bench-burst-token-for-local-stub"
RATIO_TARGET = 0.97


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--clients", type=int, default=2000, help="clients due the same minute")
    parser.add_argument("--limit", type=float, default=300.0, help="stub's global limit, msg/s")
    parser.add_argument(
        "--per-chat-limit", type=float, default=1.0, help="stub's per-chat limit, msg/s"
    )
    parser.add_argument(
        "--due-instants",
        type=int,
        default=4,
        help="distinct due instants spread over the minute (1 = all at :00)",
    )
    parser.add_argument(
        "--due-in",
        type=float,
        default=0.0,
        help="seconds ahead to seed the due instants (0 = already due, previous minute)",
    )
    parser.add_argument(
        "--timeout", type=float, default=None, help="give up after (s); default 2 x ideal + 20"
    )


@dataclass(frozen=True)
class Seeded:
    dues: list[datetime]  # in due order
    first_due_monotonic: float | None  # the first due instant on time.monotonic()'s scale


@dataclass
class BurstRun:
    delivery: Delivery
    ledger: NudgeLedger
    order: OrderCheck
    ready_s: float | None
    exit_code: int | None
    warnings: tuple[int, list[str]]


def seed(db: BenchDatabase, clients: int, instants: int, due_in: float = 0.0) -> Seeded:
    """Seed ``clients`` split over ``instants`` due instants, latest instant first.

    With ``due_in`` 0 the instants are spread over the previous whole minute (already
    due); otherwise over the second starting ``due_in`` seconds from now. Seeding the
    latest instant first makes insertion (id) order the reverse of due order.
    """
    instants = max(1, min(instants, 60, max(clients, 1)))
    wall, mono = datetime.now(UTC), time.monotonic()
    if due_in > 0:
        start = wall + timedelta(seconds=due_in)
        dues = [start + timedelta(seconds=i / instants) for i in range(instants)]
    else:
        start = last_whole_minute()
        dues = [start + timedelta(seconds=60 * i // instants) for i in range(instants)]
    sizes = [clients // instants + (1 if i < clients % instants else 0) for i in range(instants)]
    first = FIRST_CHAT_ID
    for due, size in reversed(list(zip(dues, sizes, strict=True))):
        db.seed(size, due, first_user_id=first)
        first += size
    first_due_mono = mono + (dues[0] - wall).total_seconds() if due_in > 0 else None
    return Seeded(dues, first_due_mono)


async def measure(db: BenchDatabase, workdir: Path, args: argparse.Namespace) -> BurstRun:
    ideal_s = args.clients / args.limit
    timeout = args.timeout if args.timeout is not None else 2 * ideal_s + 20 + args.due_in
    async with StubProcess(
        TOKEN,
        global_limit_per_s=args.limit,
        per_chat_limit_per_s=args.per_chat_limit,
        users=(FIRST_CHAT_ID, args.clients),
        log_dir=workdir / "stub",
        max_seconds=timeout + 60,
    ) as stub:
        bot = BotProcess(
            token=TOKEN,
            database_url=db.url,
            api_url=stub.url,
            log_dir=workdir / "bot",
            extra_env={
                **db.bot_env,
                "SEND_RATE_PER_S": f"{args.limit:g}",
                "PER_CHAT_INTERVAL_S": f"{1 / args.per_chat_limit:g}",
            },
            bot_path=args.bot_path,
        )
        async with bot:
            ready_s = await bot.wait_ready(30.0)
            delivery = await wait_for_delivery(
                stub, bot, args.clients, timeout_s=timeout, stall_s=5.0, quiet_s=1.5
            )
            exit_code = await bot.stop()
            warnings = log_warnings(bot)
    ledger = await read_ledger(db)
    # The bot's concurrent senders may legitimately reorder that many nudges.
    order = check_due_order(ledger.sent, engine_workers())
    return BurstRun(delivery, ledger, order, ready_s, exit_code, warnings)


def run(args: argparse.Namespace) -> int:
    """Seed (blocking: the seeder runs the bot's migrations), then one bot run."""
    with (
        Workdir("burst", keep=args.keep) as workdir,
        open_databases(args.database, workdir) as databases,
    ):
        db = databases.new("burst")
        seeding = time.perf_counter()
        seeded = seed(db, args.clients, args.due_instants, args.due_in)
        seed_s = time.perf_counter() - seeding
        result = asyncio.run(measure(db, workdir.path, args))
    return report(args, result, seeded, seed_s)


def lateness_rows(d: Delivery, seeded: Seeded) -> list[tuple[str, object]]:
    """First/last arrival after the first due instant, when the instants lay ahead.

    The stub stamps arrivals with its own ``time.monotonic()``; on Linux that is the
    system-wide CLOCK_MONOTONIC, so it compares directly with ours.
    """
    due = seeded.first_due_monotonic
    if due is None:
        return []
    first, last = d.stats.get("first_accepted_at"), d.stats.get("last_accepted_at")
    if first is None or last is None:
        return [("late: first / last nudge (s)", "nothing arrived")]
    return [("late: first / last nudge (s)", f"{first - due:.3f} / {last - due:.3f}")]


def order_text(result: BurstRun) -> str:
    order, sent = result.order, len(result.ledger.sent)
    if not sent:
        return "- (nothing recorded as sent)"
    return (
        f"{verdict(order.ok)}: {order.violations} of {sent:,} sent after more than"
        f" {order.window} later-due nudges ({order.due_instants} due instants)"
    )


def report(args: argparse.Namespace, result: BurstRun, seeded: Seeded, seed_s: float) -> int:
    d = result.delivery
    expected = args.clients
    delivered = d.delivered
    lost = expected - delivered
    rate = d.rate_per_s()
    ratio = None if rate is None else rate / args.limit
    warn_count, warn_sample = result.warnings
    dues = seeded.dues
    if seeded.first_due_monotonic is None:
        due_text = (
            f"{len(dues)} in {dues[0]:%H:%M} UTC"
            f" ({', '.join(f':{due.second:02d}' for due in dues)}), seeded latest-first"
        )
    else:
        first_due = dues[0].strftime("%H:%M:%S.%f")[:-3]  # to the millisecond
        due_text = (
            f"{len(dues)} from {first_due} UTC (seeding + {args.due_in:g} s),"
            f" {1000 / len(dues):.0f} ms apart, seeded latest-first"
        )
    rows: list[tuple[str, object]] = [
        ("clients", expected),
        ("database", args.database),
        ("due instants", due_text),
        ("seed time (s)", seed_s),
        ("stub limits", f"{args.limit:g} msg/s global, {args.per_chat_limit:g} msg/s per chat"),
        ("bot ready (s)", result.ready_s),
        ("wait ended", f"{d.stop_reason} after {d.waited_s:.1f} s"),
        ("accepted sendMessage", d.accepted),
        *lateness_rows(d, seeded),
        ("first → last arrival (s)", d.span_s),
        ("accepted per second", per_second_text(list(d.stats.get("accepted_per_second", [])))),
        ("bot statuses (db)", result.ledger.status_text()),
        ("bot attempt logs", result.ledger.attempts_text()),
        ("sent in due order", order_text(result)),
        ("bot exit code", result.exit_code),
        ("bot warnings/errors logged", warn_count),
    ]
    rows += [(f"  {i + 1}", line[:110]) for i, line in enumerate(warn_sample)]
    rows += [
        target_row("ratio (rate / limit)", ratio, RATIO_TARGET, lower_is_better=False),
        ("rate_per_s", rate),
        target_row("duplicates", d.duplicates, 0),
        target_row("lost", lost, 0),
        target_row("got_429", d.got_429, 0),
    ]
    print_table(f"burst: {expected:,} clients due the same minute, limit {args.limit:g}/s", rows)
    emit_json(
        {
            "expected": expected,
            "delivered": delivered,
            "duplicates": d.duplicates,
            "lost": lost,
            "got_429": d.got_429,
            "rate_per_s": None if rate is None else round(rate, 2),
            "limit_per_s": args.limit,
            "ratio": None if ratio is None else round(ratio, 4),
            "database": args.database,
        }
    )
    missed = (
        ratio is None
        or ratio < RATIO_TARGET
        or d.duplicates != 0
        or lost != 0
        or d.got_429 != 0
        or not result.order.ok
        or not result.ledger.sent
    )
    return 1 if args.strict and missed else 0
