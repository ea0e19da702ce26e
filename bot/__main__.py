"""`python -m bot [migrate]`: run the bot until interrupted, or upgrade the database and exit.

`genkey` and `rekey` (bot/cli.py) manage the key for personal data at rest;
`sandbox` (bot/sandbox/cli.py) runs the bot in a browser, without Telegram.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Callable

from bot import cli, keys
from bot.app import BotRuntime
from bot.db.database import Database
from bot.db.engine import upgrade_database_blocking
from bot.logging_setup import configure_logging
from bot.settings import (
    SettingsError,
    data_keys_from_env,
    database_url_from_env,
    load_settings,
    startup_retry_from_env,
)
from bot.startup import StartupError, reach_database

USAGE = "usage: python -m bot [migrate | genkey | rekey | sandbox [--port 8080]]"


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


def _migrate() -> int:
    """Upgrade the schema and exit: a release step before new code starts serving."""
    url = database_url_from_env()
    keys.configure(url, data_keys_from_env())  # migrations seal personal text

    async def reach() -> None:
        db = Database.from_url(url)
        try:
            await reach_database(db, startup_retry_from_env())
        finally:
            await db.engine.dispose()

    try:
        asyncio.run(reach())
    except StartupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    upgrade_database_blocking(url)
    print("database is at the newest schema")
    return 0


def main() -> None:
    command = sys.argv[1] if len(sys.argv) > 1 else None
    if command in cli.COMMANDS:
        sys.exit(cli.run(command))
    if command == "sandbox":
        # Imported here: a bot serving Telegram never loads the sandbox.
        from bot.sandbox import cli as sandbox_cli

        sys.exit(sandbox_cli.run(sys.argv[2:]))
    try:
        if command is None:
            with asyncio.Runner(loop_factory=_loop_factory()) as runner:
                code = runner.run(_serve())
            sys.exit(code)
        elif command == "migrate":
            sys.exit(_migrate())
        elif command in ("-h", "--help", "help"):
            print(USAGE)
        else:
            print(USAGE, file=sys.stderr)
            sys.exit(2)
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
