"""What the bot reports about itself, as an interface.

Why a protocol: the engine, the update processor and the transport report events,
but they must not import prometheus-client (or know whether anyone is listening).
bot/web/metrics.py implements it; `NullTelemetry` is for anything built without one.
"""

from __future__ import annotations

from typing import Protocol


class Telemetry(Protocol):
    def update_handled(self, seconds: float) -> None:
        """One update went through the handlers, taking `seconds`."""
        ...

    def nudge_outcome(self, outcome: str, count: int = 1) -> None:
        """Nudges reached a final outcome of one delivery pass (sent, undeliverable...)."""
        ...

    def nudge_lateness(self, seconds: float) -> None:
        """A nudge was accepted by Telegram `seconds` after it was due."""
        ...

    def telegram_flood(self) -> None:
        """Telegram answered 429 (flood control) to one of our requests."""
        ...

    def sender_lease_held(self, held: bool) -> None:
        """This process is (or no longer is) the one sending nudges.

        The sender lease shared by replicas will call this as it takes and loses the
        lease; until it exists the engine reports itself as holding it while started.
        """
        ...


class NullTelemetry:
    """Reports to no one."""

    def update_handled(self, seconds: float) -> None:
        pass

    def nudge_outcome(self, outcome: str, count: int = 1) -> None:
        pass

    def nudge_lateness(self, seconds: float) -> None:
        pass

    def telegram_flood(self) -> None:
        pass

    def sender_lease_held(self, held: bool) -> None:
        pass
