"""/newclient: a therapist describes a routine and gets an invite link.

With templates saved, the first question is whether to start from one of them
(then only the label is asked, and the review screen follows). The building
itself is bot/flows/builder.py.
"""

from __future__ import annotations

from bot.db import templates
from bot.flows import builder
from bot.flows.guard import own_therapist_id, therapists_only
from bot.flows.router import Audience, Router
from bot.flows.turn import Turn
from bot.views.callbacks import NEWCLIENT, Callback
from bot.views.newclient import SCRATCH, TEMPLATE, start_keyboard

router = Router()


@router.command("newclient", menu=Audience.THERAPISTS)
@therapists_only
async def newclient(turn: Turn) -> None:
    therapist_id = await own_therapist_id(turn)
    saved = []
    if therapist_id is not None:
        async with turn.svc.db.transaction() as session:
            saved = await templates.of_therapist(session, therapist_id)
    await turn.end_dialog()
    if saved:
        await turn.say(
            turn.t("builder.start_how"), start_keyboard(turn.svc.texts, turn.lang, saved)
        )
        return
    await _ask_label(turn, {})


async def _ask_label(turn: Turn, data: dict[str, object]) -> None:
    await turn.save(builder.new_state(True, {"mode": "new", **data}))
    await turn.say(turn.t("newclient.ask_label"))


@router.button(NEWCLIENT)
@therapists_only
async def start_chosen(turn: Turn, callback: Callback) -> bool:
    """From scratch, or from one of this therapist's own templates (checked here)."""
    action = callback.args[0] if callback.args else ""
    if action == SCRATCH:
        await turn.answer(close=True)
        await _ask_label(turn, {})
        return True
    template_id = callback.int_arg(1)
    if action != TEMPLATE or template_id is None:
        return False
    therapist_id = await own_therapist_id(turn) or 0
    async with turn.svc.db.transaction() as session:
        row = await templates.one(session, therapist_id, template_id)
    if row is None:
        return False
    snapshot = templates.snapshot_of(row)
    await turn.answer(close=True)
    await _ask_label(
        turn,
        {
            "exercises": snapshot.get("exercises", []),
            "frequency": snapshot.get("frequency"),
            "times": snapshot.get("times_per_week"),
        },
    )
    return True
