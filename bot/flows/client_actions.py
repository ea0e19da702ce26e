"""From a client's detail: pause or resume their nudges, or remove them for good.

A pause from the therapist's side is open-ended: no nudges until it is resumed.
Removal asks first, then deletes the client as thoroughly as their own erasure
(bot/db/erasure.py). The client, when they had joined, hears a short, kind note
either way. Ids are checked against the presser's own clients, as everywhere in
the workspace.
"""

from __future__ import annotations

import contextlib

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram.error import TelegramError

from bot.db import invites, pauses
from bot.db.erasure import remove_client
from bot.db.models import Therapist
from bot.flows.clients import show_detail
from bot.flows.guard import own_and_pressed, therapists_only
from bot.flows.router import Router
from bot.flows.turn import Turn, edit_quietly
from bot.views.callbacks import CLIENT_PAUSE, CLIENT_REMOVE, Callback
from bot.views.client_detail import back_keyboard, confirm_remove_keyboard
from bot.views.clients import short

router = Router()
_PAUSE, _RESUME = "p", "r"
_YES, _NO = "y", "n"


async def _tell_client(
    turn: Turn, chat_id: int | None, language: str, key: str, **values: str
) -> None:
    """A note to the client; one who blocked the bot needn't trouble the therapist."""
    if chat_id is None:
        return
    with contextlib.suppress(TelegramError):
        await turn.tell(chat_id, turn.svc.texts.get(language, key, **values))


@router.button(CLIENT_PAUSE)
@therapists_only
async def pause_pressed(turn: Turn, callback: Callback) -> bool:
    """Tp:<client>:p pauses, Tp:<client>:r resumes; the detail is redrawn in place."""
    if (ids := await own_and_pressed(turn, callback, most_args=2)) is None:
        return False
    therapist_id, client_id = ids
    action = callback.args[1] if len(callback.args) == 2 else ""
    if action not in (_PAUSE, _RESUME):
        return False
    async with turn.svc.db.transaction() as session:
        client = await invites.own_client(session, therapist_id, client_id)
        if client is None:
            return False
        change = pauses.pause_client if action == _PAUSE else pauses.resume_client
        changed = await change(session, client, turn.now)
        therapist_name = await _therapist_name(session, therapist_id)
    if changed:
        _poke(turn)
        key = "clients.client_paused" if action == _PAUSE else "clients.client_resumed"
        await _tell_client(turn, client.chat_id, client.language, key, therapist=therapist_name)
        note = turn.t(f"clients.{'paused' if action == _PAUSE else 'resumed'}_toast")
    else:
        note = turn.t("clients.nothing_to_change")
    return await show_detail(turn, client_id, note=note)


async def _therapist_name(session: AsyncSession, therapist_id: int) -> str:
    therapist = await session.get(Therapist, therapist_id)
    return therapist.display_name if therapist is not None else ""


@router.button(CLIENT_REMOVE)
@therapists_only
async def remove_pressed(turn: Turn, callback: Callback) -> bool:
    """Tk:<client> asks; Tk:<client>:y removes, Tk:<client>:n goes back to the detail."""
    if (ids := await own_and_pressed(turn, callback, most_args=2)) is None:
        return False
    therapist_id, client_id = ids
    answer = callback.args[1] if len(callback.args) == 2 else None
    if answer not in (None, _YES, _NO):
        return False
    if answer == _NO:
        return await show_detail(turn, client_id)
    if answer is None:
        async with turn.svc.db.transaction() as session:
            client = await invites.own_client(session, therapist_id, client_id)
        if client is None:
            return False
        await turn.answer()
        question = turn.t("clients.confirm_remove", label=short(client.label))
        texts = turn.svc.texts
        await edit_quietly(
            turn.query, question, confirm_remove_keyboard(texts, turn.lang, client_id)
        )
        return True
    async with turn.svc.db.transaction() as session:
        removed = await remove_client(session, therapist_id, client_id)
    if removed is None:
        return False
    await turn.answer()
    done = turn.t("clients.removed", label=short(removed.label))
    await edit_quietly(turn.query, done, back_keyboard(turn.svc.texts, turn.lang))
    await _tell_client(
        turn,
        removed.chat_id,
        removed.language,
        "clients.client_removed",
        therapist=removed.therapist,
    )
    return True


def _poke(turn: Turn) -> None:
    if turn.svc.poke_scheduler is not None:
        turn.svc.poke_scheduler()
