"""The outcome of one try at sending something to Telegram, in the engine's terms."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from bot.db.nudges import NudgeContent
from bot.scheduling.errands import Outgoing

# Runs once the request is ready to complete; False means it must not (see bot/transport.py).
Gate = Callable[[], Awaitable[bool]]


class Outcome(StrEnum):
    OK = "ok"
    RETRY_AFTER = "429"  # flood control: wait, then try again (not a failure)
    BLOCKED = "403"  # the person blocked the bot
    REJECTED = "400"  # Telegram refuses this request; retrying won't help
    TIMEOUT = "timeout"  # ambiguous: Telegram may have accepted it
    NETWORK = "net"  # connection trouble or a 5xx: not accepted
    WITHHELD = "withheld"  # the gate said no: nothing reached Telegram


@dataclass(frozen=True)
class Attempt:
    outcome: Outcome
    message_id: int | None = None
    retry_after_s: float = 0.0
    error: str = ""


class Sender(Protocol):
    async def attempt(
        self, content: NudgeContent, renudge: bool, gate: Gate | None = None
    ) -> Attempt:
        """Make exactly one request; never raise for Telegram or network errors.

        With a gate, the request is completed only if the gate, run at the last
        moment, returns True; otherwise the outcome is WITHHELD.
        """
        ...

    async def send(self, outgoing: Outgoing) -> Attempt:
        """Make exactly one request for a message that is not a nudge; never raise for
        Telegram or network errors."""
        ...
