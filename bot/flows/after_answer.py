"""After the answer: how it felt, which exercises "some of it" covered, what got in the way.

All optional, one tap each; "painful", "too hard" and "sore" reach the therapist at once.
"""

from __future__ import annotations

from bot.db import answers
from bot.db import nudges as store
from bot.db.dialogs import DialogState
from bot.db.nudges import ReplyOutcome
from bot.domain.replies import find_concern
from bot.domain.types import Barrier, Concern, Feeling
from bot.flows.concerns import MAX_WORDS, raise_concern
from bot.flows.nudge_replies import REFUSED, step_gives_way, step_state
from bot.flows.router import Router
from bot.flows.turn import Turn, edit_quietly
from bot.views.answers import ticks_keyboard
from bot.views.callbacks import BARRIER, BARRIER_CODES, FEEL, FEELING_CODES, TICK, Callback

FLOW = "after_answer"
router = Router(FLOW)


@router.button(FEEL)
async def feeling_pressed(turn: Turn, callback: Callback) -> None:
    if (parsed := callback.id_and_code(FEELING_CODES)) is None:
        await turn.answer(turn.t(REFUSED))
        return
    nudge_id, feeling = parsed
    async with turn.svc.db.transaction() as session:
        result = await store.record_feeling(session, nudge_id, turn.user.id, feeling)
    if result.outcome in (ReplyOutcome.NOT_YOURS, ReplyOutcome.UNKNOWN):
        await turn.answer(turn.t(REFUSED))
        return
    if result.outcome is not ReplyOutcome.RECORDED:
        await turn.answer(turn.t(REFUSED), close=True)
        return
    await turn.answer()
    asked = getattr(turn.query.message, "text", None) or turn.t("reply.ask_feeling")
    await edit_quietly(turn.query, f"{asked} {turn.t(f'buttons.feel_{feeling.value}')}")
    client = result.client
    assert client is not None and client.id is not None
    if feeling in (Feeling.PAINFUL, Feeling.HARD):
        await raise_concern(turn, client.id, nudge_id, Concern(feeling.value), "button")
        return
    await turn.say(turn.t("reply.feeling_thanks"))


@router.button(TICK)
async def exercise_ticked(turn: Turn, callback: Callback) -> None:
    """Tick or untick one exercise after "some of it"; the keyboard is edited in place."""
    nudge_id, position = callback.int_arg(0), callback.int_arg(1)
    ticks = None
    if nudge_id is not None and position is not None:
        async with turn.svc.db.transaction() as session:
            ticks = await answers.toggle_exercise(session, nudge_id, turn.user.id, position)
    if ticks is None or nudge_id is None:
        await turn.answer(turn.t(REFUSED))
        return
    await turn.answer()
    markup = ticks_keyboard(turn.svc.texts, turn.lang, nudge_id, ticks.names, ticks.done)
    await edit_quietly(turn.query, None, markup)


@router.button(BARRIER)
async def barrier_pressed(turn: Turn, callback: Callback) -> None:
    """What got in the way of "not today": kept once; "sore" is treated like pain."""
    if (parsed := callback.id_and_code(BARRIER_CODES)) is None:
        await turn.answer(turn.t(REFUSED))
        return
    nudge_id, barrier = parsed
    async with turn.svc.db.transaction() as session:
        nudge = await answers.record_barrier(session, nudge_id, turn.user.id, barrier)
        owned = nudge or await answers.owned_nudge(session, nudge_id, turn.user.id)
    if nudge is None:
        # Already answered (their own message: its buttons go) or not theirs at all.
        await turn.answer(turn.t(REFUSED), close=owned is not None)
        return
    await turn.answer()
    asked = getattr(turn.query.message, "text", None) or ""
    await edit_quietly(turn.query, f"{asked}\n{turn.t(f'buttons.barrier_{barrier.value}')}")
    if barrier is Barrier.SORE:
        await raise_concern(turn, nudge.client_id, nudge_id, Concern.SORE, "barrier")
    elif barrier is Barrier.OTHER:
        await turn.save(step_state(FLOW, "barrier_note", nudge_id, turn.now))
        await turn.say(turn.t("answers.ask_barrier_note"))
    else:
        await turn.say(turn.t("answers.barrier_thanks"))


@router.step("barrier_note")
async def barrier_note_typed(turn: Turn, state: DialogState, text: str) -> None:
    """ "Something else", in the client's own words (sealed at rest); pain in them is heard."""
    if await step_gives_way(turn, state, text, hears_pain=True):
        return
    concern = find_concern(text, turn.svc.texts.pain_words(turn.lang))
    words = text[:MAX_WORDS]
    async with turn.svc.db.transaction() as session:
        nudge = await answers.record_barrier_note(
            session, int(state.data["nudge"]), turn.user.id, words
        )
    await turn.end_dialog()
    if nudge is not None and concern is not None:
        await raise_concern(turn, nudge.client_id, nudge.id, Concern(concern), "barrier", words)
        return
    await turn.say(turn.t("answers.barrier_note_thanks"))
