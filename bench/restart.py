"""restart: SIGKILL the bot several times mid-burst; every nudge must arrive exactly once.

The engine's promise (README, bot/scheduling/engine.py): an attempt is committed as
'sending' once its request is written up to its last byte and just before that byte
leaves (bot/db/sending_marks.py), and its outcome after the answer; a nudge left
'sending' by a dead process becomes 'unconfirmed' after NUDGE_LEASE_S and is *not*
resent (at most once for that ambiguous case), while claimed-but-never-attempted
nudges are sent after a restart (a request cut off before its last byte is dropped by
the server, which the table counts). This benchmark checks the promise from the user's
side and measures the one window it leaves open.

How: seed ``--clients`` clients due now, start the real bot (``python -m bot``) with
SEND_RATE_PER_S = ``--limit`` against an in-process ``BotApiStub`` that enforces
``--limit`` messages/s overall and 1/s per chat (429 beyond, like Telegram). While the
burst goes out, the bot's process group is SIGKILLed ``--kills`` times, each when the
stub has accepted a random-ish share of the burst (one kill per equal slice of it,
plus up to ``--jitter-ms`` so kills don't line up with sends) and restarted at once on
the same database. NUDGE_LEASE_S is short (``--lease``) and the safety tick fast
(``--safety``) so that the bot itself settles dead attempts within the run; the grace
window keeps its default.

At the end the stub's per-chat counts of *accepted* sendMessage calls decide:
``delivered`` (occurrences that arrived at least once), ``duplicates`` (messages beyond
the first in a chat), ``lost`` (occurrences that never arrived). Each miss is
explained from the database (nudge.status, attempt_at, attempt_log) and from what the
stub saw (requests that reached it, accepted or refused): e.g. "killed between the
'sending' commit and the request reaching the stub", with how long before the kill
the attempt was committed. The stub runs in this process for that visibility; at
``--limit`` messages/s it costs a fraction of a core.

Target: every occurrence delivered exactly once (duplicates = lost = 0).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.botproc import BotProcess
from bench.database import BenchDatabase, instant, open_databases
from bench.driving import bot_log_problems, nudge_status_counts, whole_minute_now
from bench.report import emit_json, print_table, verdict
from bench.workdir import Workdir
from bot.sandbox.botapi import BotApiStub
from bot.sandbox.botapi.models import ApiCall

TOKEN = "123456789:bench-restart-token-for-local-stub"
FIRST_USER_ID = 10_000_000
UNSETTLED = ("claimed", "sending")


@dataclass
class Incarnation:
    """One bot process: when it was ready, and when (and how far into the burst) it died."""

    number: int
    bot: BotProcess
    ready_s: float | None = None
    ready_wall: float | None = None
    accepted_at_ready: int = 0
    killed_wall: float | None = None  # time.time() just before SIGKILL
    accepted_at_kill: int | None = None


@dataclass
class Sighting:
    """What the stub saw of one chat's sendMessage calls."""

    reached: int = 0  # requests that reached the stub (including 429-refused ones)
    refused: int = 0
    accepted_wall: list[float] = field(default_factory=list)


class Watcher:
    """Taps the in-process stub: per chat, every sendMessage that reached it and its fate."""

    def __init__(self, stub: BotApiStub) -> None:
        self.stub = stub
        self.chats: dict[int, Sighting] = {}
        self.accepted = 0
        self.refused_429 = 0
        self.first_accepted: float | None = None
        self.last_accepted: float | None = None
        self._progress = asyncio.Event()
        # Arrival: every call that reached "Telegram", whether or not it is then accepted.
        stub.on_arrival("sendMessage", self._on_arrival)
        stub.on_finish("sendMessage", self._on_finish)

    def _sighting(self, call: ApiCall) -> Sighting:
        return self.chats.setdefault(call.params.get("chat_id"), Sighting())

    def _on_arrival(self, call: ApiCall) -> None:
        self._sighting(call).reached += 1

    def _on_finish(self, call: ApiCall) -> None:
        if call.status == 429:
            self._sighting(call).refused += 1
            self.refused_429 += 1
        elif call.status == 200:
            self._sighting(call).accepted_wall.append(time.time())
            self.accepted += 1
            self.first_accepted = self.first_accepted or call.at
            self.last_accepted = call.at
            self._progress.set()

    async def reach(self, accepted: int, timeout: float) -> bool:  # noqa: ASYNC109
        """Wait until the stub has accepted ``accepted`` sends; False if it stalls that long."""
        while self.accepted < accepted:
            self._progress.clear()
            try:
                await asyncio.wait_for(self._progress.wait(), timeout)
            except TimeoutError:
                return False
        return True

    def accepted_in(self, chat: int) -> int:
        sighting = self.chats.get(chat)
        return len(sighting.accepted_wall) if sighting else 0


class CutOffRequests(logging.Filter):
    """Counts (and silences) the stub's reports of requests whose client died mid-request.

    A bot killed after writing part of a request leaves the stub waiting for the rest; the
    stub's server logs "Error handling request" with "Connection lost" and drops it. That
    is the designed way to die: the nudge was not yet marked 'sending', so it goes out again
    after the restart. (A kill right after a request's last byte, before the stub has read
    it, ends the same way for the stub, but that nudge was marked and shows up as lost.)
    """

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, ConnectionResetError):
            self.count += 1
            return False
        return True


@dataclass
class NudgeRow:
    nudge_id: int
    chat_id: int
    status: str
    attempt_at: datetime | None
    attempts: int
    attempt_log: str
    last_error: str | None


async def _read_nudges(db: BenchDatabase) -> dict[int, NudgeRow]:
    rows = await db.rows(
        "SELECT n.id, c.chat_id, n.status, n.attempt_at, n.attempts, n.attempt_log,"
        " n.last_error FROM nudge n JOIN client c ON c.id = n.client_id",
    )
    by_chat: dict[int, NudgeRow] = {}
    for nudge_id, chat_id, status, attempt_at, attempts, log, error in rows:
        at = None if attempt_at is None else instant(attempt_at)
        by_chat[int(chat_id)] = NudgeRow(
            int(nudge_id), int(chat_id), str(status), at, int(attempts), str(log), error
        )
    return by_chat


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--clients", type=int, default=2000, help="clients due at once")
    parser.add_argument("--limit", type=float, default=300.0, help="messages/s (stub and bot)")
    parser.add_argument("--kills", type=int, default=3, help="SIGKILLs during the burst")
    parser.add_argument("--lease", type=float, default=2.0, help="NUDGE_LEASE_S for the bot")
    parser.add_argument(
        "--sender-lease",
        type=float,
        default=10.0,
        help="SENDER_LEASE_S for the bot (its default): a restarted bot sends once the killed "
        "one's lease has run out; shorter makes runs with many kills quicker",
    )
    parser.add_argument(
        "--safety", type=float, default=1.0, help="SCHEDULER_SAFETY_INTERVAL_S for the bot"
    )
    parser.add_argument(
        "--jitter-ms", type=float, default=30.0, help="random delay before each kill"
    )
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: random)")
    parser.add_argument("--timeout", type=float, default=90.0, help="give up the run after (s)")
    parser.add_argument("--log-level", default="INFO", help="the bot's LOG_LEVEL")


def kill_points(clients: int, kills: int, rng: random.Random) -> list[int]:
    """Accepted-send counts to kill at: one in each of ``kills`` equal slices of the burst,
    somewhere in its middle part, so every kill lands while nudges are going out."""
    return [max(1, int(clients * (i + rng.uniform(0.3, 0.9)) / (kills + 1))) for i in range(kills)]


async def settle(
    db: BenchDatabase, expected: int, lease: float, safety: float, since: float, deadline: float
) -> tuple[dict[str, int], str]:
    """Wait until no nudge is left to send and dead attempts are settled (or can't be).

    'sending' rows of killed processes become 'unconfirmed' on the first engine pass
    after the lease; if that hasn't happened well after lease + a few safety ticks, the
    bot isn't going to do it by itself and we stop waiting (and say so).
    """
    patience = lease + 3 * safety + 1.0
    while True:
        counts = await nudge_status_counts(db)
        now = time.monotonic()
        if sum(counts.values()) >= expected and not any(counts.get(s) for s in UNSETTLED):
            return counts, "settled"
        all_claimed = sum(counts.values()) >= expected and not counts.get("claimed")
        if all_claimed and now - since > patience:
            return counts, f"'sending' rows left {patience:.0f} s after the last restart"
        if now >= deadline:
            return counts, "timed out"
        await asyncio.sleep(0.2)


async def measure(
    db: BenchDatabase, chats: list[int], workdir: Path, args: Any, seed: int
) -> dict[str, Any]:
    rng = random.Random(seed)
    started = time.monotonic()
    deadline = started + args.timeout
    env = {
        "SEND_RATE_PER_S": f"{args.limit:g}",
        "PER_CHAT_INTERVAL_S": "1",
        "NUDGE_LEASE_S": f"{args.lease:g}",
        "SENDER_LEASE_S": f"{args.sender_lease:g}",
        "SCHEDULER_SAFETY_INTERVAL_S": f"{args.safety:g}",
    }
    incarnations: list[Incarnation] = []
    cut_off = CutOffRequests()
    logging.getLogger("aiohttp.server").addFilter(cut_off)
    async with BotApiStub(
        TOKEN, record_calls=False, global_limit_per_s=args.limit, per_chat_limit_per_s=1.0
    ) as stub:
        for i, chat in enumerate(chats, start=1):
            stub.user(chat, f"Client{i}")
        watcher = Watcher(stub)

        async def launch() -> Incarnation:
            number = len(incarnations) + 1
            bot = BotProcess(
                token=TOKEN,
                database_url=db.url,
                api_url=stub.url,
                log_dir=workdir / f"bot{number}",
                log_level=args.log_level,
                extra_env={**db.bot_env, **env},
                bot_path=args.bot_path,
            )
            life = Incarnation(number, bot)
            incarnations.append(life)
            bot.start()
            life.ready_s = await bot.wait_ready(30.0)
            life.ready_wall = time.monotonic()
            life.accepted_at_ready = watcher.accepted
            return life

        try:
            life = await launch()
            for point in kill_points(len(chats), args.kills, rng):
                # At least one send by this incarnation, so no kill lands during start-up.
                target = max(point, watcher.accepted + 1)
                if not await watcher.reach(target, max(1.0, deadline - time.monotonic())):
                    break  # the burst is over (or stuck): no more kills
                await asyncio.sleep(rng.uniform(0.0, args.jitter_ms / 1000.0))
                life.accepted_at_kill = watcher.accepted
                life.killed_wall = time.time()
                life.bot.kill()
                life = await launch()
            assert life.ready_wall is not None
            counts, settled = await settle(
                db, len(chats), args.lease, args.safety, life.ready_wall, deadline
            )
            await life.bot.stop()
        finally:
            for each in incarnations:
                each.bot.kill()  # no-op for the stopped ones
        rows = await _read_nudges(db)
        problems = [
            (each.number, line)
            for each in incarnations
            for line in bot_log_problems(each.bot.log_text())
        ]
        return {
            "watcher": watcher,
            "incarnations": incarnations,
            "counts": counts,
            "settle": settled,
            "rows": rows,
            "problems": problems,
            "cut_off": cut_off.count,
            "elapsed_s": time.monotonic() - started,
        }


@dataclass
class Verdict:
    expected: int
    delivered: int
    duplicates: int
    lost: int
    lost_causes: Counter[str]
    lost_details: list[str]
    duplicate_details: list[str]
    delivered_unconfirmed: int
    delivered_still_sending: int


def _nearest_kill(at: datetime | None, incarnations: list[Incarnation]) -> str:
    """How long before the next SIGKILL the attempt began (``attempt_at``, the bot's clock
    when it asked for the 'sending' commit, its request written but for the last byte)."""
    if at is None:
        return "no attempt_at"
    stamp = at.timestamp()
    later = [i.killed_wall for i in incarnations if i.killed_wall and i.killed_wall >= stamp]
    if not later:
        return "began after the last kill"
    return f"began {(min(later) - stamp) * 1000:.1f} ms before the kill"


def judge(chats: list[int], figures: dict[str, Any]) -> Verdict:
    watcher: Watcher = figures["watcher"]
    rows: dict[int, NudgeRow] = figures["rows"]
    incarnations: list[Incarnation] = figures["incarnations"]
    causes: Counter[str] = Counter()
    lost_details: list[str] = []
    duplicate_details: list[str] = []
    delivered = duplicates = unconfirmed = still_sending = 0
    for chat in chats:
        accepted = watcher.accepted_in(chat)
        row = rows.get(chat)
        sighting = watcher.chats.get(chat, Sighting())
        if accepted >= 1:
            delivered += 1
            if row is not None and row.status == "unconfirmed":
                unconfirmed += 1
            elif row is not None and row.status == "sending":
                still_sending += 1
        if accepted > 1:
            duplicates += accepted - 1
            duplicate_details.append(
                f"chat {chat}: {accepted} accepted; nudge {row.nudge_id if row else '-'}"
                f" status {row.status if row else '-'} log {row.attempt_log if row else '-'!r}"
            )
        if accepted:
            continue
        if row is None:
            cause = "never claimed (no nudge row)"
        elif row.status in ("sending", "unconfirmed") and sighting.reached == 0:
            cause = "killed between the 'sending' commit and the request reaching the stub"
        elif row.status in ("sending", "unconfirmed"):
            cause = "request reached the stub but was refused (429); killed before the retry"
        else:
            cause = f"status {row.status!r} at the end"
        causes[cause] += 1
        if row is not None:
            lost_details.append(
                f"nudge {row.nudge_id} (chat {chat}): {row.status}, attempts {row.attempts},"
                f" log {row.attempt_log!r}, reached the stub {sighting.reached}x,"
                f" attempt {_nearest_kill(row.attempt_at, incarnations)}"
            )
    return Verdict(
        expected=len(chats),
        delivered=delivered,
        duplicates=duplicates,
        lost=len(chats) - delivered,
        lost_causes=causes,
        lost_details=lost_details,
        duplicate_details=duplicate_details,
        delivered_unconfirmed=unconfirmed,
        delivered_still_sending=still_sending,
    )


def run(args: argparse.Namespace) -> int:
    """Seed (blocking, before any event loop: the seeder runs migrations), then measure."""
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1_000_000)
    with (
        Workdir("restart", keep=args.keep) as workdir,
        open_databases(args.database, workdir) as databases,
    ):
        db = databases.new("restart")
        chats = db.seed(args.clients, whole_minute_now(), first_user_id=FIRST_USER_ID)
        figures = asyncio.run(measure(db, chats, workdir.path, args, seed))
        result = judge(chats, figures)
        if result.lost or result.duplicates:
            workdir.keep = True

    watcher: Watcher = figures["watcher"]
    incarnations: list[Incarnation] = figures["incarnations"]
    kills = sum(1 for i in incarnations if i.killed_wall is not None)
    span = (
        watcher.last_accepted - watcher.first_accepted
        if watcher.first_accepted is not None and watcher.last_accepted is not None
        else None
    )
    rows: list[tuple[str, object]] = [
        ("clients / limit", f"{args.clients} due at once, {args.limit:g}/s overall, 1/s per chat"),
        ("database", args.database),
        (
            "leases (nudge, sender) / safety tick",
            f"{args.lease:g} s, {args.sender_lease:g} s / {args.safety:g} s (seed {seed})",
        ),
    ]
    for life in incarnations:
        end = (
            f"SIGKILL at {life.accepted_at_kill} accepted"
            if life.killed_wall is not None
            else "stopped at the end"
        )
        rows.append(
            (
                f"bot #{life.number}",
                f"ready {life.ready_s or 0:.2f} s at {life.accepted_at_ready} accepted, {end}",
            )
        )
    counts = figures["counts"]
    rows += [
        ("burst span (first → last accepted)", "-" if span is None else f"{span:.2f} s"),
        ("refused with 429 by the stub", watcher.refused_429),
        ("requests cut off by a kill (dropped)", figures["cut_off"]),
        ("nudge statuses at the end", ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))),
        ("end of wait", figures["settle"]),
        ("delivered but 'unconfirmed' in the DB", result.delivered_unconfirmed),
        ("delivered but still 'sending' in the DB", result.delivered_still_sending),
        ("bot log errors (all incarnations)", len(figures["problems"])),
        ("expected", result.expected),
        ("delivered", result.delivered),
        ("duplicates", result.duplicates),
        ("lost", result.lost),
    ]
    for cause, number in result.lost_causes.most_common():
        rows.append(("  lost because", f"{number} x {cause}"))
    exactly_once = result.lost == 0 and result.duplicates == 0
    rows.append(("every occurrence exactly once", verdict(exactly_once)))
    print_table(f"restart: {kills} SIGKILL(s) during a burst of {args.clients:,}", rows)
    for line in result.lost_details[:20]:
        print(f"  lost: {line}")
    for line in result.duplicate_details[:20]:
        print(f"  duplicate: {line}")
    distinct = Counter(
        re.sub(r"\d", "#", line.split(": ", 1)[-1])[:160] for _n, line in figures["problems"]
    )
    for line, number in distinct.most_common(5):
        print(f"  ! {number} x {line}")
    emit_json(
        {
            "expected": result.expected,
            "delivered": result.delivered,
            "duplicates": result.duplicates,
            "lost": result.lost,
            "kills": kills,
            "database": args.database,
        }
    )
    return 1 if args.strict and not exactly_once else 0
