"""Pacing for outgoing messages, so bursts stay inside Telegram's limits.

Telegram allows roughly 30 messages a second per bot and about one a second per
chat; going over earns 429s and, if repeated, longer bans. We pace ourselves
instead of relying on retries.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Callable


class RateLimiter:
    """Spaces sends evenly: `rate` per second overall, one per `per_chat_interval_s` per chat."""

    def __init__(
        self,
        rate_per_s: float,
        per_chat_interval_s: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
        max_tracked_chats: int = 100_000,
    ) -> None:
        if rate_per_s <= 0:
            raise ValueError("rate must be positive")
        self._interval = 1.0 / rate_per_s
        self._per_chat = per_chat_interval_s
        self._monotonic = monotonic
        self._next_global = 0.0
        self._chat_next: OrderedDict[int, float] = OrderedDict()
        self._max_chats = max_tracked_chats
        self._paused_until = 0.0

    def pause(self, seconds: float) -> None:
        """Telegram said "retry after": hold every sender, not just the one that was told."""
        self._paused_until = max(self._paused_until, self._monotonic() + seconds)

    async def acquire(self, chat_id: int | None = None) -> None:
        now = self._monotonic()
        slot = max(now, self._next_global, self._paused_until)
        if chat_id is not None:
            slot = max(slot, self._chat_next.get(chat_id, 0.0))
            self._chat_next[chat_id] = slot + self._per_chat
            self._chat_next.move_to_end(chat_id)
            while len(self._chat_next) > self._max_chats:
                self._chat_next.popitem(last=False)
        self._next_global = slot + self._interval
        delay = slot - now
        if delay > 0:
            await asyncio.sleep(delay)
        # A pause announced while we slept still applies to us; pauses only ever
        # extend, so re-checking after each sleep is enough (no event needed).
        while (remaining := self._paused_until - self._monotonic()) > 0:  # noqa: ASYNC110
            await asyncio.sleep(remaining)
