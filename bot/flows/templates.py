"""/templates: a therapist's saved routines, renamed or deleted here.

Templates are made from the builder's review screen ("Save as template") and used
from /newclient. Every press is checked against the pressing therapist's own
templates: another therapist's id reads exactly like one that does not exist.
"""

from __future__ import annotations

from telegram import Message

from bot.db import templates
from bot.db.dialogs import DialogState
from bot.db.models import RoutineTemplate
from bot.flows.builder import MAX_TEMPLATE_NAME
from bot.flows.guard import own_therapist_id, therapists_only
from bot.flows.router import Audience, Router
from bot.flows.turn import Turn, edit_quietly
from bot.views.callbacks import TEMPLATES, Callback
from bot.views.templates import DELETE, KEEP, RENAME, SURE, confirm_delete, template_list

FLOW = "templates"
router = Router(FLOW)


@router.command("templates", menu=Audience.THERAPISTS)
@therapists_only
async def list_templates(turn: Turn) -> None:
    saved = await _own(turn, await own_therapist_id(turn) or 0)
    await turn.say(*template_list(turn.svc.texts, turn.lang, saved))


@router.button(TEMPLATES)
@therapists_only
async def template_pressed(turn: Turn, callback: Callback) -> bool:
    action = callback.args[0] if callback.args else ""
    therapist_id, template_id = await own_therapist_id(turn) or 0, callback.int_arg(1) or 0
    async with turn.svc.db.transaction() as session:
        row = await templates.one(session, therapist_id, template_id)
        if row is not None and action == SURE:
            await templates.remove(session, therapist_id, template_id)
    if row is None:
        return False
    if action == RENAME:
        await turn.answer()
        await turn.save(DialogState(FLOW, "rename", {"id": template_id}))
        await turn.say(turn.t("templates.ask_name", name=row.name))
    elif action == DELETE:
        await turn.answer()
        question = turn.t("templates.delete_sure", name=row.name)
        await edit_quietly(
            turn.query, question, confirm_delete(turn.svc.texts, turn.lang, template_id)
        )
    elif action in (SURE, KEEP):
        await turn.answer(turn.t("templates.deleted") if action == SURE else None)
        therapist_templates = await _own(turn, therapist_id)
        await edit_quietly(
            turn.query, *template_list(turn.svc.texts, turn.lang, therapist_templates)
        )
    else:
        return False
    return True


async def _own(turn: Turn, therapist_id: int) -> list[RoutineTemplate]:
    async with turn.svc.db.transaction() as session:
        return await templates.of_therapist(session, therapist_id)


@router.step("rename")
async def name_typed(turn: Turn, state: DialogState, text: str) -> None:
    if not 0 < len(text) <= MAX_TEMPLATE_NAME:
        await turn.say(turn.t("builder.template_name_bad", max=MAX_TEMPLATE_NAME))
        return
    therapist_id = await own_therapist_id(turn) or 0
    async with turn.svc.db.transaction() as session:
        row = await templates.rename(session, therapist_id, state.data.get("id", 0), text)
    await turn.end_dialog()
    if row is None:
        await turn.say(turn.t("templates.gone"))
        return
    await turn.say(turn.t("templates.renamed", name=text))
    await turn.say(*template_list(turn.svc.texts, turn.lang, await _own(turn, therapist_id)))


@router.attachment("rename")
async def not_a_name(turn: Turn, state: DialogState, message: Message) -> None:
    await turn.say(turn.t("templates.name_as_text"))
