"""`python -m bot sandbox [--port 8080]`: the real bot, no token, no internet, in a browser."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import socket
import sys

from aiohttp import web

from bot.logging_setup import configure_logging
from bot.sandbox.page import build_app
from bot.sandbox.world import TOKEN, Sandbox
from bot.startup import StartupError

DEFAULT_PORT = 8080


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bot sandbox",
        description="Try the bot in a browser: a therapist and two clients, no token needed.",
    )
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="page port (8080)")
    return parser.parse_args(argv)


async def serve(port: int) -> int:
    """Run until SIGINT/SIGTERM; the page only ever listens on 127.0.0.1."""
    # Bind first: a taken port is said in one line before anything else starts.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", port))
    except OSError as exc:
        sock.close()
        print(f"error: port {port} is not free ({exc.strerror}); try --port 8081", file=sys.stderr)
        return 1
    try:
        sandbox = await Sandbox.start()
    except StartupError as exc:
        sock.close()
        logging.getLogger("bot").error("%s", exc)
        return 1
    runner = web.AppRunner(build_app(sandbox), access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    print(
        f"sandbox: open http://127.0.0.1:{port}/ in a browser (Ctrl+C stops it; "
        "everything is forgotten then)",
        flush=True,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
        await sandbox.stop()
    return 0


def run(argv: list[str]) -> int:
    args = _parse(argv)
    # Warnings only: the page is where the sandbox is watched.
    configure_logging("WARNING", TOKEN)
    return asyncio.run(serve(args.port))
