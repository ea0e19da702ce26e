"""This process's side of the leases that replicas share (see bot/db/leases.py).

The sender lease: only its holder claims and sends nudges, so several replicas stay
within SEND_RATE_PER_S in total rather than each at the full rate, while all of
them answer people. The holder renews it every third of its lifetime; the others
try to take it just as often, so when the holder dies another takes over within
one lifetime plus one renewal interval.

Person locks: a replica holds a person's lock while it handles one of their
updates, so two updates from one person that reach two replicas at once are
handled one after the other and cannot interleave their dialog steps.

Lease times are the real time of this process, never the injectable clock that
moves nudges around in tests: a lease is about processes being alive.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

from bot.db import leases
from bot.db.database import Database

log = logging.getLogger(__name__)


def _holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _now() -> datetime:
    return datetime.now(UTC)


class SenderLease:
    def __init__(self, db: Database, ttl: timedelta) -> None:
        self._db = db
        self._ttl = ttl
        self.token = secrets.token_hex(16)
        self.holder = _holder()
        # Until when we may act as the holder, by our own monotonic clock. A little
        # short of the stored expiry, so clocks a second apart between hosts cannot
        # let two replicas send at once.
        self._valid_until = 0.0
        self._margin_s = min(1.0, ttl.total_seconds() / 5)
        self._listeners: list[Callable[[bool], None]] = []

    @property
    def renew_every_s(self) -> float:
        return self._ttl.total_seconds() / 3

    def held(self) -> bool:
        return time.monotonic() < self._valid_until

    def on_change(self, listener: Callable[[bool], None]) -> None:
        """Called with True when this process becomes the sender, False when it stops."""
        self._listeners.append(listener)

    async def refresh(self) -> bool:
        """Take or renew the lease; a database hiccup keeps what we had until it runs out."""
        was = self.held()
        started = time.monotonic()
        try:
            async with self._db.core_transaction() as conn:
                taken = await leases.take(
                    conn, leases.SENDER, self.holder, self.token, _now(), self._ttl
                )
        except Exception as exc:  # the database may be briefly unreachable
            log.warning("could not renew the sender lease: %s", type(exc).__name__)
        else:
            self._valid_until = (
                started + self._ttl.total_seconds() - self._margin_s if taken else 0.0
            )
        now = self.held()
        if now != was:
            log.info("sender lease %s", "taken: sending nudges" if now else "lost")
            for listener in self._listeners:
                listener(now)
        return now

    async def keep(self) -> None:
        """Renew (or try to take) the lease for as long as the process runs."""
        while True:
            await asyncio.sleep(self.renew_every_s)
            await self.refresh()

    async def release(self) -> None:
        if not self.held():
            return
        self._valid_until = 0.0
        try:
            async with self._db.core_transaction() as conn:
                await leases.release(conn, leases.SENDER, self.token)
        except Exception as exc:
            log.warning("could not release the sender lease: %s", type(exc).__name__)
        for listener in self._listeners:
            listener(False)


class PersonLocks:
    """Cross-process, per-person mutual exclusion, for databases shared by replicas."""

    def __init__(self, db: Database, ttl: timedelta = timedelta(seconds=60)) -> None:
        self._db = db
        self._ttl = ttl  # a holder that dies frees the person after this long
        self._holder = _holder()
        self._poll_s = 0.02

    @asynccontextmanager
    async def hold(self, user_id: int) -> AsyncIterator[None]:
        name, token = leases.person(user_id), secrets.token_hex(8)
        while True:
            async with self._db.core_transaction() as conn:
                if await leases.take(conn, name, self._holder, token, _now(), self._ttl):
                    break
            await asyncio.sleep(self._poll_s)
        try:
            yield
        finally:
            async with self._db.core_transaction() as conn:
                await leases.release(conn, name, token)
