"""The bot as a real subprocess (`python -m bot`), the way it runs in production.

Why a subprocess: start-up time and memory only mean something for a fresh
interpreter that imports everything itself, and a benchmark must be able to SIGKILL
the bot mid-work (restart tests) without killing itself.

Peak memory: ``peak_rss_mb()`` reports the kernel's own high-water mark of the
process's resident set, ``VmHWM`` from ``/proc/<pid>/status``, so no short spike can
slip between samples. It can only be read while the process is alive, so the value
is remembered at every read (and read every 20 ms while ``stop()`` waits); only the
last few milliseconds of shutdown can escape it. ``ru_maxrss`` from ``wait4()`` is
deliberately NOT used: Linux carries the pre-``exec`` high-water mark over, i.e. the
size of the *benchmark* process at fork time (a bench that just seeded 100,000 rows
made every bot look 133 MB big that way).

Every process started here is remembered and SIGKILLed at interpreter exit if it is
still running, so a crashing benchmark can't leave a bot polling in the background.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import IO, Self

REPO_ROOT = Path(__file__).resolve().parent.parent
READY_MARKER = b"is running"

# Variables the bot reads (bot/settings.py). They are removed from the inherited
# environment so a developer's shell can't silently change what is measured.
BOT_ENV_VARS = (
    "TELEGRAM_BOT_TOKEN",
    "DATABASE_URL",
    "ADMIN_IDS",
    "TELEGRAM_API_URL",
    "LOG_LEVEL",
    "INVITE_TTL_DAYS",
    "NUDGE_GRACE_HOURS",
    "NUDGE_LEASE_S",
    "SENDER_LEASE_S",
    "TELEGRAM_TIMEOUT_S",
    "SEND_RATE_PER_S",
    "PER_CHAT_INTERVAL_S",
    "SCHEDULER_SAFETY_INTERVAL_S",
    "WEBHOOK_URL",
    "WEBHOOK_SECRET",
    "WEBHOOK_LISTEN",
    "WEBHOOK_PORT",
    "PORT",
    "METRICS_LISTEN",
    "METRICS_PORT",
    "LOG_FORMAT",
    "STARTUP_RETRY_S",
    "CONFIG_DIR",
    "DEFAULT_LANGUAGE",
    "DATA_KEY",  # without it the bot uses the key file beside the database, as the seeder does
)

_LIVE: set[BotProcess] = set()


def _kill_leftovers() -> None:
    for proc in list(_LIVE):
        proc.kill()


atexit.register(_kill_leftovers)


class BotProcessError(RuntimeError):
    """The bot exited or did not become ready; the message carries its log tail."""


def _read_hwm_kb(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    return None  # a zombie has no memory lines any more


class PeakRss:
    """One child's peak resident memory (VmHWM), kept across reads.

    ``/proc/<pid>/status`` is gone once the child is reaped, so each read while it runs
    raises the remembered mark, and reads after that return it.
    """

    def __init__(self) -> None:
        self._kb: int | None = None

    def read(self, pid: int | None) -> float | None:
        """Sample ``pid`` (None once the child has exited); the mark so far in MiB."""
        if pid is not None:
            kb = _read_hwm_kb(pid)
            if kb is not None:
                self._kb = max(self._kb or 0, kb)
        return None if self._kb is None else self._kb / 1024


def signal_group(pid: int, sig: signal.Signals) -> None:
    """Signal a child's whole process group; a group that is already gone is no error."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


def read_log(path: Path) -> str:
    """A child's log so far ("" before it has written one)."""
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return ""


def log_tail(path: Path, lines: int = 30) -> str:
    return "\n".join(read_log(path).splitlines()[-lines:])


class BotProcess:
    """``python -m bot`` in its own process group, stderr captured to ``log_path``.

    The working directory is an empty temporary folder (``log_dir``) so a ``.env`` in
    the repository is not picked up; the code under test is this checkout, or the one
    at ``bot_path`` (its root goes first on ``PYTHONPATH``).

    Use ``async with BotProcess(...) as bot: await bot.wait_ready(...)`` (stops with
    SIGTERM on exit, or SIGKILL if the block is cancelled), or ``with`` (SIGKILL on exit).
    Without ``log_dir`` the log goes to a temporary folder that a context manager
    removes when its block ends without an exception (it is kept for diagnosis otherwise).
    """

    def __init__(
        self,
        *,
        token: str,
        database_url: str,
        api_url: str,
        extra_env: Mapping[str, str] | None = None,
        log_dir: Path | None = None,
        log_level: str = "INFO",
        python: str = sys.executable,
        python_args: tuple[str, ...] = (),
        bot_path: Path | None = None,
    ) -> None:
        self.token = token
        self.database_url = database_url
        self.api_url = api_url
        self.extra_env = dict(extra_env or {})
        self.log_level = log_level
        self.python = python
        self.python_args = python_args  # e.g. ("-X", "importtime") for diagnosis
        self.code_root = (bot_path or REPO_ROOT).resolve()
        self._own_dir = log_dir is None
        self.log_dir = Path(log_dir or tempfile.mkdtemp(prefix="bench-bot-"))
        self.log_path = self.log_dir / "bot.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.spawned_at: float | None = None  # time.monotonic() just before spawning
        self.ready_s: float | None = None
        self._log: IO[bytes] | None = None
        self._peak = PeakRss()

    # -- lifecycle ------------------------------------------------------------------------------

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in BOT_ENV_VARS}
        env.update(
            TELEGRAM_BOT_TOKEN=self.token,
            DATABASE_URL=self.database_url,
            TELEGRAM_API_URL=self.api_url,
            LOG_LEVEL=self.log_level,
            PYTHONPATH=os.pathsep.join(
                p for p in (str(self.code_root), os.environ.get("PYTHONPATH", "")) if p
            ),
        )
        env.update(self.extra_env)
        return env

    def start(self) -> Self:
        """Spawn the bot (returns at once; use ``wait_ready`` to know when it serves)."""
        if self.proc is not None:
            raise RuntimeError("BotProcess already started")
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - lives as long as the process
        env = self.env()
        self.spawned_at = time.monotonic()
        self.proc = subprocess.Popen(
            [self.python, *self.python_args, "-m", "bot"],
            cwd=self.log_dir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # own process group: our Ctrl-C is ours to handle
        )
        _LIVE.add(self)
        return self

    @property
    def pid(self) -> int:
        if self.proc is None:
            raise RuntimeError("BotProcess not started")
        return self.proc.pid

    @property
    def returncode(self) -> int | None:
        return None if self.proc is None else self.proc.poll()

    def alive(self) -> bool:
        return self.proc is not None and self.returncode is None

    async def wait_ready(self, timeout: float = 30.0) -> float:  # noqa: ASYNC109
        """Seconds from spawn until the bot logged "... is running"; raises on exit/timeout."""
        if self.proc is None or self.spawned_at is None:
            raise RuntimeError("BotProcess not started")
        deadline = self.spawned_at + timeout
        offset = 0
        tail = b""
        while True:
            with open(self.log_path, "rb") as log:  # noqa: ASYNC230 - tiny local reads
                log.seek(offset)
                chunk = log.read()
            if chunk:
                offset += len(chunk)
                # Keep a little of the previous chunk: the marker may straddle two reads.
                window = tail + chunk
                if READY_MARKER in window:
                    self.ready_s = time.monotonic() - self.spawned_at
                    self.peak_rss_mb()
                    return self.ready_s
                tail = window[-len(READY_MARKER) :]
            if not self.alive():
                raise BotProcessError(
                    f"bot exited with code {self.returncode} before it was ready;"
                    f" log {self.log_path}:\n{self.log_tail()}"
                )
            if time.monotonic() >= deadline:
                raise BotProcessError(
                    f"bot not ready within {timeout:g} s; log {self.log_path}:\n{self.log_tail()}"
                )
            await asyncio.sleep(0.005)

    def kill(self) -> None:
        """SIGKILL the whole process group at once (no clean-up in the bot), then reap it."""
        if self.proc is None:
            return
        if self.returncode is None:
            self.peak_rss_mb()
            signal_group(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self._closed()

    async def stop(self, timeout: float = 10.0) -> int | None:  # noqa: ASYNC109
        """SIGTERM (the bot's graceful shutdown), SIGKILL after ``timeout``; returns the code."""
        if self.proc is None:
            return None
        if self.returncode is None:
            self.peak_rss_mb()
            signal_group(self.proc.pid, signal.SIGTERM)
            deadline = time.monotonic() + timeout
            # Polling: a Popen child offers nothing to await, and each round also
            # refreshes the peak-memory reading while shutdown runs.
            while self.returncode is None and time.monotonic() < deadline:
                self.peak_rss_mb()
                await asyncio.sleep(0.02)
        if self.returncode is None:
            self.kill()
        self._closed()
        return self.proc.returncode

    def stop_blocking(self, timeout: float = 10.0) -> int | None:
        """``stop`` for code without an event loop."""
        if self.proc is None:
            return None
        if self.returncode is None:
            self.peak_rss_mb()
            signal_group(self.proc.pid, signal.SIGTERM)
            deadline = time.monotonic() + timeout
            while self.returncode is None and time.monotonic() < deadline:
                self.peak_rss_mb()
                time.sleep(0.02)
        if self.returncode is None:
            self.kill()
        self._closed()
        return self.proc.returncode

    def _closed(self) -> None:
        _LIVE.discard(self)
        if self._log is not None:
            self._log.close()
            self._log = None

    # -- measurements ---------------------------------------------------------------------------

    def peak_rss_mb(self) -> float | None:
        """Peak resident set size in MiB (kernel high-water mark; see module docstring)."""
        proc = self.proc
        return self._peak.read(proc.pid if proc is not None and proc.returncode is None else None)

    def log_text(self) -> str:
        return read_log(self.log_path)

    def log_tail(self, lines: int = 30) -> str:
        return log_tail(self.log_path, lines)

    def cleanup(self) -> None:
        """Remove the temporary log folder if this object created it (after stopping)."""
        if self._own_dir and not self.alive():
            shutil.rmtree(self.log_dir, ignore_errors=True)

    # -- context managers -----------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        return self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is not None and issubclass(
            exc_type, asyncio.CancelledError | KeyboardInterrupt
        ):
            self.kill()  # no awaiting in a cancelled task: just make sure it's gone
            return
        await self.stop()
        if exc_type is None:
            self.cleanup()  # on errors the log stays for whoever reads the message

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.kill()
        if exc_type is None:
            self.cleanup()
