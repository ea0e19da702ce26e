"""replicas: two bots on one PostgreSQL, the sender SIGKILLed mid-burst.

The question: with two replicas sharing one database (README, "Several replicas"),
does every client get the burst's nudge exactly once, within Telegram's limit, when
the replica holding the sender lease dies mid-burst, and how long until the other one
takes over? Like ``burst``: ``--clients`` clients due in the previous minute, the Bot
API stub in its own process enforcing ``--limit`` messages/s overall and 1/s per chat
(429 beyond), the bot as ``python -m bot``, here twice, in webhook mode (each its own
port), on one throwaway PostgreSQL server (always: SQLite can't be shared by
processes on different hosts, so ``--database`` is ignored). Each bot gets
SEND_RATE_PER_S = ``--limit``, the whole of it: only the holder of the sender lease
sends, so a single 429 would mean both were sending at once.

When the stub has accepted ``--kill-at`` of the burst, the holder of the sender lease
(its ``lease`` row's ``holder`` is "host:pid") is SIGKILLed. ``takeover_s`` is the
time from the kill until the lease row names the survivor; with SENDER_LEASE_S at its
default (10 s) that is the lease running out plus one renewal tick. The survivor then
sends what is left, including what the dead one had claimed but not attempted once
NUDGE_LEASE_S (``--lease``) has passed.

Figures from the stub's accepted sendMessage calls: ``delivered`` (distinct chats),
``duplicates`` (messages beyond one per chat), ``lost`` (expected − delivered),
``got_429``, ``rate_per_s`` (delivered / first → last arrival, the takeover gap
included). The documented residual of a crash (a nudge whose 'sending' mark the dead
process committed just before its request left is recorded ``unconfirmed`` and not
resent) can make ``lost`` 1; the table counts ``unconfirmed`` rows and which of the
lost chats they explain. Targets: no duplicate, none lost, no 429, takeover ≤ 15 s.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench.botproc import BotProcess
from bench.burst import seed
from bench.common import FIRST_CHAT_ID, Delivery, log_warnings, per_second_text, wait_for_delivery
from bench.database import BenchDatabase, instant, open_databases
from bench.report import emit_json, print_table, target_row, verdict
from bench.restart import settle
from bench.stubproc import StubProcess
from bench.workdir import Workdir
from tests.botprocess import free_port

TOKEN = "123456789:bench-replicas-token-for-local-stub"
REPLICAS = 2
TAKEOVER_TARGET_S = 15.0
LEASE_TAKEN = "sender lease taken"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--clients", type=int, default=2000, help="clients due the same minute")
    parser.add_argument("--limit", type=float, default=300.0, help="stub's global limit, msg/s")
    parser.add_argument(
        "--sender-lease", type=float, default=10.0, help="SENDER_LEASE_S for the bots"
    )
    parser.add_argument("--lease", type=float, default=5.0, help="NUDGE_LEASE_S for the bots")
    parser.add_argument(
        "--safety", type=float, default=1.0, help="SCHEDULER_SAFETY_INTERVAL_S for the bots"
    )
    parser.add_argument(
        "--kill-at", type=float, default=0.25, help="share of the burst delivered at the kill"
    )
    parser.add_argument("--timeout", type=float, default=120.0, help="give up the run after (s)")


@dataclass
class ReplicaRun:
    ready_s: list[float]
    victim: int  # index into the bots
    accepted_at_kill: int
    takeover_s: float | None
    delivery: Delivery
    statuses: dict[str, int]
    settled: str
    unconfirmed_chats: set[int]
    lease_taken: list[int]  # "sender lease taken" lines per bot
    exit_code: int | None
    warnings: list[tuple[int, list[str]]]


async def sender_holder(db: BenchDatabase) -> int | None:
    """The pid of the sender lease's holder, None while nobody holds an unexpired one."""
    rows = await db.rows("SELECT holder, expires_at FROM lease WHERE name = 'sender'")
    if not rows or instant(rows[0][1]) < datetime.now(UTC):
        return None
    return int(str(rows[0][0]).rsplit(":", 1)[1])


async def _poll(check: Callable[[], Awaitable[bool]], timeout: float) -> bool:  # noqa: ASYNC109
    """Poll ``check`` every 50 ms until it holds (True) or ``timeout`` passes (False)."""
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(0.05)
    return True


def _bot(
    db: BenchDatabase, stub: StubProcess, workdir: Path, number: int, args: argparse.Namespace
) -> BotProcess:
    """Replica ``number``: webhook mode on a port of its own, the whole limit as its pace."""
    return BotProcess(
        token=TOKEN,
        database_url=db.url,
        api_url=stub.url,
        log_dir=workdir / f"bot{number}",
        extra_env={
            **db.bot_env,
            "SEND_RATE_PER_S": f"{args.limit:g}",
            "PER_CHAT_INTERVAL_S": "1",
            "SENDER_LEASE_S": f"{args.sender_lease:g}",
            "NUDGE_LEASE_S": f"{args.lease:g}",
            "SCHEDULER_SAFETY_INTERVAL_S": f"{args.safety:g}",
            "WEBHOOK_URL": "https://bot.example.test",
            "WEBHOOK_SECRET": "bench-replica-secret",
            "WEBHOOK_LISTEN": "127.0.0.1",
            "WEBHOOK_PORT": str(free_port()),
        },
        bot_path=args.bot_path,
    )


async def measure(db: BenchDatabase, workdir: Path, args: argparse.Namespace) -> ReplicaRun:
    deadline = time.monotonic() + args.timeout
    kill_point = max(1, int(args.clients * args.kill_at))
    async with (
        StubProcess(
            TOKEN,
            global_limit_per_s=args.limit,
            per_chat_limit_per_s=1.0,
            users=(FIRST_CHAT_ID, args.clients),
            log_dir=workdir / "stub",
            max_seconds=args.timeout + 60,
        ) as stub,
        AsyncExitStack() as stack,
    ):
        bots = [_bot(db, stub, workdir, i + 1, args) for i in range(REPLICAS)]
        for bot in bots:
            await stack.enter_async_context(bot)
        ready_s = [await bot.wait_ready(30.0) for bot in bots]

        async def kill_point_reached() -> bool:
            return int((await stub.stats())["accepted_send_message"]) >= kill_point

        if not await _poll(kill_point_reached, deadline - time.monotonic()):
            raise RuntimeError(f"fewer than {kill_point} nudges delivered in {args.timeout:g} s")
        pids = [bot.pid for bot in bots]
        holders: list[int | None] = []

        async def holder_known() -> bool:
            holders.append(await sender_holder(db))
            return holders[-1] in pids

        if not await _poll(holder_known, deadline - time.monotonic()):
            raise RuntimeError("neither bot holds the sender lease")
        victim = pids.index(holders[-1])  # type: ignore[arg-type]
        survivor = bots[1 - victim]
        accepted_at_kill = int((await stub.stats())["accepted_send_message"])
        bots[victim].kill()
        killed_at = time.monotonic()

        async def survivor_holds() -> bool:
            return await sender_holder(db) == survivor.pid

        took_over = await _poll(survivor_holds, deadline - time.monotonic())
        takeover_s = time.monotonic() - killed_at if took_over else None
        delivery = await wait_for_delivery(
            stub,
            survivor,
            args.clients,
            timeout_s=max(1.0, deadline - time.monotonic()),
            stall_s=max(5.0, args.lease + 3 * args.safety + 1),
            quiet_s=1.5,
        )
        statuses, settled = await settle(
            db, args.clients, args.lease, args.safety, killed_at, deadline
        )
        exit_code = await survivor.stop()
    unconfirmed = await db.rows(
        "SELECT c.chat_id FROM nudge n JOIN client c ON c.id = n.client_id"
        " WHERE n.status = 'unconfirmed'"
    )
    return ReplicaRun(
        ready_s=ready_s,
        victim=victim,
        accepted_at_kill=accepted_at_kill,
        takeover_s=takeover_s,
        delivery=delivery,
        statuses=statuses,
        settled=settled,
        unconfirmed_chats={int(chat) for (chat,) in unconfirmed},
        lease_taken=[bot.log_text().count(LEASE_TAKEN) for bot in bots],
        exit_code=exit_code,
        warnings=[log_warnings(bot) for bot in bots],
    )


def run(args: argparse.Namespace) -> int:
    """Seed (blocking: the seeder runs the bot's migrations), then the two bots."""
    args.database = "postgres"
    with (
        Workdir("replicas", keep=args.keep) as workdir,
        open_databases(args.database, workdir) as databases,
    ):
        db = databases.new("replicas")
        seed(db, args.clients, instants=4)
        result = asyncio.run(measure(db, workdir.path, args))
        if result.delivery.duplicates or result.delivery.delivered < args.clients:
            workdir.keep = True
    return report(args, result)


def report(args: argparse.Namespace, result: ReplicaRun) -> int:
    d = result.delivery
    expected, delivered = args.clients, d.delivered
    lost = expected - delivered
    rate = None if not d.span_s else delivered / d.span_s
    never = {int(chat) for chat in d.stats.get("never_sent_sample", [])}
    lost_unconfirmed = len(never & result.unconfirmed_chats)
    takeover = result.takeover_s
    rows: list[tuple[str, object]] = [
        ("clients", expected),
        ("database", "postgres (one server, both bots)"),
        (
            "stub limits / bot rate",
            f"{args.limit:g} msg/s global, 1/s per chat / {args.limit:g} msg/s per bot",
        ),
        (
            "leases (sender, nudge) / safety tick",
            f"{args.sender_lease:g} s, {args.lease:g} s / {args.safety:g} s",
        ),
        ("bots ready (s)", " / ".join(f"{s:.2f}" for s in result.ready_s)),
        (
            "SIGKILL",
            f"bot #{result.victim + 1} (the sender) at {result.accepted_at_kill:,} accepted",
        ),
        ("'sender lease taken' logged (bot #1 / #2)", " / ".join(map(str, result.lease_taken))),
        ("wait ended", f"{d.stop_reason} after {d.waited_s:.1f} s; db: {result.settled}"),
        ("first → last arrival (s)", d.span_s),
        ("accepted per second", per_second_text(list(d.stats.get("accepted_per_second", [])))),
        (
            "nudge statuses (db)",
            ", ".join(f"{k} {v:,}" for k, v in sorted(result.statuses.items())),
        ),
        (
            "unconfirmed (db) / of them lost",
            f"{len(result.unconfirmed_chats)} / {lost_unconfirmed}",
        ),
        ("survivor exit code", result.exit_code),
    ]
    for number, (count, sample) in enumerate(result.warnings, start=1):
        rows.append((f"bot #{number} warnings/errors logged", count))
        rows += [(f"  {i + 1}", line[:110]) for i, line in enumerate(sample)]
    rows += [
        target_row("takeover_s (kill → survivor holds)", takeover, TAKEOVER_TARGET_S, " s"),
        ("rate_per_s (delivered / span)", rate),
        ("expected / delivered", f"{expected:,} / {delivered:,}"),
        target_row("duplicates", d.duplicates, 0),
        target_row("lost", lost, 0),
        target_row("got_429", d.got_429, 0),
    ]
    ok = (
        takeover is not None
        and takeover <= TAKEOVER_TARGET_S
        and d.duplicates == 0
        and lost == 0
        and d.got_429 == 0
    )
    rows.append(("all targets", verdict(ok)))
    print_table(
        f"replicas: {REPLICAS} bots, {expected:,} clients due the same minute,"
        f" the sender SIGKILLed at {args.kill_at:.0%}",
        rows,
    )
    emit_json(
        {
            "expected": expected,
            "delivered": delivered,
            "duplicates": d.duplicates,
            "lost": lost,
            "got_429": d.got_429,
            "takeover_s": None if takeover is None else round(takeover, 2),
            "rate_per_s": None if rate is None else round(rate, 2),
            "limit_per_s": args.limit,
            "unconfirmed": len(result.unconfirmed_chats),
            "sender_lease_s": args.sender_lease,
            "database": "postgres",
        }
    )
    return 1 if args.strict and not ok else 0
