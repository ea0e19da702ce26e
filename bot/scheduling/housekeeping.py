"""Forgetting conversations left half-way.

Why: a dialog keeps what a person typed at its steps (a client's name while a
routine is built, words a client may pass on to their therapist), sealed, until
the next step. One that nobody continues would keep it for ever, and personal data
is kept only as long as it is needed: after DIALOG_IDLE without a step, the dialog
goes, and a button from it then reads as expired.

It runs as an errand source that sends nothing: on the sender-lease holder's
passes and the engine's clock, so a test moves time rather than waits. It asks for
no wake of its own: the safety tick's passes are often enough for a rule counted in
days, and a wake kept by a replica that has since lost the lease would fall due
again and again.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db import dialogs
from bot.db.database import Database
from bot.scheduling.errands import Errand

log = logging.getLogger(__name__)

DIALOG_IDLE = timedelta(days=7)


class IdleDialogs:
    """Deletes idle dialogs when the oldest one comes of age, not on every pass."""

    def __init__(self, db: Database, idle: timedelta = DIALOG_IDLE) -> None:
        self._db = db
        self._idle = idle
        self._check_at: datetime | None = None  # None: look on the first pass

    async def due(self, now: datetime) -> tuple[list[Errand], bool]:
        if self._check_at is not None and now < self._check_at:
            return [], False
        async with self._db.transaction() as session:
            forgotten = await dialogs.forget_idle(session, now - self._idle)
            oldest = await dialogs.oldest_step(session)
        if forgotten:
            log.info("forgot %d dialogs left without a step for %s", forgotten, self._idle)
        # Dialogs started from now on come of age later than this.
        self._check_at = (oldest if oldest is not None else now) + self._idle
        return [], False

    async def next_wake(self, session: AsyncSession) -> datetime | None:
        return None
