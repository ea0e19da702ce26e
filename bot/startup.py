"""The first contact with the Bot API, explained in one line when it fails.

Why a step of its own: a rejected token can only be fixed by a person, so it ends
the process at once with what to do; an unreachable API often fixes itself (a
host's network may come up after the process), so it is retried with backoff,
one warning line per try, and only then given up on, naming the URL tried.
Neither may print the token, a traceback, or an unclosed-session warning.
"""

from __future__ import annotations

import asyncio
import logging
import time

from telegram import Bot
from telegram.error import InvalidToken, TelegramError

log = logging.getLogger(__name__)

_FIRST_WAIT_S = 1.0
_LONGEST_WAIT_S = 15.0
_LONGEST_REASON = 160  # a proxy's error page must not fill the line


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


async def reach_api(bot: Bot, api_url: str, retry_s: float) -> None:
    """Initialize `bot` (its getMe), retrying an unreachable API for up to `retry_s`.

    Raises StartupError at once for a rejected token, or after `retry_s` of failures.
    The caller closes the bot's sessions (`bot.shutdown()`) when this raises.
    """
    api_url = api_url.rstrip("/")
    deadline = time.monotonic() + retry_s
    wait = _FIRST_WAIT_S
    while True:
        remaining = deadline - time.monotonic()
        try:
            async with asyncio.timeout(max(remaining, _FIRST_WAIT_S)):
                await bot.initialize()
            return
        except InvalidToken as exc:
            raise StartupError(rejected_message(exc, api_url)) from None
        except (TelegramError, TimeoutError) as exc:  # network trouble, 5xx, not JSON
            reason = _short(str(exc) or "no answer in time")
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise StartupError(
                f"could not reach the Telegram Bot API at {api_url} for {retry_s:g} s "
                f"({reason}): check the host's network, or TELEGRAM_API_URL."
            )
        pause = min(wait, remaining)
        log.warning(
            "the Telegram Bot API at %s is not reachable (%s); trying again in %.1f s",
            api_url,
            reason,
            pause,
        )
        await asyncio.sleep(pause)
        wait = min(wait * 2, _LONGEST_WAIT_S)


def _short(reason: str) -> str:
    line = reason.splitlines()[0] if reason else reason
    return line if len(line) <= _LONGEST_REASON else line[: _LONGEST_REASON - 1] + "…"
