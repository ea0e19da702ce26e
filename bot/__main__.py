"""`python -m bot`: run the bot until interrupted."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Callable

from bot.app import BotRuntime
from bot.logging_setup import configure_logging
from bot.settings import SettingsError, load_settings
from bot.startup import StartupError


async def _serve() -> int:
    """Run until SIGTERM/SIGINT (exit code 0), or explain in one line why it can't (1)."""
    settings = load_settings()
    configure_logging(settings.log_level, settings.token, fmt=settings.log_format)
    runtime = BotRuntime.build(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    # A signal during start-up (e.g. while the API is still unreachable) ends it too.
    starting = asyncio.ensure_future(runtime.start())
    stopping = asyncio.ensure_future(stop.wait())
    await asyncio.wait((starting, stopping), return_when=asyncio.FIRST_COMPLETED)
    starting.cancel()  # no-op once started; start() undoes itself when cancelled
    try:
        await starting
    except asyncio.CancelledError:
        return 0
    except StartupError as exc:
        logging.getLogger("bot").error("%s", exc)
        return 1
    finally:
        stopping.cancel()
    try:
        await stop.wait()
    finally:
        await runtime.stop()
    return 0


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop where available: less per-message overhead means steadier pacing."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def main() -> None:
    try:
        with asyncio.Runner(loop_factory=_loop_factory()) as runner:
            code = runner.run(_serve())
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
    sys.exit(code)


if __name__ == "__main__":
    main()
