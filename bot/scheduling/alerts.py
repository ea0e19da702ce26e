"""The engine's errands for therapists: "a client became unreachable" and the weekly digest.

Both run inside the sender's pass, so only the sender-lease holder sends, and
both are claimed in the database before they are queued (see errands.py): each
unreachable transition is told once, each week's digest goes once. After
downtime the digest's claim moves it to the next week from now, so one late
digest goes out, never a pile of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db import digests, unreachable
from bot.db.database import Database
from bot.db.models import Therapist
from bot.domain.digest import PERIOD, DigestRow
from bot.scheduling.errands import Errand, ErrandSource, Outgoing
from bot.texts import Texts
from bot.views.digest import digest_messages


class Unreachable:
    """A client the bot can no longer reach (a 403 on a nudge): their therapist hears once.

    Not health news, so not protected. The engine runs a pass right after a 403,
    so the note follows within moments; nothing is added to a successful send.
    """

    def __init__(self, db: Database, texts: Texts) -> None:
        self._db = db
        self._texts = texts

    async def due(self, now: datetime) -> tuple[list[Errand], bool]:
        async with self._db.transaction() as session:
            notices = await unreachable.claim_notices(session, now)
        return [
            Errand(
                "unreachable_note",
                notice.client_id,
                Outgoing(
                    notice.therapist_chat,
                    self._texts.get(notice.language, "alerts.unreachable", label=notice.label),
                ),
            )
            for notice in notices
        ], False

    async def next_wake(self, session: AsyncSession) -> datetime | None:
        return None  # nothing falls due by time: a 403 pokes the engine


class Digests:
    """Each therapist's weekly digest, on their weekday and time in their zone."""

    def __init__(self, db: Database, texts: Texts, batch_size: int = 100) -> None:
        self._db = db
        self._texts = texts
        self._batch = batch_size

    async def due(self, now: datetime) -> tuple[list[Errand], bool]:
        errands: list[Errand] = []
        async with self._db.transaction() as session:
            therapists = await digests.due(session, now, self._batch)
        for therapist in therapists:
            async with self._db.transaction() as session:
                if not await digests.claim(session, therapist, now):
                    continue  # another pass or replica took this week's
                rows = await digests.rows(session, therapist.id or 0, now - PERIOD, now)
            errands.append(self._digest(therapist, self._messages(therapist, rows, now)))
        return errands, len(therapists) >= self._batch

    def _messages(self, therapist: Therapist, rows: list[DigestRow], now: datetime) -> list[str]:
        zone = ZoneInfo(therapist.timezone or "UTC")
        first, last = (now - PERIOD).astimezone(zone).date(), now.astimezone(zone).date()
        return digest_messages(self._texts, therapist.language, rows, first, last)

    def _digest(self, therapist: Therapist, parts: list[str]) -> Errand:
        """One errand; a digest too long for one message goes in parts, in order."""
        errand: Errand | None = None
        for text in reversed(parts):  # it mentions pain reports: protected like health alerts
            outgoing = Outgoing(therapist.telegram_user_id, text, protect=True)
            errand = Errand("digest", therapist.id or 0, outgoing, then=errand)
        assert errand is not None
        return errand

    async def next_wake(self, session: AsyncSession) -> datetime | None:
        return await digests.next_wake(session)


class AllErrands:
    """Several errand sources as one, for the engine."""

    def __init__(self, sources: Sequence[ErrandSource]) -> None:
        self._sources = list(sources)

    async def due(self, now: datetime) -> tuple[list[Errand], bool]:
        errands: list[Errand] = []
        more = False
        for source in self._sources:
            found, again = await source.due(now)
            errands += found
            more = more or again
        return errands, more

    async def next_wake(self, session: AsyncSession) -> datetime | None:
        wakes = [await source.next_wake(session) for source in self._sources]
        return min((wake for wake in wakes if wake is not None), default=None)
