"""Around an answer after silence: a welcome back with it, a pattern offer after; and the
client's choice after a quiet spell (take a break, another time, or carry on).

The follow-up itself and the quiet-spell question are sent by the nudge engine
(bot/scheduling/followups.py); what a person does about them lives here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace

from bot.db import followups as store
from bot.db.nudges import AnsweredNudge
from bot.domain.quiet import is_welcome_back
from bot.domain.types import ReplyKind
from bot.flows import patterns, pause
from bot.flows.router import Router
from bot.flows.turn import Turn
from bot.views.callbacks import QUIET, Callback
from bot.views.followups import QUIET_CHOICES

router = Router()


@asynccontextmanager
async def around_answer(
    turn: Turn, nudge: AnsweredNudge, kind: ReplyKind
) -> AsyncIterator[AnsweredNudge]:
    """Wrap the kind words after a newly recorded answer.

    Yields the nudge, marked for a welcome back when this is the first answer after a
    pause or a quiet spell (one greeting, before the kind words, never a word about
    the gap); a quiet spell ends here, so follow-ups resume. After the words, an
    answer that completes a pattern in the timing gets its offer, once.
    """
    async with turn.svc.db.reading() as session:  # every answer passes here: no queueing
        context = await store.answer_context(session, nudge.nudge_id)
    if context is not None and context.quiet_spell:
        async with turn.svc.db.transaction() as session:
            await store.end_quiet_spell(session, context.client_id, turn.now)
    welcome = is_welcome_back(
        context.earlier if context is not None else [],
        answered_before=kind is not ReplyKind.LATER
        and context is not None
        and context.later_before,
        after_pause=nudge.welcome_back,
    )
    yield replace(nudge, welcome_back=welcome)
    if context is not None:
        await patterns.offer_if_any(turn, context.slot_id, kind, context.later_before)


@router.button(QUIET)
async def quiet_answered(turn: Turn, callback: Callback) -> bool | None:
    """Take a break opens /pause's question; another time points to /time; carry on
    changes nothing."""
    spell_id = callback.int_arg(0)
    choice = QUIET_CHOICES.get(callback.args[1]) if len(callback.args) > 1 else None
    if spell_id is None or choice is None:
        return False
    async with turn.svc.db.transaction() as session:
        if not await store.spell_owner_matches(session, spell_id, turn.user.id):
            return False
    await turn.answer(close=True)
    if choice == "pause":
        await pause.ask_pause(turn)
    else:
        await turn.say(turn.t(f"followups.quiet_{choice}"))
    return None
