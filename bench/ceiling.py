"""ceiling: how fast the whole bot can send when nothing holds it back, against bare PTB.

Telegram's limits hide the bot's own ceiling, so here the Bot API stub (in its own
process) has no limits at all and the bot runs with ``SEND_RATE_PER_S`` = 1,000,000 and
``PER_CHAT_INTERVAL_S`` = 0.001: whatever rate comes out is the cost of the bot's
pipeline (claims, "sending" committed before each request, outcome committed after,
the transport) on this machine.

The yardstick, in the same run and against the same stub: bare python-telegram-bot,
``telegram.Bot(token, base_url=...)`` with its default transport (``HTTPXRequest``;
its default pool of 256 connections is already larger than the concurrency), sending
the same nudge text and keyboard to distinct chats with as many requests in flight as
the bot's engine has workers (16), no database, no scheduler. That is the floor of
the stack a bot built on PTB's defaults stands on. It runs first, with the bot not
yet started, so the two never compete for the CPU; the stub's counters are reset in
between.

Seeding: the ``--clients`` reminders are all due at the start of the previous whole
minute, so they are due when the bot starts and the burst begins at its first
dispatch pass (see bench/burst.py for why that gives a clean measurement). Both rates
are taken the same way, from the stub's accepted ``sendMessage`` arrivals: accepted /
(last − first arrival).

JSON: ``nudges`` (accepted from the bot), ``seconds`` (first → last arrival),
``rate_per_s``, ``bare_rate_per_s``, ``ratio`` (rate / bare). Targets: ratio ≥ 0.8 and
rate ≥ 300/s.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from dataclasses import dataclass
from pathlib import Path

from bench.botproc import BotProcess
from bench.common import (
    FIRST_CHAT_ID,
    Delivery,
    NudgeLedger,
    engine_workers,
    last_whole_minute,
    log_warnings,
    per_second_text,
    read_ledger,
    wait_for_delivery,
)
from bench.database import BenchDatabase, open_databases
from bench.report import emit_json, print_table, target_row
from bench.seed import EXERCISES
from bench.stubproc import StubProcess
from bench.workdir import Workdir

TOKEN = "123456789:bench-ceiling-token-for-local-stub"
RATIO_TARGET = 0.8
RATE_TARGET = 300.0
BOT_ENV = {"SEND_RATE_PER_S": "1000000", "PER_CHAT_INTERVAL_S": "0.001"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--clients", type=int, default=20_000, help="nudges the bot sends")
    parser.add_argument("--bare", type=int, default=5000, help="bare PTB sends (yardstick)")
    parser.add_argument(
        "--timeout",
        type=float,
        default=None,
        help="give up on the bot after (s); default clients / 250 + 20",
    )


@dataclass
class BareRun:
    sends: int
    accepted: int
    span_s: float | None
    wall_s: float
    concurrency: int
    failures: int

    @property
    def rate_per_s(self) -> float | None:
        if self.span_s is None or self.span_s <= 0:
            return None
        return self.accepted / self.span_s


@dataclass
class CeilingRun:
    bare: BareRun
    delivery: Delivery
    ledger: NudgeLedger
    ready_s: float | None
    exit_code: int | None
    warnings: tuple[int, list[str]]


async def bare_ptb(stub: StubProcess, first_chat: int, count: int, concurrency: int) -> BareRun:
    """``count`` plain ``Bot.send_message`` calls, ``concurrency`` at a time, distinct chats.

    The message is the bot's own nudge (text and inline keyboard from bot/views), so
    both sides put the same bytes on the wire and the stub does the same work for each.
    """
    from telegram import Bot

    from bot.db.nudges import NudgeContent
    from bot.settings import REPO_ROOT
    from bot.texts import Texts
    from bot.views.nudges import nudge_text, reply_keyboard

    texts = Texts.load(REPO_ROOT / "config")
    content = NudgeContent(
        nudge_id=1_000_000,
        client_id=1_000_000,
        chat_id=first_chat,
        first_name="Client1",
        language="en",
        exercises=list(EXERCISES),
    )
    text = nudge_text(texts, content, renudge=False)
    markup = reply_keyboard(texts, "en", content.nudge_id, renudge=False)
    chats = iter(range(first_chat, first_chat + count))
    failures = 0

    async def sender(bot: Bot) -> None:
        nonlocal failures
        for chat_id in chats:  # shared iterator: each chat is taken by exactly one sender
            try:
                await bot.send_message(chat_id, text, reply_markup=markup)
            except Exception:  # counted, not fatal: the rate is still from accepted sends
                failures += 1

    async with Bot(TOKEN, base_url=f"{stub.url}/bot") as bot:  # initialize() calls getMe
        await stub.reset()
        started = time.perf_counter()
        await asyncio.gather(*(sender(bot) for _ in range(concurrency)))
        wall_s = time.perf_counter() - started
    stats = await stub.stats()
    span = stats.get("accepted_span_s")
    return BareRun(
        sends=count,
        accepted=int(stats["accepted_send_message"]),
        span_s=None if span is None else float(span),
        wall_s=wall_s,
        concurrency=concurrency,
        failures=failures,
    )


async def measure(db: BenchDatabase, workdir: Path, args: argparse.Namespace) -> CeilingRun:
    timeout = args.timeout if args.timeout is not None else args.clients / 250 + 20
    bare_first = FIRST_CHAT_ID + args.clients  # a range of chats the bot never sends to
    async with StubProcess(
        TOKEN,
        users=(FIRST_CHAT_ID, args.clients + args.bare),
        log_dir=workdir / "stub",
        max_seconds=timeout + 120,
    ) as stub:
        bare = await bare_ptb(stub, bare_first, args.bare, engine_workers())
        await stub.reset()
        bot = BotProcess(
            token=TOKEN,
            database_url=db.url,
            api_url=stub.url,
            log_dir=workdir / "bot",
            extra_env={**db.bot_env, **BOT_ENV},
            bot_path=args.bot_path,
        )
        async with bot:
            ready_s = await bot.wait_ready(30.0)
            # Polling walks every chat in the stub; once a second keeps that cost ~1 %.
            delivery = await wait_for_delivery(
                stub, bot, args.clients, timeout_s=timeout, stall_s=5.0, quiet_s=1.0, poll_s=1.0
            )
            exit_code = await bot.stop()
            warnings = log_warnings(bot)
    return CeilingRun(bare, delivery, await read_ledger(db), ready_s, exit_code, warnings)


def run(args: argparse.Namespace) -> int:
    """Seed (blocking: the seeder runs the bot's migrations), then bare PTB, then the bot."""
    with (
        Workdir("ceiling", keep=args.keep) as workdir,
        open_databases(args.database, workdir) as databases,
    ):
        db = databases.new("ceiling")
        seeding = time.perf_counter()
        db.seed(args.clients, last_whole_minute(), first_user_id=FIRST_CHAT_ID)
        seed_s = time.perf_counter() - seeding
        result = asyncio.run(measure(db, workdir.path, args))
    return report(args, result, seed_s)


def report(args: argparse.Namespace, result: CeilingRun, seed_s: float) -> int:
    d, bare = result.delivery, result.bare
    rate = d.rate_per_s()
    bare_rate = bare.rate_per_s
    ratio = None if rate is None or not bare_rate else rate / bare_rate
    warn_count, warn_sample = result.warnings
    rows: list[tuple[str, object]] = [
        ("clients", args.clients),
        ("database", args.database),
        ("seed time (s)", seed_s),
        ("stub limits", "none"),
        (
            "bare PTB (httpx)",
            f"{bare.accepted:,}/{bare.sends:,} accepted, {bare.concurrency} in flight,"
            f" {bare.span_s or 0:.2f} s first → last ({bare.wall_s:.2f} s wall),"
            f" {bare.failures} failed",
        ),
        ("bare_rate_per_s", bare_rate),
        ("bot env", ", ".join(f"{k}={v}" for k, v in BOT_ENV.items())),
        ("bot ready (s)", result.ready_s),
        ("wait ended", f"{d.stop_reason} after {d.waited_s:.1f} s"),
        ("nudges accepted", d.accepted),
        ("chats reached", d.delivered),
        ("duplicates", d.duplicates),
        ("first → last arrival (s)", d.span_s),
        ("accepted per second", per_second_text(list(d.stats.get("accepted_per_second", [])))),
        ("bot statuses (db)", result.ledger.status_text()),
        ("bot attempt logs", result.ledger.attempts_text()),
        ("bot exit code", result.exit_code),
        ("bot warnings/errors logged", warn_count),
    ]
    rows += [(f"  {i + 1}", line[:110]) for i, line in enumerate(warn_sample)]
    rows += [
        target_row("rate_per_s", rate, RATE_TARGET, "/s", lower_is_better=False),
        target_row("ratio (rate / bare)", ratio, RATIO_TARGET, lower_is_better=False),
    ]
    print_table(f"ceiling: {args.clients:,} nudges, stub unlimited, vs bare PTB", rows)
    emit_json(
        {
            "nudges": d.accepted,
            "seconds": None if d.span_s is None else round(d.span_s, 3),
            "rate_per_s": None if rate is None else round(rate, 2),
            "bare_rate_per_s": None if bare_rate is None else round(bare_rate, 2),
            "ratio": None if ratio is None else round(ratio, 4),
            "database": args.database,
        }
    )
    missed = rate is None or rate < RATE_TARGET or ratio is None or ratio < RATIO_TARGET
    return 1 if args.strict and missed else 0
