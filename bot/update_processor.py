"""Updates from different people run concurrently; one person's run in order.

Dialog steps are read-modify-write (e.g. toggling weekdays), so two quick taps by
the same person must not interleave, while thousands of people answering their
nudges at once should not wait on each other. With replicas, the two taps may
reach two processes: then a lock shared through the database (`cross_process`,
see bot/scheduling/leases.py) orders them as well.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager, nullcontext
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.telemetry import NullTelemetry, Telemetry

log = logging.getLogger(__name__)
PersonLock = Callable[[int], AbstractAsyncContextManager[None]]


class PerUserUpdateProcessor(BaseUpdateProcessor):
    """Also times every update: the whole handler run, which a TypeHandler can't see."""

    def __init__(
        self,
        max_concurrent_updates: int = 64,
        cross_process: PersonLock | None = None,
        telemetry: Telemetry | None = None,
    ) -> None:
        super().__init__(max_concurrent_updates)
        self.cross_process = cross_process
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiters: dict[int, int] = {}
        self._telemetry = telemetry or NullTelemetry()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        user = update.effective_user if isinstance(update, Update) else None
        if user is None:
            await self._timed(update, coroutine)
            return
        lock = self._locks.setdefault(user.id, asyncio.Lock())
        self._waiters[user.id] = self._waiters.get(user.id, 0) + 1
        try:
            async with lock:
                # Taken after the in-process lock, so one process asks the database
                # for a person's lock once at a time, not once per queued update.
                shared = self.cross_process(user.id) if self.cross_process else nullcontext()
                async with shared:
                    await self._timed(update, coroutine)
        finally:
            self._waiters[user.id] -= 1
            if self._waiters[user.id] == 0:
                # Forget idle people so memory doesn't grow with the user count.
                del self._waiters[user.id]
                del self._locks[user.id]

    async def _timed(self, update: object, coroutine: Awaitable[Any]) -> None:
        """From the first handler to the last, not counting the wait for the person's turn."""
        started = time.perf_counter()
        try:
            await coroutine
        finally:
            seconds = time.perf_counter() - started
            self._telemetry.update_handled(seconds)
            if isinstance(update, Update):
                update_id = update.update_id
                log.debug("update %d handled", update_id, extra={"update_id": update_id})

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None
