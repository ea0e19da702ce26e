"""Timing that learns, never imposes: an offer made once, and a change only on "yes"."""

from __future__ import annotations

from datetime import time

from bot.db import patterns as store
from bot.db.patterns import OfferAnswer
from bot.domain.patterns import spot_pattern
from bot.domain.types import ReplyKind
from bot.flows.router import Router
from bot.flows.turn import Turn, edit_quietly
from bot.views.callbacks import PATTERN, Callback
from bot.views.patterns import done_text, offer_keyboard, offer_text

# The answers that can complete a pattern: "Done" or "Some of it" after "Later",
# and "Not today".
_AFTER_LATER = frozenset({ReplyKind.DONE, ReplyKind.SOME})
router = Router()


async def offer_if_any(turn: Turn, slot_id: int, kind: ReplyKind, later_before: bool) -> None:
    """After an answer that may complete a pattern, offer the change it suggests, once."""
    if not (kind is ReplyKind.NOT_TODAY or (kind in _AFTER_LATER and later_before)):
        return
    async with turn.svc.db.transaction() as session:
        seen = await store.slot_history(session, slot_id)
        if seen is None:
            return
        suggestion = spot_pattern(
            seen.answers,
            slot_time=time.fromisoformat(seen.slot.local_time),
            weekdays=seen.slot.weekdays,
            other_times=seen.other_times,
        )
        offer = (
            await store.remember_offer(session, seen.slot, suggestion, turn.now)
            if suggestion is not None
            else None
        )
    if offer is None or offer.id is None or suggestion is None:
        return
    texts = turn.svc.texts
    await turn.say(
        offer_text(texts, turn.lang, suggestion), offer_keyboard(texts, turn.lang, offer.id)
    )


@router.button(PATTERN)
async def offer_answered(turn: Turn, callback: Callback) -> bool | None:
    offer_id = callback.int_arg(0)
    choice = callback.args[1] if len(callback.args) > 1 else ""
    if offer_id is None or choice not in ("y", "n"):
        return False
    async with turn.svc.db.transaction() as session:
        answer, suggestion = await store.answer_offer(
            session, offer_id, turn.user.id, choice == "y", turn.now
        )
    if answer is OfferAnswer.GONE or suggestion is None:
        return False
    await turn.answer()
    asked = getattr(turn.query.message, "text", None) or ""
    button = turn.t(
        "buttons.pattern_yes" if answer is OfferAnswer.ACCEPTED else "buttons.pattern_no"
    )
    await edit_quietly(turn.query, f"{asked}\n\n{button}" if asked else None)
    if answer is OfferAnswer.ACCEPTED:
        await turn.say(done_text(turn.svc.texts, turn.lang, suggestion))
        if turn.svc.poke_scheduler is not None:
            turn.svc.poke_scheduler()  # the next due instant may have moved earlier
    else:
        await turn.say(turn.t("patterns.kept"))
    return None
