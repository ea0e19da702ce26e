"""Group commit: many small writes from concurrent senders share one transaction.

SQLite (and PostgreSQL over a network) pays mostly per statement round trip and
per commit, not per row. Writes of the same kind that arrive together run as one
bulk statement, and every kind pending runs in one transaction. Each caller still
waits until *its* write is committed before going on, so "committed before the
request is sent" holds exactly, while a burst of sends costs a handful of commits
instead of two per message.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db.database import Database

log = logging.getLogger(__name__)

# Runs one kind of write for many items at once; returns one result per item.
BulkOperation = Callable[[AsyncConnection, list[Any]], Awaitable[list[Any]]]


@dataclass
class _Pending:
    operation: BulkOperation
    item: Any
    future: asyncio.Future[Any]


class BatchWriter:
    def __init__(self, db: Database, max_batch: int = 512) -> None:
        self._db = db
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

    async def submit(self, operation: BulkOperation, item: Any) -> Any:
        """Queue one write; returns its result once the batch holding it is committed."""
        if self._task is None:
            raise RuntimeError("BatchWriter is not running")
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Pending(operation, item, future))
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
        groups: dict[BulkOperation, list[_Pending]] = {}
        for pending in batch:
            groups.setdefault(pending.operation, []).append(pending)
        try:
            async with self._db.core_transaction() as conn:
                outcomes = [
                    (members, await operation(conn, [m.item for m in members]))
                    for operation, members in groups.items()
                ]
        except Exception:
            # One bad write must not sink its neighbours: retry each on its own.
            log.warning("batched write failed; retrying %d writes one by one", len(batch))
            for pending in batch:
                await self._commit_one(pending)
            return
        self.commits += 1
        for members, results in outcomes:
            for pending, result in zip(members, results, strict=True):
                if not pending.future.done():
                    pending.future.set_result(result)

    async def _commit_one(self, pending: _Pending) -> None:
        try:
            async with self._db.core_transaction() as conn:
                [result] = await pending.operation(conn, [pending.item])
        except Exception as exc:
            if not pending.future.done():
                pending.future.set_exception(exc)
            return
        self.commits += 1
        if not pending.future.done():
            pending.future.set_result(result)
