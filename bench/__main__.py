"""`python -m bench NAME [options]`: run one benchmark.

Benchmark modules are imported only when asked for, so a half-written or missing
benchmark (and its heavier imports) never breaks ``--help`` or the others.

A benchmark module ``bench/<name>.py`` provides:

* ``add_arguments(parser: argparse.ArgumentParser) -> None`` (optional): its own options,
  besides the ones every benchmark takes (``--keep``, ``--strict``, ``--bot-path``,
  ``--database``; see :func:`add_common_arguments`);
* ``run(args: argparse.Namespace) -> int | None`` or ``async def run(args) -> int | None``:
  does the work, prints a table, and as its last stdout line exactly one JSON object
  (``bench.report.print_table`` / ``bench.report.emit_json``). A coroutine is run with
  ``asyncio.run``; the return value is the exit code (``None`` means 0).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import inspect
import signal
import sys
from dataclasses import dataclass
from pathlib import Path
from types import FrameType, ModuleType

from bench.database import ENGINES, DatabaseUnavailable


@dataclass(frozen=True)
class Benchmark:
    module: str
    summary: str


REGISTRY: dict[str, Benchmark] = {
    "burst": Benchmark(
        "bench.burst", "many nudges due at once through a Telegram-like rate-limited stub"
    ),
    "ceiling": Benchmark(
        "bench.ceiling", "send ceiling against an unlimited stub (own process) vs bare PTB"
    ),
    "scale": Benchmark(
        "bench.scale", "start-up time and peak memory with many clients in the database"
    ),
    "replies": Benchmark("bench.replies", "clients pressing Done: replies per second and latency"),
    "restart": Benchmark(
        "bench.restart", "kill and restart mid-burst: nothing lost, nothing twice"
    ),
    "therapist": Benchmark(
        "bench.therapist", "/clients with 1,000 clients and a year of answers; chart render"
    ),
    "replicas": Benchmark(
        "bench.replicas", "two bots on one PostgreSQL, the sender SIGKILLed mid-burst"
    ),
}


class NotImplementedYet(Exception):
    """The benchmark is registered but its module does not exist (yet)."""


def load(name: str) -> ModuleType:
    """Import a benchmark's module, telling "missing module" apart from a broken one."""
    bench = REGISTRY[name]
    try:
        module = importlib.import_module(bench.module)
    except ModuleNotFoundError as exc:
        # Only the benchmark's own module missing means "not written yet"; a missing
        # dependency inside it is a real error and must surface with its traceback.
        if exc.name == bench.module:
            raise NotImplementedYet(
                f"benchmark {name!r} is not implemented yet ({bench.module.replace('.', '/')}.py"
                " does not exist)"
            ) from None
        raise
    if not callable(getattr(module, "run", None)):
        raise NotImplementedYet(f"benchmark {name!r} is not implemented yet ({bench.module}.run)")
    return module


def add_common_arguments(parser: argparse.ArgumentParser) -> None:
    """Options every benchmark takes, so they read the same everywhere."""
    parser.add_argument("--keep", action="store_true", help="keep the temp folder (db, logs)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument(
        "--bot-path",
        type=Path,
        default=None,
        metavar="DIR",
        help="run the bot package from this checkout instead, for A/B comparisons "
        "(the database is still seeded by this one, so the schemas must match)",
    )
    parser.add_argument(
        "--database",
        choices=ENGINES,
        default="sqlite",
        help="the bot's database: a file in the run's folder, or a throwaway PostgreSQL "
        "server started for the run (needs Debian's postgresql package)",
    )


def _top_parser() -> argparse.ArgumentParser:
    listing = "\n".join(f"  {name:<9} {bench.summary}" for name, bench in REGISTRY.items())
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Run one benchmark of the bot against the local Bot API stub.",
        epilog=f"benchmarks:\n{listing}\n\n"
        "`python -m bench NAME --help` shows a benchmark's options.\n"
        "Each prints a table and, as its last stdout line, one JSON object.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("name", choices=sorted(REGISTRY), metavar="NAME", help="benchmark to run")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="options for the benchmark")
    return parser


def _interrupted(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    top = _top_parser().parse_args(argv)
    try:
        module = load(top.name)
    except NotImplementedYet as exc:
        print(f"python -m bench: {exc}", file=sys.stderr)
        return 2
    parser = argparse.ArgumentParser(
        prog=f"python -m bench {top.name}",
        description=(module.__doc__ or REGISTRY[top.name].summary).strip().splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    add_arguments = getattr(module, "add_arguments", None)
    if add_arguments is not None:
        add_arguments(parser)
    add_common_arguments(parser)
    args = parser.parse_args(top.args)
    # A SIGTERM (a timeout, a supervisor) cleans up like Ctrl-C: the bots, the stub and a
    # PostgreSQL server of our own would otherwise go on running without us.
    signal.signal(signal.SIGTERM, _interrupted)
    try:
        result = module.run(args)
        if inspect.iscoroutine(result):
            result = asyncio.run(result)
    except KeyboardInterrupt:
        # Benchmarks clean up their subprocesses in finally/async-with blocks; we only
        # turn the interrupt into the conventional exit code without a traceback.
        print("python -m bench: interrupted", file=sys.stderr)
        return 130
    except DatabaseUnavailable as exc:
        print(f"python -m bench: {exc}", file=sys.stderr)
        return 2
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
