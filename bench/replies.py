"""replies: many clients pressing "Done" at once, and a steady 30 presses/s.

A Done press is the one interaction every client has every day, so it has to feel
instant (the button's spinner stops when the bot answers the callback query) and the
bot must keep up when a whole clinic answers the same minute's nudge.

How: seed ``--clients`` + ``--steady-rate`` x ``--steady-seconds`` enrolled clients with
a nudge due now, start the real bot (``python -m bot``, a subprocess) against an
in-process ``BotApiStub`` without rate limits, and wait until every nudge has been
delivered and recorded as sent, so the nudge engine is idle. Then the fake users press
Done (``FakeUser.press_data`` with the button's callback data), which queues a
``callback_query`` update and wakes the bot's pending long poll at once. The stub is
tapped (``bench.driving.tap``) to time-stamp, per press, the moment each of the bot's
requests reaches it:

* the ``answerCallbackQuery`` for that press: **latency** = press → this answer
  reaching the stub (``p50_ms``, ``p99_ms``, ``p99_ms_at_30_per_s``), what the user
  waits for;
* the "How did it feel?" ``sendMessage``, the bot's last request of a Done turn
  (after the answer, the edit of the nudge and the kind reply): a press is
  **complete** then, and ``replies_per_s`` = completed presses / (last completion −
  first press). Counting full turns rather than answers keeps a bot that answers fast
  but lags on its messages from looking better than it is.

Phase 1 (open loop, throughput): every ``--clients`` client presses at once
(``--burst-rate`` spreads them instead), so its latencies include queueing behind
the others. Phase 2: ``--steady-rate`` presses/s on a fixed schedule (open loop: a
press never waits for an earlier answer) for ``--steady-seconds``; its p99 is the
latency target. A press the bot never answers (e.g. its handler failed) is counted
as "never answered" and left out of the percentiles, so check that row too.

Keeping the stub honest: it runs with ``record_calls=False`` (the taps record only
times, so no per-request log grows), every phase reports the CPU share of the bot and
of this process (stub plus fake users; on a small machine a stub near one full core
would be the bottleneck, not the bot), "update fetched by bot" shows how soon the
long poll handed each press over, and a fixed-loop timing before and after says how
fast the machine was, because shared hosts vary a lot from minute to minute.

Targets: ``replies_per_s`` ≥ 100; ``p99_ms_at_30_per_s`` ≤ 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.botproc import BotProcess
from bench.database import BenchDatabase, open_databases
from bench.driving import (
    CpuMeter,
    Spread,
    bot_log_problems,
    callback_data,
    cpu_speed_ms,
    nudge_status_counts,
    speed_row,
    tap,
    whole_minute_now,
)
from bench.report import emit_json, print_table, target_row
from bench.workdir import Workdir

TOKEN = "123456789:bench-replies-token-for-local-stub"
FIRST_USER_ID = 10_000_000
THROUGHPUT_TARGET = 100.0
STEADY_P99_TARGET_MS = 50.0


@dataclass
class Press:
    """One Done press and when each of the bot's requests for it reached the stub."""

    chat_id: int
    message_id: int
    nudge_id: int
    pressed_at: float | None = None
    scheduled_at: float | None = None
    fetched_at: float | None = None  # a getUpdates response carried the press to the bot
    answered_at: float | None = None
    answer_text: str | None = None
    edited_at: float | None = None
    kind_reply_at: float | None = None
    finished_at: float | None = None  # the "How did it feel?" question: last request

    def ms(self, at: float | None) -> float | None:
        if at is None or self.pressed_at is None:
            return None
        return (at - self.pressed_at) * 1000.0


@dataclass
class Countdown:
    """An event that fires when ``count`` reaches ``target`` (target may be set later)."""

    target: int | None = None
    count: int = 0
    done: asyncio.Event = field(default_factory=asyncio.Event)

    def bump(self) -> None:
        self.count += 1
        self.check()

    def expect(self, target: int) -> None:
        self.target = target
        self.done.clear()
        self.check()

    def check(self) -> None:
        if self.target is not None and self.count >= self.target:
            self.done.set()


class Observer:
    """Taps the stub: which nudge each chat got, and every request belonging to a press."""

    def __init__(self, stub: Any) -> None:
        self.stub = stub
        self.nudges: dict[int, tuple[int, int]] = {}  # chat → (message id, nudge id)
        self.delivered = Countdown()
        self.presses: dict[int, Press] = {}  # chat → its (single) press
        self.answered = Countdown()
        self.finished = Countdown()
        self.unexpected: list[str] = []
        tap(stub, "sendMessage", self._on_send)
        tap(stub, "answerCallbackQuery", self._on_answer)
        tap(stub, "editMessageText", self._on_edit)
        tap(stub, "getUpdates", self._on_updates)

    def _on_send(self, params: Any, result: Any, arrived: float) -> None:
        chat_id = params.get("chat_id")
        markup = params.json("reply_markup")
        done_buttons = [d for d in callback_data(markup, "r:") if d.endswith(":d")]
        if done_buttons:
            self.nudges[chat_id] = (int(result["message_id"]), int(done_buttons[0].split(":")[1]))
            self.delivered.bump()
            return
        press = self.presses.get(chat_id)
        if press is None or press.pressed_at is None:
            self.unexpected.append(f"sendMessage to {chat_id} outside a press")
        elif callback_data(markup, "f:"):
            press.finished_at = arrived
            self.finished.bump()
        else:
            press.kind_reply_at = arrived

    def _on_answer(self, params: Any, _result: Any, arrived: float) -> None:
        query = self.stub.state.callback_queries.get(params.string("callback_query_id") or "")
        press = self.presses.get(query.chat_id) if query is not None else None
        if press is None:
            self.unexpected.append("answerCallbackQuery for an unknown press")
            return
        press.answered_at = arrived
        press.answer_text = params.string("text")
        self.answered.bump()

    def _on_updates(self, _params: Any, result: Any, _arrived: float) -> None:
        # A long poll arrives long before it answers, so the delivery time is now.
        now = time.monotonic()
        for update in result:
            query = update.get("callback_query")
            press = self.presses.get(query["message"]["chat"]["id"]) if query else None
            if press is not None and press.fetched_at is None:
                press.fetched_at = now

    def _on_edit(self, params: Any, _result: Any, arrived: float) -> None:
        press = self.presses.get(params.get("chat_id"))
        if press is not None:
            press.edited_at = arrived


@dataclass
class PhaseResult:
    name: str
    presses: list[Press]
    started_at: float
    bot_cpu: float | None
    bench_cpu: float | None
    timed_out: bool

    @property
    def completed(self) -> list[Press]:
        return [p for p in self.presses if p.finished_at is not None]

    @property
    def answered(self) -> list[Press]:
        return [p for p in self.presses if p.answered_at is not None]

    def per_s(self, key: str) -> float | None:
        """Presses whose ``key`` request arrived / (last such arrival − first press)."""
        times = [getattr(p, key) for p in self.presses if getattr(p, key) is not None]
        first = min((p.pressed_at for p in self.presses if p.pressed_at is not None), default=None)
        if not times or first is None or max(times) <= first:
            return None
        return len(times) / (max(times) - first)

    def latency(self, key: str) -> Spread:
        return Spread.of(v for p in self.presses if (v := p.ms(getattr(p, key))) is not None)

    @property
    def press_span_s(self) -> float:
        stamps = [p.pressed_at for p in self.presses if p.pressed_at is not None]
        return max(stamps) - min(stamps) if len(stamps) > 1 else 0.0

    @property
    def schedule_lag(self) -> Spread:
        return Spread.of(
            (p.pressed_at - p.scheduled_at) * 1000.0
            for p in self.presses
            if p.pressed_at is not None and p.scheduled_at is not None
        )

    @property
    def not_recorded(self) -> int:
        """Answers with a text: the bot did not record the press as a new Done."""
        return sum(1 for p in self.answered if p.answer_text)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--clients", type=int, default=1000, help="presses in the burst phase")
    parser.add_argument(
        "--burst-rate", type=float, default=0.0, help="presses/s in the burst (0 = all at once)"
    )
    parser.add_argument("--steady-rate", type=float, default=30.0, help="presses/s, phase 2")
    parser.add_argument("--steady-seconds", type=float, default=10.0, help="length of phase 2")
    parser.add_argument("--timeout", type=float, default=60.0, help="give up a wait after (s)")
    parser.add_argument(
        "--stall", type=float, default=5.0, help="stop waiting after this long without progress"
    )
    parser.add_argument("--log-level", default="INFO", help="the bot's LOG_LEVEL")
    parser.add_argument(
        "--profile",
        type=Path,
        default=None,
        metavar="FILE",
        help="run the bot under cProfile and write its stats here (slows the bot down)",
    )


async def _press_all(
    observer: Observer, chats: list[int], rate: float
) -> tuple[list[Press], float]:
    """Press Done for each chat, all at once (rate 0) or on a fixed open-loop schedule."""
    presses = []
    for chat in chats:
        message_id, nudge_id = observer.nudges[chat]
        press = Press(chat, message_id, nudge_id)
        observer.presses[chat] = press
        presses.append(press)
    observer.answered.expect(observer.answered.count + len(presses))
    observer.finished.expect(observer.finished.count + len(presses))
    started = time.monotonic()
    for i, press in enumerate(presses):
        if rate > 0:
            press.scheduled_at = started + i / rate
            if (wait := press.scheduled_at - time.monotonic()) > 0:
                await asyncio.sleep(wait)
        user = observer.stub.users[press.chat_id]
        press.pressed_at = time.monotonic()
        await user.press_data(press.message_id, f"r:{press.nudge_id}:d")
    return presses, started


async def _phase(
    observer: Observer,
    bot: BotProcess,
    chats: list[int],
    rate: float,
    timeout: float,  # noqa: ASYNC109 - one deadline per phase
    stall: float,
    *,
    name: str,
) -> PhaseResult:
    """Press, then wait until every press is complete, or nothing moved for ``stall`` s.

    CPU shares are read at the last progress, so a wait for a press that never
    completes doesn't dilute them.
    """
    bot_cpu, bench_cpu = CpuMeter(bot.pid), CpuMeter()
    presses, started = await _press_all(observer, chats, rate)
    deadline = started + timeout
    seen, moved_at = -1, time.monotonic()
    shares: tuple[float | None, float | None] = (None, None)
    timed_out = False
    while not observer.finished.done.is_set():
        now = time.monotonic()
        progress = observer.finished.count + observer.answered.count
        if progress != seen:
            seen, moved_at = progress, now
            shares = (bot_cpu.share(), bench_cpu.share())
        elif now - moved_at >= stall or now >= deadline:
            timed_out = True
            break
        await asyncio.sleep(0.02)
    if not timed_out:
        shares = (bot_cpu.share(), bench_cpu.share())
    return PhaseResult(name, presses, started, shares[0], shares[1], timed_out)


async def _wait_sent(db: BenchDatabase, expected: int, timeout: float) -> dict[str, int]:  # noqa: ASYNC109
    """Until the bot has committed every nudge as sent, so its engine is idle."""
    deadline = time.monotonic() + timeout
    while True:
        counts = await nudge_status_counts(db)
        if counts.get("sent", 0) >= expected or time.monotonic() >= deadline:
            return counts
        await asyncio.sleep(0.1)


async def measure(
    db: BenchDatabase, chats_burst: list[int], chats_steady: list[int], workdir: Path, args: Any
) -> dict[str, Any]:
    from bot.sandbox.botapi import BotApiStub

    total = len(chats_burst) + len(chats_steady)
    async with BotApiStub(TOKEN, record_calls=False) as stub:
        for i, chat in enumerate(chats_burst + chats_steady, start=1):
            stub.user(chat, f"Client{i}")
        observer = Observer(stub)
        observer.delivered.expect(total)
        bot = BotProcess(
            token=TOKEN,
            database_url=db.url,
            api_url=stub.url,
            log_dir=workdir / "bot",
            log_level=args.log_level,
            # Set-up only: deliver the nudges quickly (the stub has no limits here).
            extra_env={**db.bot_env, "SEND_RATE_PER_S": "2000"},
            bot_path=args.bot_path,
            python_args=("-m", "cProfile", "-o", str(args.profile.resolve()))
            if args.profile
            else (),
        )
        async with bot:
            ready_s = await bot.wait_ready(30.0)
            setup = time.monotonic()
            try:
                await asyncio.wait_for(observer.delivered.done.wait(), args.timeout)
            except TimeoutError as exc:
                raise RuntimeError(
                    f"only {observer.delivered.count} of {total} nudges delivered"
                    f" within {args.timeout:g} s; log {bot.log_path}:\n{bot.log_tail()}"
                ) from exc
            statuses = await _wait_sent(db, total, args.timeout)
            setup_s = time.monotonic() - setup
            await asyncio.sleep(0.5)  # let the engine's last pass and writes finish
            burst = await _phase(
                observer, bot, chats_burst, args.burst_rate, args.timeout, args.stall, name="burst"
            )
            await asyncio.sleep(0.5)
            steady = await _phase(
                observer,
                bot,
                chats_steady,
                args.steady_rate,
                args.timeout,
                args.stall,
                name="steady",
            )
            await asyncio.sleep(0.2)  # stragglers (e.g. late duplicates) show up as unexpected
            log_problems = bot_log_problems(bot.log_text())
            done_rows = await db.rows("SELECT COUNT(*) FROM reply WHERE kind = 'done'")
        return {
            "ready_s": ready_s,
            "setup_s": setup_s,
            "statuses": statuses,
            "burst": burst,
            "steady": steady,
            "log_problems": log_problems,
            "done_rows": int(done_rows[0][0]),
            "unexpected": list(observer.unexpected),
            "log_path": bot.log_path,
        }


def _cpu(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.0f} %"


def _phase_rows(result: PhaseResult, rate_label: str) -> list[tuple[str, object]]:
    return [
        (f"{result.name}: presses", f"{len(result.presses)} {rate_label}"),
        (
            f"{result.name}: pressing took",
            f"{result.press_span_s:.3f} s"
            + (
                f", schedule lag {result.schedule_lag.describe()}"
                if result.schedule_lag.count
                else ""
            ),
        ),
        (
            f"{result.name}: answered / complete",
            f"{len(result.answered)} / {len(result.completed)}"
            + (" (GAVE UP WAITING)" if result.timed_out else ""),
        ),
        (f"{result.name}: update fetched by bot", result.latency("fetched_at").describe()),
        (f"{result.name}: answer latency", result.latency("answered_at").describe()),
        (f"{result.name}: edit latency", result.latency("edited_at").describe()),
        (f"{result.name}: full-turn latency", result.latency("finished_at").describe()),
        (
            f"{result.name}: throughput",
            f"{_num(result.per_s('finished_at'))} complete/s,"
            f" {_num(result.per_s('answered_at'))} answered/s",
        ),
        (
            f"{result.name}: CPU",
            f"bot {_cpu(result.bot_cpu)}, bench+stub {_cpu(result.bench_cpu)} (of one core)",
        ),
    ]


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def run(args: argparse.Namespace) -> int:
    """Seed (blocking, before any event loop: the seeder runs migrations), then measure."""
    steady_n = max(1, round(args.steady_rate * args.steady_seconds))
    with (
        Workdir("replies", keep=args.keep) as workdir,
        open_databases(args.database, workdir) as databases,
    ):
        speed_before = cpu_speed_ms()
        db = databases.new("replies")
        chats = db.seed(args.clients + steady_n, whole_minute_now(), first_user_id=FIRST_USER_ID)
        figures = asyncio.run(
            measure(db, chats[: args.clients], chats[args.clients :], workdir.path, args)
        )
        if figures["log_problems"] or figures["unexpected"]:
            workdir.keep = True
        speed_after = cpu_speed_ms()

    burst: PhaseResult = figures["burst"]
    steady: PhaseResult = figures["steady"]
    replies_per_s = burst.per_s("finished_at")
    burst_answers = burst.latency("answered_at")
    steady_answers = steady.latency("answered_at")
    p99_steady = steady_answers.p99 if not steady.timed_out else None
    burst_label = "all at once" if args.burst_rate <= 0 else f"at {args.burst_rate:g}/s"
    rows: list[tuple[str, object]] = [
        ("clients", f"{args.clients} (burst) + {steady_n} (steady)"),
        ("database", args.database),
        speed_row(speed_before, speed_after),
        ("bot ready", f"{figures['ready_s']:.2f} s"),
        ("nudges delivered and recorded", f"{figures['setup_s']:.2f} s {figures['statuses']}"),
        *_phase_rows(burst, burst_label),
        *_phase_rows(steady, f"at {args.steady_rate:g}/s"),
        (
            "presses never answered",
            sum(len(r.presses) - len(r.answered) for r in (burst, steady)),
        ),
        ("answers not recording a new Done", burst.not_recorded + steady.not_recorded),
        ("Done replies stored", figures["done_rows"]),
        ("unexpected requests", len(figures["unexpected"])),
        ("bot log errors", len(figures["log_problems"])),
        target_row(
            "replies_per_s (burst, full turns)",
            replies_per_s,
            THROUGHPUT_TARGET,
            "/s",
            lower_is_better=False,
        ),
        (
            "p50_ms / p99_ms (burst, answers)",
            f"{_num(burst_answers.p50)} / {_num(burst_answers.p99)} ms",
        ),
        target_row(
            f"p99_ms_at_{args.steady_rate:g}_per_s (answers)",
            p99_steady,
            STEADY_P99_TARGET_MS,
            " ms",
        ),
    ]
    print_table(f"replies: Done presses from {args.clients + steady_n:,} clients", rows)
    for line in (figures["unexpected"] + figures["log_problems"])[:10]:
        print(f"  ! {line}")
    emit_json(
        {
            "replies_per_s": _round(replies_per_s, 1),
            "p50_ms": _round(burst_answers.p50, 2),
            "p99_ms": _round(burst_answers.p99, 2),
            "p99_ms_at_30_per_s": _round(p99_steady, 2),
            "database": args.database,
        }
    )
    missed = (
        replies_per_s is None
        or replies_per_s < THROUGHPUT_TARGET
        or p99_steady is None
        or p99_steady > STEADY_P99_TARGET_MS
    )
    broken = (
        bool(figures["log_problems"] or figures["unexpected"])
        or burst.timed_out
        or steady.timed_out
    )
    return 1 if args.strict and (missed or broken) else 0


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)
