"""Group commit: many small writes from concurrent senders share one transaction.

SQLite (and PostgreSQL over a network) pays mostly per commit, not per row. Each
sender still waits until *its* write is committed before going on, so the
"committed before sent" ordering holds exactly, while a burst of sends costs a
handful of commits instead of two per message.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)

Operation = Callable[[AsyncConnection], Awaitable[Any]]


@dataclass
class _Pending:
    operation: Operation
    future: asyncio.Future[Any]


class BatchWriter:
    def __init__(self, engine: AsyncEngine, max_batch: int = 256) -> None:
        self._engine = engine
        self._max_batch = max_batch
        self._queue: asyncio.Queue[_Pending | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self.commits = 0

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._queue.put_nowait(None)
            await self._task
            self._task = None

    async def submit(self, operation: Operation) -> Any:
        """Run `operation` in the next batch; returns its result once committed."""
        if self._task is None:
            raise RuntimeError("BatchWriter is not running")
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Pending(operation, future))
        return await future

    async def _run(self) -> None:
        while True:
            first = await self._queue.get()
            batch: list[_Pending] = []
            stopping = first is None
            if first is not None:
                batch.append(first)
            while len(batch) < self._max_batch and not self._queue.empty():
                item = self._queue.get_nowait()
                if item is None:
                    stopping = True
                    break
                batch.append(item)
            if batch:
                await self._commit(batch)
            if stopping:
                return

    async def _commit(self, batch: list[_Pending]) -> None:
        try:
            async with self._engine.begin() as conn:
                results = [await item.operation(conn) for item in batch]
        except Exception:
            # One bad write must not sink its neighbours: retry each on its own.
            log.warning("batched write failed; retrying %d writes one by one", len(batch))
            for item in batch:
                await self._commit_one(item)
            return
        self.commits += 1
        for item, result in zip(batch, results, strict=True):
            if not item.future.done():
                item.future.set_result(result)

    async def _commit_one(self, item: _Pending) -> None:
        try:
            async with self._engine.begin() as conn:
                result = await item.operation(conn)
        except Exception as exc:
            if not item.future.done():
                item.future.set_exception(exc)
            return
        self.commits += 1
        if not item.future.done():
            item.future.set_result(result)
