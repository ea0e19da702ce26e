"""What a client chose about being followed up: on or off, and their quiet hours.

/settings (another flow) stores these; until it is wired in, everyone has the
defaults. Everything that needs them reads them through `client_preferences`, so
wiring the stored values in is a change to this one function.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from sqlmodel.ext.asyncio.session import AsyncSession

DEFAULT_QUIET_START = time(21, 30)
DEFAULT_QUIET_END = time(8, 0)


@dataclass(frozen=True)
class Preferences:
    followups: bool = True  # one gentle follow-up when a nudge goes unanswered
    quiet_start: time = DEFAULT_QUIET_START  # local; nothing optional is sent from here...
    quiet_end: time = DEFAULT_QUIET_END  # ...until here (the span may wrap past midnight)


DEFAULTS = Preferences()


async def client_preferences(session: AsyncSession, client_id: int) -> Preferences:
    """The client's follow-up preferences (the defaults until /settings stores them)."""
    del session, client_id
    return DEFAULTS
