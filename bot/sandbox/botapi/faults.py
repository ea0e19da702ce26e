"""Fault injection and rate limiting.

Why: robustness tests need Telegram's unpleasant behaviours on demand -- 429 with
``retry_after``, 5xx hiccups, "bot was blocked" and slow responses -- and benchmarks need a
server that pushes back like the real one when the bot sends too fast.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Hashable
from dataclasses import dataclass

from .errors import ApiError, default_description, too_many_requests


def _matches(rule_method: str, rule_chat: int | None, method: str, chat_id: object) -> bool:
    if rule_method != "*" and rule_method.lower() != method.lower():
        return False
    return rule_chat is None or rule_chat == chat_id


@dataclass
class FaultRule:
    """Answer the next ``remaining`` matching calls with an error instead of handling them."""

    method: str
    status: int
    description: str
    retry_after: int | None
    remaining: int
    chat_id: int | None = None

    def error(self) -> ApiError:
        return ApiError(self.status, self.description, retry_after=self.retry_after)


@dataclass
class DelayRule:
    """Hold the next ``remaining`` matching calls for ``seconds`` before handling them.

    The call is still carried out after the delay, even if the client has given up by then --
    exactly the ambiguous situation a real timeout creates (the message may have been sent).
    """

    method: str
    seconds: float
    remaining: int
    chat_id: int | None = None


class FaultPlan:
    """Pending faults and delays, consumed in the order they were registered."""

    def __init__(self) -> None:
        self.faults: list[FaultRule] = []
        self.delays: list[DelayRule] = []

    def add_fault(
        self,
        method: str,
        *,
        status: int,
        description: str | None,
        retry_after: int | None,
        count: int,
        chat_id: int | None,
    ) -> FaultRule:
        if status == 429 and retry_after is None:
            retry_after = 1
        rule = FaultRule(
            method=method,
            status=status,
            description=description or default_description(status, retry_after),
            retry_after=retry_after,
            remaining=count,
            chat_id=chat_id,
        )
        self.faults.append(rule)
        return rule

    def add_delay(self, method: str, seconds: float, count: int, chat_id: int | None) -> DelayRule:
        rule = DelayRule(method=method, seconds=seconds, remaining=count, chat_id=chat_id)
        self.delays.append(rule)
        return rule

    def take_fault(self, method: str, chat_id: object) -> FaultRule | None:
        for rule in self.faults:
            if rule.remaining > 0 and _matches(rule.method, rule.chat_id, method, chat_id):
                rule.remaining -= 1
                self.faults = [r for r in self.faults if r.remaining > 0]
                return rule
        return None

    def take_delay(self, method: str, chat_id: object) -> float:
        for rule in self.delays:
            if rule.remaining > 0 and _matches(rule.method, rule.chat_id, method, chat_id):
                rule.remaining -= 1
                self.delays = [r for r in self.delays if r.remaining > 0]
                return rule.seconds
        return 0.0

    def clear(self) -> None:
        self.faults.clear()
        self.delays.clear()


class SlidingWindowLimiter:
    """At most ``limit_per_s`` accepted events per key in any sliding 1-second window.

    Rejected attempts do not count, so a client that honours ``retry_after`` gets through.
    Limits below 1/s widen the window instead (e.g. 0.5/s → 1 event per 2 s).
    """

    def __init__(self, limit_per_s: float) -> None:
        if limit_per_s <= 0:
            raise ValueError("limit_per_s must be positive")
        if limit_per_s >= 1:
            self.window, self.capacity = 1.0, int(limit_per_s)
        else:
            self.window, self.capacity = 1.0 / limit_per_s, 1
        self._events: dict[Hashable, deque[float]] = {}

    def _recent(self, key: Hashable, now: float) -> deque[float]:
        events = self._events.setdefault(key, deque())
        while events and events[0] <= now - self.window:
            events.popleft()
        return events

    def retry_after(self, key: Hashable, now: float) -> int | None:
        """Whole seconds to wait (≥1) if an event now would exceed the limit, else ``None``."""
        events = self._recent(key, now)
        if len(events) < self.capacity:
            return None
        return max(1, math.ceil(events[0] + self.window - now))

    def record(self, key: Hashable, now: float) -> None:
        self._recent(key, now).append(now)


class RateLimits:
    """Telegram-like global and per-chat limits on message-producing methods (off if ``None``)."""

    LIMITED_METHODS = frozenset(
        {
            "sendMessage",
            "sendPhoto",
            "sendVideo",
            "sendDocument",
            "sendSticker",
            "sendLocation",
            "sendMediaGroup",
            "copyMessage",
            "forwardMessage",
            "editMessageText",
            "editMessageCaption",
            "editMessageReplyMarkup",
        }
    )

    def __init__(self, global_per_s: float | None, per_chat_per_s: float | None) -> None:
        self.global_limiter = SlidingWindowLimiter(global_per_s) if global_per_s else None
        self.chat_limiter = SlidingWindowLimiter(per_chat_per_s) if per_chat_per_s else None

    def check(self, method: str, chat_id: object, now: float) -> ApiError | None:
        """A 429 if this call exceeds a limit; otherwise records it and returns ``None``."""
        if method not in self.LIMITED_METHODS:
            return None
        waits: list[int] = []
        if self.chat_limiter is not None and chat_id is not None:
            wait = self.chat_limiter.retry_after(("chat", chat_id), now)
            if wait is not None:
                waits.append(wait)
        if self.global_limiter is not None:
            wait = self.global_limiter.retry_after("global", now)
            if wait is not None:
                waits.append(wait)
        if waits:
            return too_many_requests(max(waits))
        if self.chat_limiter is not None and chat_id is not None:
            self.chat_limiter.record(("chat", chat_id), now)
        if self.global_limiter is not None:
            self.global_limiter.record("global", now)
        return None
