"""/deletemydata: after a yes, everything about the person is deleted for real, in
one transaction (bot/db/erasure.py). Their therapist is told they left; a later
/start meets a stranger."""

from __future__ import annotations

from bot.db import erasure, pauses
from bot.flows import confirming
from bot.flows.router import Audience, Router
from bot.flows.turn import Turn
from bot.views.callbacks import ERASE

FLOW = "erase"
router = Router(FLOW)


@router.command("deletemydata", menu=Audience.CLIENTS)
async def ask_erase(turn: Turn) -> None:
    async with turn.svc.db.transaction() as session:
        where = await pauses.standing(session, turn.user.id)
        if where.status is None:
            # Not a client: at most a half-opened invite in the dialog, gone now too.
            await erasure.erase_person(session, turn.user.id)
    if where.status is None:
        await turn.say(turn.t("erase.nothing"))
        return
    await confirming.ask(turn, FLOW, ERASE, where.therapist)


@confirming.on_yes(router, ERASE)
async def erase_confirmed(turn: Turn) -> None:
    async with turn.svc.db.transaction() as session:
        erased = await erasure.erase_person(session, turn.user.id)
    await confirming.done(turn, FLOW, erased.therapist, erased.notices)
