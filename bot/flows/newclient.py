"""/newclient: a therapist describes a routine and gets an invite link.

With templates saved, the first question is whether to start from one of them
(then only the label is asked, and the review screen follows). A therapist who
types the client's name instead of choosing has it kept, and is asked the same
question for that client. The building itself is bot/flows/builder.py.
"""

from __future__ import annotations

from bot.db import templates
from bot.db.dialogs import DialogState
from bot.db.models import RoutineTemplate
from bot.flows import builder
from bot.flows.guard import own_therapist_id, therapists_only
from bot.flows.router import Audience, Router, dialog_at
from bot.flows.turn import Turn
from bot.views.callbacks import NEWCLIENT, Callback
from bot.views.newclient import SCRATCH, TEMPLATE, start_keyboard

FLOW = "newclient"
router = Router(FLOW)


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
        await _ask_how(turn, saved)
        return
    await _ask_label(turn, {})


async def _ask_how(turn: Turn, saved: list[RoutineTemplate], label: str | None = None) -> None:
    """From scratch or from a template; for the client named, once a name was typed."""
    await turn.save(DialogState(FLOW, "how", {} if label is None else {"label": label}))
    question = (
        turn.t("builder.start_how")
        if label is None
        else turn.t("builder.start_how_for", label=label)
    )
    await turn.say(question, start_keyboard(turn.svc.texts, turn.lang, saved))


@router.step("how")
async def label_before_choosing(turn: Turn, state: DialogState, text: str) -> None:
    """The client's name typed before tapping how to start: kept, and the question asked
    again for them."""
    if await builder.label_refused(turn, text):
        return
    therapist_id = await own_therapist_id(turn)
    if therapist_id is None:  # no longer a therapist since /newclient
        await turn.end_dialog()
        await turn.say(turn.t("therapists.only"))
        return
    async with turn.svc.db.transaction() as session:
        saved = await templates.of_therapist(session, therapist_id)
    await _ask_how(turn, saved, text)


async def _ask_label(turn: Turn, data: dict[str, object], label: str | None = None) -> None:
    state = builder.new_state(True, {"mode": "new", **data})
    if label is not None:  # typed already, at the first question
        await builder.label_typed(turn, state, label)
        return
    await turn.save(state)
    await turn.say(turn.t("newclient.ask_label"))


@router.button(NEWCLIENT)
@therapists_only
async def start_chosen(turn: Turn, callback: Callback) -> bool:
    """From scratch, or from one of this therapist's own templates (checked here)."""
    action = callback.args[0] if callback.args else ""
    asked = await dialog_at(turn, FLOW, "how")
    label = asked.data.get("label") if asked is not None else None
    label = label if isinstance(label, str) else None
    if action == SCRATCH:
        await turn.answer(close=True)
        await _ask_label(turn, {}, label)
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
        label,
    )
    return True
