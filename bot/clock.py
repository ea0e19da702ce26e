"""An injectable clock, so tests and simulations can move time instead of waiting.

Everything that asks "what time is it" goes through a Clock. The scheduler also
listens for jumps of a ManualClock so it re-arms at once when time moves.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """Current instant, timezone-aware in UTC."""
        ...

    def on_change(self, callback: Callable[[], None]) -> None:
        """Register a callback for when the clock jumps (never for a real clock)."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def on_change(self, callback: Callable[[], None]) -> None:
        return None


class ManualClock:
    """A clock that moves when told to; used by tests and benchmarks.

    With `ticking=True` it also runs forward in real time from wherever it was
    last set, so a test can check that the scheduler wakes up by itself.
    """

    def __init__(self, start: datetime, *, ticking: bool = False) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = start.astimezone(UTC)
        self._ticking = ticking
        self._set_at = time.monotonic()
        self._listeners: list[Callable[[], None]] = []

    def now(self) -> datetime:
        if self._ticking:
            return self._now + timedelta(seconds=time.monotonic() - self._set_at)
        return self._now

    def on_change(self, callback: Callable[[], None]) -> None:
        self._listeners.append(callback)

    def set(self, when: datetime) -> None:
        if when.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = when.astimezone(UTC)
        self._set_at = time.monotonic()
        for listener in list(self._listeners):
            listener()

    def advance(self, delta: timedelta) -> None:
        self.set(self.now() + delta)
