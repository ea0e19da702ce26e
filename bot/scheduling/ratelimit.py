"""Pacing for outgoing messages, so bursts stay inside Telegram's limits.

Telegram allows roughly 30 messages a second per bot and about one a second per
chat; going over earns 429s and, if repeated, longer bans. We pace ourselves
instead of relying on retries: sends are spaced evenly, and a sliding one-second
window (with a small margin for network jitter) guarantees that a stall followed
by a catch-up can never put more than `rate` messages into any second.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import OrderedDict, deque
from collections.abc import Callable

WINDOW_S = 1.0
# Requests leave here a little unevenly and arrive there a little unevenly; this
# much slack keeps a server-side sliding window from ever counting rate + 1.
JITTER_MARGIN_S = 0.015
# Past this rate the window log would be large and pointless (no real limit).
MAX_WINDOWED_RATE = 5_000


class RateLimiter:
    def __init__(
        self,
        rate_per_s: float,
        per_chat_interval_s: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
        max_tracked_chats: int = 100_000,
    ) -> None:
        if rate_per_s <= 0:
            raise ValueError("rate must be positive")
        self._window = WINDOW_S + JITTER_MARGIN_S
        self._interval = self._window / rate_per_s
        self._capacity = math.floor(rate_per_s) if rate_per_s <= MAX_WINDOWED_RATE else 0
        self._sent: deque[float] = deque()
        self._per_chat = per_chat_interval_s
        self._monotonic = monotonic
        self._next_slot = 0.0
        self._chat_next: OrderedDict[int, float] = OrderedDict()
        self._max_chats = max_tracked_chats
        self._paused_until = 0.0
        self._lock = asyncio.Lock()

    def pause(self, seconds: float) -> None:
        """Telegram said "retry after": hold every sender, not just the one that was told."""
        self._paused_until = max(self._paused_until, self._monotonic() + seconds)

    async def acquire(self, chat_id: int | None = None) -> None:
        """Wait for this chat's turn, then for a global slot; FIFO across callers."""
        if chat_id is not None and self._per_chat > 0:
            ready_at = self._chat_next.get(chat_id, 0.0)
            self._chat_next[chat_id] = max(ready_at, self._monotonic()) + self._per_chat
            self._chat_next.move_to_end(chat_id)
            while len(self._chat_next) > self._max_chats:
                self._chat_next.popitem(last=False)
            if (wait := ready_at - self._monotonic()) > 0:
                await asyncio.sleep(wait)
        async with self._lock:
            while True:
                now = self._monotonic()
                start = max(now, self._next_slot, self._paused_until)
                if self._capacity:
                    while self._sent and self._sent[0] <= now - self._window:
                        self._sent.popleft()
                    if len(self._sent) >= self._capacity:
                        start = max(start, self._sent[0] + self._window)
                if start <= now:
                    break
                await asyncio.sleep(start - now)
            self._next_slot = now + self._interval
            if self._capacity:
                self._sent.append(now)
