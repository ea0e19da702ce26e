""" "Edit routine" (Te:<client>) on a client's detail: the builder on that client's routine.

The review screen comes first; saving is bot/flows/routine_save.py. Checked against
the pressing therapist's own clients: someone else's id, or one that does not
exist, gets the same "nothing changed".
"""

from __future__ import annotations

from bot.db import routine_edits
from bot.flows import builder
from bot.flows.guard import own_therapist_id, therapists_only
from bot.flows.router import Router
from bot.flows.routine_save import draft_of
from bot.flows.turn import Turn
from bot.views.callbacks import EDIT_ROUTINE, Callback

router = Router()


@router.button(EDIT_ROUTINE)
@therapists_only
async def edit_pressed(turn: Turn, callback: Callback) -> bool:
    therapist_id, client_id = await own_therapist_id(turn) or 0, callback.int_arg(0) or 0
    if len(callback.args) != 1:
        return False
    async with turn.svc.db.transaction() as session:
        own = await routine_edits.own_routine(session, therapist_id, client_id)
    if own is None:
        return False
    await turn.answer()
    state = builder.new_state(
        False,
        {
            "mode": "edit",
            "client_id": client_id,
            "label": own.client.label,
            "exercises": [draft_of(exercise) for exercise in own.exercises],
            "frequency": own.routine.frequency,
            "times": own.routine.times_per_week,
        },
    )
    await builder.show_review(turn, state)
    return True
