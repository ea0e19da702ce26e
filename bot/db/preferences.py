"""What a client chose about being followed up: on or off, and their quiet hours.

/settings stores them per person (bot/db/person_settings.py); the follow-up code
reads them through `client_preferences`, as wall-clock times it can compare.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db import person_settings
from bot.db.models import Client
from bot.domain.quiet_hours import DEFAULT_QUIET_HOURS

DEFAULT_QUIET_START, DEFAULT_QUIET_END = (time.fromisoformat(v) for v in DEFAULT_QUIET_HOURS)


@dataclass(frozen=True)
class Preferences:
    followups: bool = True  # one gentle follow-up when a nudge goes unanswered
    quiet_start: time = DEFAULT_QUIET_START  # local; nothing optional is sent from here...
    quiet_end: time = DEFAULT_QUIET_END  # ...until here (the span may wrap past midnight)


DEFAULTS = Preferences()


async def client_preferences(session: AsyncSession, client_id: int) -> Preferences:
    """The client's follow-up preferences; no quiet hours is an empty window (start = end)."""
    client = await session.get(Client, client_id)
    if client is None or client.telegram_user_id is None:
        return DEFAULTS
    chosen = await person_settings.preferences(session, client.telegram_user_id)
    quiet = chosen.quiet
    start, end = (time.fromisoformat(v) for v in quiet) if quiet else (time(0), time(0))
    return Preferences(chosen.followups, start, end)
