"""The first contact with the database and the Bot API, explained in one line when it fails.

Why a step of its own: a rejected token, password or database name can only be
fixed by a person, so it ends the process at once with what to do; an unreachable
server often fixes itself (a host's network or a database container may come up
after the process), so it is retried with backoff, one warning line per try, and
only then given up on, naming the address tried. None of it may print the token,
a password, a traceback, or an unclosed-session warning.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from sqlalchemy.exc import DBAPIError
from telegram import Bot
from telegram.error import InvalidToken, TelegramError

from bot.db.database import Database

log = logging.getLogger(__name__)

_FIRST_WAIT_S = 1.0
_LONGEST_WAIT_S = 15.0
_LONGEST_REASON = 160  # a proxy's error page must not fill the line
_DB_TRY_S = 10.0  # one try at the database; a server that is starting may take a while


class StartupError(Exception):
    """Start-up cannot go on; the message is the one line to show."""


def rejected_message(exc: InvalidToken, api_url: str) -> str:
    # PTB re-raises getMe's InvalidToken with the token in it; the server's own words
    # are in the cause ("Unauthorized" from Telegram, "Not Found" from a wrong URL).
    reason = str(exc.__cause__ or "")
    if "not found" in reason.lower():
        return (
            f"the Bot API at {api_url} answered 404 Not Found to getMe: check "
            "TELEGRAM_API_URL, and the token with @BotFather (send /mybots, pick your bot, "
            "then 'API Token')."
        )
    return (
        "Telegram rejected TELEGRAM_BOT_TOKEN (401 Unauthorized): check the token with "
        "@BotFather (send /mybots, pick your bot, then 'API Token'); it may have been revoked."
    )


class _Unreachable(Exception):
    """A try that may work later; the message is the reason, already short and safe."""


async def _retrying(
    attempt: Callable[[], Awaitable[None]], what: str, retry_s: float, advice: str
) -> None:
    """Run `attempt` until it succeeds, raises StartupError, or `retry_s` has passed."""
    deadline = time.monotonic() + retry_s
    wait = _FIRST_WAIT_S
    while True:
        remaining = deadline - time.monotonic()
        try:
            async with asyncio.timeout(max(remaining, _FIRST_WAIT_S)):
                await attempt()
            return
        except TimeoutError:
            reason = "no answer in time"
        except _Unreachable as exc:
            reason = str(exc)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise StartupError(f"could not reach {what} for {retry_s:g} s ({reason}): {advice}")
        pause = min(wait, remaining)
        log.warning("%s is not reachable (%s); trying again in %.1f s", what, reason, pause)
        await asyncio.sleep(pause)
        wait = min(wait * 2, _LONGEST_WAIT_S)


async def reach_api(bot: Bot, api_url: str, retry_s: float) -> None:
    """Initialize `bot` (its getMe), retrying an unreachable API for up to `retry_s`.

    Raises StartupError at once for a rejected token, or after `retry_s` of failures.
    The caller closes the bot's sessions (`bot.shutdown()`) when this raises.
    """
    api_url = api_url.rstrip("/")

    async def attempt() -> None:
        try:
            await bot.initialize()
        except InvalidToken as exc:
            raise StartupError(rejected_message(exc, api_url)) from None
        except TelegramError as exc:  # network trouble, 5xx, not JSON
            raise _Unreachable(_short(str(exc) or "no answer")) from None

    await _retrying(
        attempt,
        f"the Telegram Bot API at {api_url}",
        retry_s,
        "check the host's network, or TELEGRAM_API_URL.",
    )


# Words in a driver's error that no amount of waiting will change.
_PERMANENT = ("password", "authentication", "does not exist", "permission denied", "role ")


async def reach_database(db: Database, retry_s: float) -> None:
    """One query, retried while the server is not there yet (refused, timed out, starting).

    A wrong password or database name ends start-up at once; the message names the
    host, port and database, never the user or password.
    """
    where = f"the database at {db.address}"

    async def attempt() -> None:
        try:
            await db.ping(_DB_TRY_S)
        except OSError as exc:  # refused, no route, name not known
            raise _Unreachable(_short(exc.strerror or type(exc).__name__)) from None
        except DBAPIError as exc:
            reason = _short(str(exc.orig or exc).splitlines()[0])
            if any(word in reason.lower() for word in _PERMANENT):
                raise StartupError(f"{where} refused us ({reason}): check DATABASE_URL.") from None
            raise _Unreachable(reason) from None

    await _retrying(attempt, where, retry_s, "check that the server is up, or DATABASE_URL.")


def _short(reason: str) -> str:
    line = reason.splitlines()[0] if reason else reason
    return line if len(line) <= _LONGEST_REASON else line[: _LONGEST_REASON - 1] + "…"
