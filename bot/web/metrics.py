"""Prometheus metrics: the one place that knows prometheus-client.

Each runtime has its own CollectorRegistry rather than the process-wide default,
so several bots in one process (the tests start many) never clash over names.
"""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, ProcessCollector
from prometheus_client.exposition import choose_encoder

# Outcomes the engine reports (bot/scheduling/engine.py), listed so each series
# exists at 0 from the start: a rate() over a series that appears late misses its first step.
NUDGE_OUTCOMES = (
    "sent",
    "undeliverable",
    "retry_later",
    "expired",
    "withheld",
    "crashed",
    "renudge_sent",
    "renudge_unsent",
)
# Nudges are due to the minute; seconds show pacing, minutes show downtime or backlog.
_LATENESS_BUCKETS = (0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200)


class Metrics:
    """Implements bot.telemetry.Telemetry, and renders what it counted."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)
        registry = self.registry
        self._updates = Counter("bot_updates", "Updates handled.", registry=registry)
        self._handler_seconds = Histogram(
            "bot_handler_seconds", "Time to handle one update.", registry=registry
        )
        self._nudges = Counter(
            "bot_nudges", "Nudge deliveries by final outcome.", ["outcome"], registry=registry
        )
        for outcome in NUDGE_OUTCOMES:
            self._nudges.labels(outcome)
        self._flood = Counter(
            "bot_telegram_429", "Requests Telegram answered with 429.", registry=registry
        )
        self._lateness = Histogram(
            "bot_nudge_lateness_seconds",
            "Time from a nudge being due to Telegram accepting it.",
            buckets=_LATENESS_BUCKETS,
            registry=registry,
        )
        self._queue_depth = Gauge(
            "bot_queue_depth", "Nudges claimed and waiting for a sender.", registry=registry
        )
        self._lease = Gauge(
            "bot_sender_lease_held", "1 while this process sends nudges.", registry=registry
        )

    def watch_queue(self, depth: Callable[[], int]) -> None:
        """Read the queue's size at scrape time instead of tracking every put and get."""
        self._queue_depth.set_function(depth)

    def render(self, accept: str = "") -> tuple[bytes, str]:
        """The exposition (and its content type) for a scraper's Accept header."""
        encoder, content_type = choose_encoder(accept)
        return encoder(self.registry), content_type

    # -- bot.telemetry.Telemetry ----------------------------------------------------------------

    def update_handled(self, seconds: float) -> None:
        self._updates.inc()
        self._handler_seconds.observe(seconds)

    def nudge_outcome(self, outcome: str, count: int = 1) -> None:
        self._nudges.labels(outcome).inc(count)

    def nudge_lateness(self, seconds: float) -> None:
        self._lateness.observe(max(seconds, 0.0))

    def telegram_flood(self) -> None:
        self._flood.inc()

    def sender_lease_held(self, held: bool) -> None:
        self._lease.set(1 if held else 0)
