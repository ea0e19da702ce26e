"""The limiter's promises: never more than `rate` in any second, one per chat, pauses for all."""

from __future__ import annotations

import asyncio
import itertools
import time

from bot.scheduling.ratelimit import RateLimiter


async def _send(limiter: RateLimiter, chat: int, log: list[tuple[float, float]]) -> None:
    async with limiter.slot(chat):
        start = time.monotonic()
        await asyncio.sleep(0.002)  # the request on the wire
        log.append((start, time.monotonic()))


def _max_in_window(times: list[float], window: float = 1.0) -> int:
    times = sorted(times)
    best = 0
    for index, start in enumerate(times):
        best = max(best, sum(1 for t in times[index:] if t < start + window))
    return best


async def test_no_second_holds_more_than_the_rate() -> None:
    limiter = RateLimiter(20, per_chat_interval_s=0)
    log: list[tuple[float, float]] = []
    began = time.monotonic()
    await asyncio.gather(*(_send(limiter, chat, log) for chat in range(30)))
    elapsed = time.monotonic() - began
    assert _max_in_window([start for start, _end in log]) <= 20
    assert 1.3 <= elapsed <= 2.5  # 30 evenly spaced at 20/s, not a burst then a wait


async def test_one_message_per_chat_per_interval() -> None:
    limiter = RateLimiter(1000, per_chat_interval_s=0.2)
    log: list[tuple[float, float]] = []
    await asyncio.gather(*(_send(limiter, 7, log) for _ in range(3)))
    starts = sorted(start for start, _end in log)
    assert all(b - a >= 0.19 for a, b in itertools.pairwise(starts))


async def test_pause_holds_everyone() -> None:
    limiter = RateLimiter(1000, per_chat_interval_s=0)
    limiter.pause(0.3)
    log: list[tuple[float, float]] = []
    began = time.monotonic()
    await asyncio.gather(*(_send(limiter, chat, log) for chat in range(5)))
    assert min(start for start, _end in log) - began >= 0.29
