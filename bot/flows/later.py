"""After "Later": in an hour, this evening, a time the client types, or no reminder.

Whatever is chosen, there is exactly one re-nudge: the nudge row takes one
`renudge_at`, set only while it is empty and the nudge unanswered.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.db import answers
from bot.db import nudges as store
from bot.db.dialogs import DialogState
from bot.db.models import Client
from bot.db.nudges import ReplyOutcome
from bot.domain.timeparse import parse_time_of_day
from bot.flows.nudge_replies import (
    REFUSED,
    answer_typed,
    evening_of,
    step_gives_way,
    step_state,
    zone_of,
)
from bot.flows.router import Router
from bot.flows.turn import Turn
from bot.views.callbacks import LATER, LATER_EVENING, LATER_HOUR, LATER_NONE, LATER_PICK, Callback

FLOW = "later"
RENUDGE_AFTER = timedelta(hours=1)
router = Router(FLOW)


async def _open_nudge(turn: Turn, nudge_id: int) -> Client | None:
    """The client whose unanswered nudge this is, if it is this person's and has no
    re-nudge yet."""
    async with turn.svc.db.transaction() as session:
        nudge = await answers.owned_nudge(session, nudge_id, turn.user.id)
        if nudge is None or nudge.outcome is not None or nudge.renudge_at is not None:
            return None
        return await session.get(Client, nudge.client_id)


@router.button(LATER)
async def later_pressed(turn: Turn, callback: Callback) -> None:
    nudge_id = callback.int_arg(0)
    choice = callback.args[1] if len(callback.args) > 1 else ""
    if nudge_id is None or choice not in (LATER_HOUR, LATER_EVENING, LATER_PICK, LATER_NONE):
        await turn.answer(turn.t(REFUSED))
        return
    client = await _open_nudge(turn, nudge_id)
    if client is None:
        await turn.answer(turn.t(REFUSED))
        return
    if choice == LATER_NONE:
        await turn.answer(close=True)
        await turn.say(turn.t("reply.later_none"))
        return
    if choice == LATER_PICK:
        await turn.answer(close=True)
        await turn.save(step_state(FLOW, "time", nudge_id, turn.now))
        await turn.say(turn.t("answers.ask_later_time"))
        return
    at = (
        turn.now + RENUDGE_AFTER
        if choice == LATER_HOUR
        else evening_of(turn, turn.lang, client.timezone)
    )
    if at is None:  # the evening went by while the buttons waited
        await turn.answer(turn.t(REFUSED), close=True)
        return
    await turn.answer(close=True)
    await _renudge_at(turn, nudge_id, at, client.timezone)


@router.step("time")
async def later_time_typed(turn: Turn, state: DialogState, text: str) -> None:
    """ "Pick a time", typed like any time ("18:30", "after work"); today, still ahead."""
    nudge_id = int(state.data["nudge"])
    client = await _open_nudge(turn, nudge_id)
    if client is None:  # answered meanwhile: the question is over
        await turn.end_dialog()
        await answer_typed(turn, text)
        return
    if await step_gives_way(turn, state, text):
        return
    texts, lang = turn.svc.texts, turn.lang
    words = texts.time_words(lang)
    value = parse_time_of_day(text, words) or parse_time_of_day(
        texts.strip_time_suffix(lang, text), words
    )
    if value is None:
        await turn.say(turn.t("answers.later_time_unknown", text=text[:40]))
        return
    zone = zone_of(client.timezone)
    local_now = turn.now.astimezone(zone)
    at = datetime.combine(local_now.date(), value, tzinfo=zone)
    if at <= local_now:
        await turn.say(turn.t("answers.later_time_past", time=texts.format_time(lang, value)))
        return
    await turn.end_dialog()
    await _renudge_at(turn, nudge_id, at.astimezone(UTC), client.timezone)


async def _renudge_at(turn: Turn, nudge_id: int, at: datetime, timezone: str | None) -> None:
    async with turn.svc.db.transaction() as session:
        outcome = await store.schedule_renudge(session, nudge_id, turn.user.id, at)
    if outcome is not ReplyOutcome.RECORDED:
        await turn.say(turn.t("answers.later_taken"))
        return
    local = at.astimezone(zone_of(timezone)).time()
    await turn.say(turn.t("reply.later_set", time=turn.svc.texts.format_time(turn.lang, local)))
    if turn.svc.poke_scheduler is not None:
        turn.svc.poke_scheduler()
