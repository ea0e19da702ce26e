"""The therapist's weekly digest: when it is due, who comes first, and how it is cut.

Pure, so the schedule rule (once a week, a late one once after downtime, never a
pile) and the ordering can be read and tested without a bot or a database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.schedule import next_due
from bot.domain.types import ClientStatus

PERIOD = timedelta(days=7)  # what a digest covers: the seven days before it is sent
MAX_MESSAGE = 4096  # Telegram's limit for one message's text


def next_digest_at(weekday: int, at: str, zone: str | None, after: datetime) -> datetime:
    """The first chosen weekday and time (in the therapist's zone) strictly after `after`.

    Fed the sending instant, it gives next week's; fed "now" after downtime, it
    skips the weeks missed, so only the one late digest goes out.
    """
    return next_due(time.fromisoformat(at), 1 << weekday, ZoneInfo(zone or "UTC"), after)


@dataclass(frozen=True)
class DigestRow:
    """One client as the digest reports them."""

    label: str
    status: str  # a ClientStatus
    reachable: bool
    quiet: bool  # in a quiet spell: several nudges in a row without an answer
    sessions: int  # done plus "some of it", over the period
    scheduled: int  # nudges that reached the client over the period
    concerns: int  # pain, "too hard" or soreness reported over the period

    @property
    def attention(self) -> bool:
        """Pain reported, gone quiet or unreachable: listed first, marked."""
        return self.concerns > 0 or self.quiet or not self.reachable


def ordered(rows: Iterable[DigestRow]) -> list[DigestRow]:
    """Those who need attention first (pain reports before the rest of them); then
    active clients, paused, not joined yet, stopped; each group by label."""
    order = {ClientStatus.ACTIVE: 0, ClientStatus.PAUSED: 1, ClientStatus.INVITED: 2}
    return sorted(
        rows,
        key=lambda r: (not r.attention, not r.concerns, order.get(r.status, 3), r.label.casefold()),
    )


def split_lines(head: str, lines: list[str], limit: int = MAX_MESSAGE) -> list[str]:
    """Join lines into messages of at most `limit` characters, `head` on the first.

    A line never breaks across two messages (one that alone is too long is cut).
    """
    messages: list[str] = []
    current = head
    for line in lines:
        line = line[:limit]
        if len(current) + 1 + len(line) > limit:
            messages.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    messages.append(current)
    return messages
