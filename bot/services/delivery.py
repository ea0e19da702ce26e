"""Sending a nudge to Telegram, politely and persistently.

Paces itself with the shared RateLimiter, obeys 429 "retry after" for everyone,
retries network trouble with backoff, and tells the engine when a person has
blocked the bot so it stops nudging them.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.db.nudges import NudgeContent
from bot.scheduling.engine import Delivery
from bot.scheduling.ratelimit import RateLimiter
from bot.texts import Texts
from bot.views.nudges import nudge_text, reply_keyboard

log = logging.getLogger(__name__)


def retry_seconds(value: int | float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class TelegramDelivery:
    def __init__(
        self,
        bot: Bot,
        texts: Texts,
        limiter: RateLimiter,
        max_attempts: int = 5,
        backoff_s: float = 0.5,
    ) -> None:
        self._bot = bot
        self._texts = texts
        self._limiter = limiter
        self._max_attempts = max_attempts
        self._backoff_s = backoff_s

    async def __call__(self, content: NudgeContent, renudge: bool) -> Delivery:
        text = nudge_text(self._texts, content, renudge)
        markup = reply_keyboard(self._texts, content.language, content.nudge_id, renudge=renudge)
        last_error = "not attempted"
        attempt = 0
        while attempt < self._max_attempts:
            await self._limiter.acquire(content.chat_id)
            try:
                message = await self._bot.send_message(content.chat_id, text, reply_markup=markup)
            except RetryAfter as exc:
                # Not the person's fault nor a failure of the message: wait and go again,
                # without using up an attempt, so a 429 never drops a nudge.
                self._limiter.pause(retry_seconds(exc.retry_after))
                last_error = f"429 retry after {exc.retry_after}"
                continue
            except Forbidden as exc:
                return Delivery(error=f"403 {exc.message}", unreachable=True)
            except BadRequest as exc:
                return Delivery(error=f"400 {exc.message}", permanent=True)
            except (TimedOut, NetworkError) as exc:
                attempt += 1
                last_error = f"{type(exc).__name__}: {exc.message}"
                log.warning("nudge %s: %s (attempt %d)", content.nudge_id, last_error, attempt)
                await asyncio.sleep(self._backoff_s * 2 ** (attempt - 1))
                continue
            return Delivery(message_id=message.message_id)
        return Delivery(error=last_error)
