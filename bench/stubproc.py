"""Spawn and drive ``python -m bench.stubserver`` from a benchmark.

Why: benchmarks that measure the bot's sending rate need the stub out of their own
event loop (see bench/stubserver.py). ``StubProcess`` starts it, reads the URL from
its first stdout line, and talks to its ``/_bench/`` control API::

    async with StubProcess(TOKEN, per_chat_limit_per_s=1, users=(10_000_000, 1000)) as stub:
        ...  # start the bot with TELEGRAM_API_URL=stub.url
        figures = await stub.stats()
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self

import aiohttp

from bench.botproc import REPO_ROOT, PeakRss, log_tail, signal_group


class StubProcessError(RuntimeError):
    """The stub process did not start or its control API failed."""


class StubProcess:
    """The Bot API stub in its own process group; ``stop()`` (or leaving ``async with``) ends it.

    Without ``log_dir`` its stderr goes to a temporary folder that ``async with`` removes
    when the block ends without an exception.
    """

    def __init__(
        self,
        token: str,
        *,
        bot_username: str = "homework_test_bot",
        global_limit_per_s: float | None = None,
        per_chat_limit_per_s: float | None = None,
        users: tuple[int, int] | None = None,
        port: int = 0,
        record_calls: bool = False,
        log_dir: Path | None = None,
        start_timeout: float = 15.0,
        max_seconds: float = 3600.0,
    ) -> None:
        self.argv = [
            sys.executable,
            "-m",
            "bench.stubserver",
            "--token",
            token,
            "--port",
            str(port),
            "--bot-username",
            bot_username,
            "--max-seconds",
            str(max_seconds),
        ]
        if global_limit_per_s is not None:
            self.argv += ["--global-limit", str(global_limit_per_s)]
        if per_chat_limit_per_s is not None:
            self.argv += ["--per-chat-limit", str(per_chat_limit_per_s)]
        if users is not None:
            self.argv += ["--users", f"{users[0]}:{users[1]}"]
        if record_calls:
            self.argv.append("--record-calls")
        self.start_timeout = start_timeout
        self._own_dir = log_dir is None
        self.log_path = Path(log_dir or tempfile.mkdtemp(prefix="bench-stub-")) / "stub.log"
        self.proc: asyncio.subprocess.Process | None = None
        self._url: str | None = None
        self._http: aiohttp.ClientSession | None = None
        self._log: IO[bytes] | None = None
        self._peak = PeakRss()

    @property
    def url(self) -> str:
        if self._url is None:
            raise StubProcessError("StubProcess not started")
        return self._url

    @property
    def pid(self) -> int:
        if self.proc is None:
            raise StubProcessError("StubProcess not started")
        return self.proc.pid

    async def start(self) -> Self:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "ab")  # noqa: SIM115, ASYNC230 - lives with the process
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH", "")) if p
        )
        self.proc = await asyncio.create_subprocess_exec(
            *self.argv,
            cwd=REPO_ROOT,
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=self._log,
            start_new_session=True,
        )
        try:
            assert self.proc.stdout is not None
            line = await asyncio.wait_for(self.proc.stdout.readline(), self.start_timeout)
        except BaseException:
            self.kill()
            raise
        url = line.decode(errors="replace").strip()
        if not url.startswith("http://"):
            self.kill()
            raise StubProcessError(
                f"stub did not print its URL (got {url!r}); log {self.log_path}:\n{self.log_tail()}"
            )
        self._url = url
        self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        return self

    async def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        if self._http is None:
            raise StubProcessError("StubProcess not started")
        async with self._http.request(method, f"{self.url}{path}", **kwargs) as response:
            body = await response.json()
            if response.status != 200:
                raise StubProcessError(f"{method} {path} -> {response.status}: {body}")
            return dict(body)

    async def stats(self, *, full: bool = False) -> dict[str, Any]:
        """Counters from the stub; see ``BenchStub.bench_stats`` for the keys."""
        return await self._call("GET", "/_bench/stats", params={"full": "1" if full else "0"})

    async def reset(self) -> None:
        """Zero the counters (chats, their messages and rate-limit windows are kept)."""
        await self._call("POST", "/_bench/reset")

    async def add_users(self, first_id: int, count: int, first_name: str = "Client") -> int:
        """Create private chats ``first_id .. first_id+count-1``; returns the number of chats."""
        body = {"first_id": first_id, "count": count, "first_name": first_name}
        return int((await self._call("POST", "/_bench/users", json=body))["chats"])

    def peak_rss_mb(self) -> float | None:
        """The stub's own peak RSS (VmHWM) while it runs, to tell its cost from the bot's."""
        proc = self.proc
        return self._peak.read(proc.pid if proc is not None and proc.returncode is None else None)

    def kill(self) -> None:
        """SIGKILL the process group now (safe to call from anywhere, also when cancelled)."""
        if self.proc is not None and self.proc.returncode is None:
            signal_group(self.proc.pid, signal.SIGKILL)
        self._close_files()

    async def stop(self, timeout: float = 5.0) -> int | None:  # noqa: ASYNC109
        """SIGTERM, wait, SIGKILL after ``timeout``; returns the exit code."""
        if self._http is not None:
            http, self._http = self._http, None
            await http.close()
        if self.proc is None:
            return None
        if self.proc.returncode is None:
            self.peak_rss_mb()
            signal_group(self.proc.pid, signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), timeout)
            except TimeoutError:
                self.kill()
                await asyncio.wait_for(self.proc.wait(), 5.0)
        self._close_files()
        return self.proc.returncode

    def _close_files(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None

    def log_tail(self, lines: int = 30) -> str:
        return log_tail(self.log_path, lines)

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is not None and issubclass(
            exc_type, asyncio.CancelledError | KeyboardInterrupt
        ):
            self.kill()
            return
        await self.stop()
        if exc_type is None and self._own_dir:
            shutil.rmtree(self.log_path.parent, ignore_errors=True)  # kept after errors


async def _selftest() -> None:
    """Quick manual check: ``python -m bench.stubproc`` starts, queries and stops a stub."""
    started = time.monotonic()
    async with StubProcess("123456789:bench-selftest-token-0000000", users=(1, 3)) as stub:
        print("url", stub.url, f"up in {time.monotonic() - started:.2f} s")
        print("stats", await stub.stats())


if __name__ == "__main__":
    asyncio.run(_selftest())
