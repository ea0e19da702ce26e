"""The engine's errands about silence: close the day, follow up once, notice a quiet spell.

Runs inside the engine's pass, so only the sender-lease holder does any of it.
Everything is claimed in the database before it is queued (see errands.py): a
follow-up goes at most once per occurrence, the question after a quiet spell and
the note to the therapist at most once per spell.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db import followups as store
from bot.db.database import Database
from bot.db.followups import FollowupCandidate, SpellNotice
from bot.db.preferences import client_preferences
from bot.domain.quiet import QUIET_AFTER, FollowupContext, FollowupDecision, followup_decision
from bot.scheduling.errands import Errand, Outgoing
from bot.texts import Texts
from bot.views.followups import followup_text, quiet_question

log = logging.getLogger(__name__)


class Followups:
    def __init__(self, db: Database, texts: Texts, after: timedelta, batch_size: int = 500):
        self._db = db
        self._texts = texts
        self._after = after
        self._batch = batch_size

    async def due(self, now: datetime) -> tuple[list[Errand], bool]:
        async with self._db.transaction() as session:
            closed = await store.close_days(session, now)
            if closed:
                await store.start_quiet_spells(session, closed, now)
        async with self._db.transaction() as session:
            errands = [self._notice(n) for n in await store.claim_spell_notices(session, now)]
            candidates = await store.followup_candidates(session, now, self._after, self._batch)
            for candidate in candidates:
                decision = await self._decide(session, candidate, now)
                if decision is FollowupDecision.WAIT:
                    continue
                if not await store.claim_followup(session, candidate.nudge_id, now):
                    continue  # answered meanwhile, or someone else decided
                if decision is FollowupDecision.SEND:
                    errands.append(self._followup(candidate))
                else:
                    log.debug("follow-up of nudge %d skipped: %s", candidate.nudge_id, decision)
        return errands, len(candidates) >= self._batch

    async def next_wake(self, session: AsyncSession) -> datetime | None:
        return await store.next_wake(session, self._after)

    async def _decide(
        self, session: AsyncSession, candidate: FollowupCandidate, now: datetime
    ) -> FollowupDecision:
        prefs = await client_preferences(session, candidate.client_id)
        return followup_decision(
            FollowupContext(
                now=now,
                due_at=candidate.sent_at + self._after,
                day_ends_at=candidate.closes_at,
                local_now=now.astimezone(ZoneInfo(candidate.timezone)).time(),
                enabled=prefs.followups,
                quiet_start=prefs.quiet_start,
                quiet_end=prefs.quiet_end,
                quiet_spell=candidate.quiet_spell,
                superseded=candidate.superseded,
                away=candidate.away,
            )
        )

    def _followup(self, candidate: FollowupCandidate) -> Errand:
        """A short, silent reply to the nudge itself, whose buttons still take the answer."""
        assert candidate.chat_id is not None  # else the decision says "away"
        text = followup_text(self._texts, candidate.language, candidate.first_name)
        outgoing = Outgoing(candidate.chat_id, text, reply_to=candidate.message_id, silent=True)
        return Errand(
            "followup",
            candidate.nudge_id,
            outgoing,
            sent=partial(self._followup_sent, candidate.nudge_id),
            nudge_id=candidate.nudge_id,
        )

    async def _followup_sent(self, nudge_id: int, message_id: int) -> None:
        async with self._db.transaction() as session:
            await store.followup_sent(session, nudge_id, message_id)

    def _notice(self, notice: SpellNotice) -> Errand:
        texts, lang = self._texts, notice.language
        if notice.to_therapist:
            text = texts.get(lang, "followups.therapist_quiet", label=notice.label, n=QUIET_AFTER)
            return Errand(
                "quiet_note", notice.spell_id, Outgoing(notice.chat_id, text, protect=True)
            )
        text, markup = quiet_question(texts, lang, notice.spell_id, notice.first_name)
        return Errand("quiet_ask", notice.spell_id, Outgoing(notice.chat_id, text, markup))
