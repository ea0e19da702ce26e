"""A therapist writes to a client: "Reply" under a client's message, or "Message
client" from the client's detail. One short dialog: the therapist types, the
client receives it in their language, and both sides are kept (sealed) with their
direction, whether or not the client can be reached.

Scoped to the therapist's own clients at the press and again when the text
arrives (the client may have been removed, or erased their data, meanwhile).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db import messages as store
from bot.db.dialogs import DialogState
from bot.db.messages import Pair
from bot.flows.guard import own_and_pressed, own_therapist_id, therapists_only
from bot.flows.messages import MAX_MESSAGE, send_to_client
from bot.flows.router import Router
from bot.flows.turn import Turn
from bot.views.callbacks import MESSAGE_CLIENT, REPLY_CLIENT, Callback

FLOW = "client_message"
router = Router(FLOW)


@router.button(MESSAGE_CLIENT)
@therapists_only
async def message_pressed(turn: Turn, callback: Callback) -> bool:
    """Tm:<client>: write to a client without a message of theirs to answer."""
    return await _start(turn, callback, store.pair_of_therapist, replying=False)


@router.button(REPLY_CLIENT)
@therapists_only
async def reply_pressed(turn: Turn, callback: Callback) -> bool:
    """Tw:<message>: answer a client's message."""
    return await _start(turn, callback, store.message_from_client, replying=True)


async def _start(
    turn: Turn,
    callback: Callback,
    find: Callable[[AsyncSession, int, int], Awaitable[Pair | None]],
    *,
    replying: bool,
) -> bool:
    ids = await own_and_pressed(turn, callback)
    if ids is None:
        return False
    async with turn.svc.db.transaction() as session:
        pair = await find(session, *ids)
    if pair is None:
        return False
    await turn.answer()
    await _ask(turn, pair, ids[1] if replying else None)
    return True


async def _ask(turn: Turn, pair: Pair, reply_to: int | None) -> None:
    client = pair.client
    if client.chat_id is None:  # invited, not joined: there is no chat to write to yet
        await turn.say(turn.t("client_messages.not_joined", label=client.label))
        return
    data = {"client": client.id, "label": client.label, "reply_to": reply_to}
    await turn.save(DialogState(FLOW, "write", data))
    key = "client_messages.ask_reply" if reply_to is not None else "client_messages.ask"
    await turn.say(turn.t(key, label=client.label))


@router.step("write")
async def message_written(turn: Turn, state: DialogState, text: str) -> None:
    if len(text) > MAX_MESSAGE:
        await turn.say(turn.t("messages.too_long", max=MAX_MESSAGE))
        return
    await turn.end_dialog()
    therapist_id = await own_therapist_id(turn)
    pair = None
    if therapist_id is not None and isinstance(state.data.get("client"), int):
        async with turn.svc.db.transaction() as session:
            pair = await store.pair_of_therapist(session, therapist_id, state.data["client"])
    if pair is None:
        # Removed meanwhile: nothing to keep it with, so the words go back to the writer.
        label = state.data.get("label", "")
        await turn.say(turn.t("client_messages.gone", label=label, text=text))
        return
    reply_to = state.data.get("reply_to")
    await send_to_client(turn, pair, text, reply_to if isinstance(reply_to, int) else None)
