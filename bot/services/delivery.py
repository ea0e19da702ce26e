"""One try at sending a nudge to Telegram, translated into an Attempt.

Retries, pacing and bookkeeping are the engine's business; this module only
knows how a nudge looks and how python-telegram-bot reports trouble.
"""

from __future__ import annotations

from datetime import timedelta

from telegram import Bot, ReplyParameters
from telegram.error import (
    BadRequest,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.db.nudges import NudgeContent
from bot.scheduling.attempt import Attempt, Gate, Outcome
from bot.scheduling.errands import Outgoing
from bot.texts import Texts
from bot.transport import AiohttpRequest, RequestWithheld, gated
from bot.views.nudges import nudge_text, reply_keyboard

# What the engine knows how to handle; anything else is a bug and propagates.
_KNOWN = (RetryAfter, Forbidden, BadRequest, NetworkError)


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
        except _KNOWN as exc:
            return failed(exc)
        return Attempt(Outcome.OK, message_id=message.message_id)

    async def send(self, outgoing: Outgoing) -> Attempt:
        try:
            message = await self._bot.send_message(
                outgoing.chat_id,
                outgoing.text,
                reply_markup=outgoing.markup,
                reply_parameters=(
                    ReplyParameters(outgoing.reply_to, allow_sending_without_reply=True)
                    if outgoing.reply_to is not None
                    else None
                ),
                disable_notification=outgoing.silent or None,
                protect_content=outgoing.protect or None,
            )
        except _KNOWN as exc:
            return failed(exc)
        return Attempt(Outcome.OK, message_id=message.message_id)


def failed(exc: TelegramError) -> Attempt:
    """What a Telegram or network error means for the engine."""
    if isinstance(exc, RetryAfter):
        return Attempt(
            Outcome.RETRY_AFTER,
            retry_after_s=retry_seconds(exc.retry_after),
            error=f"retry after {exc.retry_after}",
        )
    if isinstance(exc, Forbidden):
        return Attempt(Outcome.BLOCKED, error=exc.message)
    if isinstance(exc, BadRequest):
        return Attempt(Outcome.REJECTED, error=exc.message)
    if isinstance(exc, TimedOut):  # must come before NetworkError, its base class
        return Attempt(Outcome.TIMEOUT, error=exc.message)
    return Attempt(Outcome.NETWORK, error=exc.message)
