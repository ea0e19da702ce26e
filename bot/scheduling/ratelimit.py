"""Pacing for outgoing messages, so bursts stay inside Telegram's limits.

Telegram allows roughly 30 messages a second per bot and about one a second per
chat; going over earns 429s and, if repeated, longer bans. We pace ourselves
instead of relying on retries:

* sends are spaced evenly, timed from the planned slot rather than from when the
  event loop woke us (timers fire a little late, and that lateness would
  otherwise be lost on every message);
* a sliding one-second window guarantees that no second ever holds more than
  `rate` requests as the server sees them: a request counts as in flight from
  the moment it is granted and then from when its answer came back, which is
  never earlier than when it arrived, however late it left.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

WINDOW_S = 1.0
# Clock granularity between us and the server's own window.
JITTER_MARGIN_S = 0.002
# Past this rate the window log would be large and pointless (no real limit).
MAX_WINDOWED_RATE = 5_000
# How far behind schedule we may fall and still catch up by sending back to back:
# enough to absorb late timers on a busy loop without giving up throughput.
CATCH_UP_S = 0.05


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
        self._done: deque[float] = deque()
        self._in_flight = 0
        self._released = asyncio.Event()
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

    @asynccontextmanager
    async def slot(self, chat_id: int | None = None) -> AsyncIterator[None]:
        """Hold a sending slot for one request; leave the block when its answer is back."""
        await self._acquire(chat_id)
        try:
            yield
        finally:
            self._release()

    async def _acquire(self, chat_id: int | None) -> None:
        if chat_id is not None and self._per_chat > 0:
            ready_at = self._chat_next.get(chat_id, 0.0)
            self._chat_next[chat_id] = max(ready_at, self._monotonic()) + self._per_chat
            self._chat_next.move_to_end(chat_id)
            while len(self._chat_next) > self._max_chats:
                self._chat_next.popitem(last=False)
            if (wait := ready_at - self._monotonic()) > 0:
                await asyncio.sleep(wait)
        async with self._lock:  # FIFO: callers are served in the order they asked
            while True:
                now = self._monotonic()
                start = max(self._next_slot, self._paused_until)
                if self._capacity:
                    while self._done and self._done[0] <= now - self._window:
                        self._done.popleft()
                    if self._in_flight + len(self._done) >= self._capacity:
                        if not self._done:
                            self._released.clear()
                            await self._released.wait()
                            continue
                        start = max(start, self._done[0] + self._window)
                if start <= now:
                    break
                await asyncio.sleep(start - now)
            self._next_slot = max(start, now - CATCH_UP_S) + self._interval
            if self._capacity:
                self._in_flight += 1

    def _release(self) -> None:
        if self._capacity:
            self._in_flight -= 1
            self._done.append(self._monotonic())
            self._released.set()
