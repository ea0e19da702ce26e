"""Updates from different people run concurrently; one person's run in order.

Dialog steps are read-modify-write (e.g. toggling weekdays), so two quick taps by
the same person must not interleave, while thousands of people answering their
nudges at once should not wait on each other.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


class PerUserUpdateProcessor(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int = 64) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiters: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        user = update.effective_user if isinstance(update, Update) else None
        if user is None:
            await coroutine
            return
        lock = self._locks.setdefault(user.id, asyncio.Lock())
        self._waiters[user.id] = self._waiters.get(user.id, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._waiters[user.id] -= 1
            if self._waiters[user.id] == 0:
                # Forget idle people so memory doesn't grow with the user count.
                del self._waiters[user.id]
                del self._locks[user.id]

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None
