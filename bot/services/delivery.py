"""One try at sending a nudge to Telegram, translated into an Attempt.

Retries, pacing and bookkeeping are the engine's business; this module only
knows how a nudge looks and how python-telegram-bot reports trouble.
"""

from __future__ import annotations

from datetime import timedelta

from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.db.nudges import NudgeContent
from bot.scheduling.attempt import Attempt, Gate, Outcome
from bot.texts import Texts
from bot.transport import AiohttpRequest, RequestWithheld, gated
from bot.views.nudges import nudge_text, reply_keyboard


def retry_seconds(value: int | float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class TelegramSender:
    def __init__(self, bot: Bot, texts: Texts) -> None:
        if not isinstance(bot.request, AiohttpRequest):
            # Only our transport runs the gate; without it a crash could resend or lose nudges.
            raise TypeError("TelegramSender needs a Bot on bot.transport.AiohttpRequest")
        self._bot = bot
        self._texts = texts

    async def attempt(
        self, content: NudgeContent, renudge: bool, gate: Gate | None = None
    ) -> Attempt:
        text = nudge_text(self._texts, content, renudge)
        markup = reply_keyboard(
            self._texts,
            content.language,
            content.nudge_id,
            renudge=renudge,
            skip=content.skippable,
            shows=content.shows,
        )
        try:
            with gated(gate):
                message = await self._bot.send_message(content.chat_id, text, reply_markup=markup)
        except RequestWithheld as exc:  # before NetworkError, its base class
            return Attempt(Outcome.WITHHELD, error=exc.message)
        except RetryAfter as exc:
            return Attempt(
                Outcome.RETRY_AFTER,
                retry_after_s=retry_seconds(exc.retry_after),
                error=f"retry after {exc.retry_after}",
            )
        except Forbidden as exc:
            return Attempt(Outcome.BLOCKED, error=exc.message)
        except BadRequest as exc:
            return Attempt(Outcome.REJECTED, error=exc.message)
        except TimedOut as exc:  # must come before NetworkError, its base class
            return Attempt(Outcome.TIMEOUT, error=exc.message)
        except NetworkError as exc:
            return Attempt(Outcome.NETWORK, error=exc.message)
        return Attempt(Outcome.OK, message_id=message.message_id)
