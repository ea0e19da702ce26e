"""/stop: no more nudges, after a yes. What was recorded stays until the client
erases it, the therapist is told, and a later /start says how to come back."""

from __future__ import annotations

from bot.db import dialogs, pauses
from bot.domain.types import ClientStatus
from bot.flows import confirming
from bot.flows.router import Audience, Router
from bot.flows.turn import Turn
from bot.views.callbacks import STOP

FLOW = "stop"
router = Router(FLOW)


@router.command("stop", menu=Audience.CLIENTS)
async def ask_stop(turn: Turn) -> None:
    async with turn.svc.db.transaction() as session:
        where = await pauses.standing(session, turn.user.id)
    if where.status not in pauses.RUNNING:
        await turn.say(await comeback_note(turn) or turn.t("stop.nothing"))
        return
    await confirming.ask(turn, FLOW, STOP, where.therapist)


@confirming.on_yes(router, STOP)
async def stop_confirmed(turn: Turn) -> None:
    async with turn.svc.db.transaction() as session:
        notices = await pauses.stop(session, turn.user.id, turn.now)
        where = await pauses.standing(session, turn.user.id)
        await dialogs.clear(session, turn.user.id)
    await confirming.done(turn, FLOW, where.therapist, notices)


async def comeback_note(turn: Turn) -> str | None:
    """For someone whose nudges are stopped, and nothing else: how to come back."""
    async with turn.svc.db.transaction() as session:
        where = await pauses.standing(session, turn.user.id)
    if where.status is not ClientStatus.STOPPED:
        return None
    return turn.t("stop.comeback", therapist=where.therapist)
