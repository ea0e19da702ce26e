"""`python -m bot` as a real subprocess, for what only a whole process shows: its exit
code, everything it prints, and how it takes a signal.

Asyncio subprocesses, so an in-process stub keeps answering while the bot runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import sys
from collections.abc import Mapping
from pathlib import Path

from bot import crypto

REPO = Path(__file__).resolve().parent.parent
READY = b"is running"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bot_env(token: str, api_url: str, workdir: Path, **extra: str) -> dict[str, str]:
    """The environment of a bot that reads nothing from the developer's shell or .env."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "WEBHOOK_", "METRICS_", "LOG_", "STARTUP_"))
        and k not in ("PORT", "DATABASE_URL", "ADMIN_IDS", "DATA_KEY")
    }
    env.update(
        TELEGRAM_BOT_TOKEN=token,
        TELEGRAM_API_URL=api_url,
        DATABASE_URL=f"sqlite+aiosqlite:///{workdir / 'bot.db'}",
        # As in production; without it a first start also says it created a key file.
        DATA_KEY=crypto.new_key(),
        PYTHONPATH=os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p),
    )
    env.update(extra)
    return env


class BotProcess:
    """One `python -m bot` run in `workdir` (no .env there), stdout and stderr together."""

    def __init__(self, env: Mapping[str, str], workdir: Path) -> None:
        self._env = dict(env)
        self._workdir = workdir
        self._proc: asyncio.subprocess.Process | None = None
        self.output = b""

    @property
    def proc(self) -> asyncio.subprocess.Process:
        assert self._proc is not None, "not started"
        return self._proc

    async def start(self) -> None:
        self._proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            cwd=self._workdir,
            env=self._env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )

    async def wait_ready(self, timeout: float = 30.0) -> None:  # noqa: ASYNC109
        """Read output until the bot says it is running; fail with what it printed."""
        stream = self.proc.stdout
        assert stream is not None
        async with asyncio.timeout(timeout):
            while READY not in self.output:
                line = await stream.readline()
                if not line:
                    raise AssertionError(f"bot exited before ready:\n{self.text}")
                self.output += line

    async def finish(self, timeout: float = 30.0) -> int:  # noqa: ASYNC109
        """Wait for the exit (reading the rest of the output); its code."""
        stream = self.proc.stdout
        assert stream is not None
        async with asyncio.timeout(timeout):
            self.output += await stream.read()
            return await self.proc.wait()

    async def close(self) -> None:
        """Kill the bot if it still runs (a failed test), and reap it."""
        if self._proc is None:
            return
        if self._proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self._proc.kill()
        await self._proc.wait()

    @property
    def text(self) -> str:
        return self.output.decode("utf-8", errors="replace")

    @property
    def lines(self) -> list[str]:
        return [line for line in self.text.splitlines() if line.strip()]


async def run_bot(env: Mapping[str, str], workdir: Path, timeout: float = 30.0) -> BotProcess:  # noqa: ASYNC109
    """Run the bot to its exit; the finished process (returncode, output)."""
    bot = BotProcess(env, workdir)
    await bot.start()
    try:
        await bot.finish(timeout)
    finally:
        await bot.close()
    return bot
