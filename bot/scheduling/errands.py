"""Messages the engine sends besides nudges: a follow-up, a question, a note to a therapist.

They share the nudges' road (the rate limiter, the sender lease, the workers and
their grace on stop) but not their bookkeeping: an errand is claimed in the
database before it is queued, so it goes at most once. A crash or a lost lease
between the claim and the send drops it, which for a gentle extra beats sending
it twice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import InlineKeyboardMarkup


@dataclass(frozen=True)
class Outgoing:
    """One message, as the Bot API takes it."""

    chat_id: int
    text: str
    markup: InlineKeyboardMarkup | None = None
    reply_to: int | None = None  # shown as a reply to this message, if it still exists
    silent: bool = False  # disable_notification: arrives without a sound
    protect: bool = False  # protect_content: no forwarding or saving (health matters)


@dataclass(frozen=True)
class Errand:
    name: str  # "followup", "quiet_ask", "quiet_note", "digest"...: its log line and metric outcome
    ref: int  # the nudge or quiet spell it is about
    outgoing: Outgoing
    sent: Callable[[int], Awaitable[None]] | None = None  # records Telegram's message id
    nudge_id: int | None = None  # for the log line's nudge_id field
    then: Errand | None = None  # the next part of a long digest, sent after this one


class ErrandSource(Protocol):
    async def due(self, now: datetime) -> tuple[list[Errand], bool]:
        """Claim what is due now; True when there may be more than one pass holds."""
        ...

    async def next_wake(self, session: AsyncSession) -> datetime | None:
        """The earliest instant something may fall due."""
        ...
