"""/message: a client writes to their therapist; the therapist's reply comes back here.

The client's words go to the therapist's chat as a protected message (no
forwarding or saving), with a Reply button (bot/flows/client_messages.py). The
therapist may also answer by replying to it in Telegram; the reply is matched to
the client through the copy's message id. Typed text that
is neither of these is read as an answer to a nudge, as before: only /message
ever sends anything to the therapist.
"""

from __future__ import annotations

from telegram import Message as TelegramMessage
from telegram.error import BadRequest, Forbidden

from bot.db import dialogs
from bot.db import messages as store
from bot.db.dialogs import DialogState
from bot.db.messages import Pair
from bot.domain.types import MessageDirection
from bot.flows import nudge_replies
from bot.flows.router import Audience, Router
from bot.flows.turn import Markup, Turn
from bot.views.client_messages import reply_keyboard

FLOW = "message"
# Leaves room for the label and the frame within Telegram's 4096 characters.
MAX_MESSAGE = 3500
router = Router(FLOW)


@router.command("message", menu=Audience.CLIENTS)
async def write_to_therapist(turn: Turn) -> None:
    async with turn.svc.db.transaction() as session:
        pair = await store.pair_of_client_user(session, turn.user.id)
    if pair is None or pair.client.id is None:
        await turn.say(turn.t("messages.not_client"))
        return
    await turn.save(DialogState(FLOW, "write", {"client": pair.client.id}))
    await turn.say(turn.t("messages.ask", therapist=pair.therapist.display_name))


@router.step("write")
async def message_written(turn: Turn, state: DialogState, text: str) -> None:
    if len(text) > MAX_MESSAGE:
        await turn.say(turn.t("messages.too_long", max=MAX_MESSAGE))
        return
    async with turn.svc.db.transaction() as session:
        pair = await store.pair_of_client_user(session, turn.user.id, state.data.get("client"))
        await dialogs.clear(session, turn.user.id)
        if pair is None or pair.client.id is None:
            message_id = None
        else:
            message_id = await store.record(
                session, pair.client.id, MessageDirection.TO_THERAPIST, text, turn.now
            )
    if pair is None or message_id is None:
        await turn.say(turn.t("messages.not_client"))
        return
    therapist = pair.therapist
    words = turn.svc.texts.get(
        therapist.language, "messages.to_therapist", label=pair.client.label, text=text
    )
    markup = reply_keyboard(turn.svc.texts, therapist.language, message_id)
    sent = await _deliver(
        turn, message_id, therapist.telegram_user_id, words, markup=markup, protect=True
    )
    key = "messages.sent" if sent else "messages.unreachable"
    await turn.say(turn.t(key, therapist=therapist.display_name))


async def typed(turn: Turn, text: str) -> None:
    """Free text outside any dialog: a reply to a relayed message, or an answer to a nudge."""
    message = turn.update.effective_message
    replied = message.reply_to_message if message is not None else None
    if replied is None or not await _replied_to_relayed(turn, replied, text):
        await nudge_replies.answer_typed(turn, text)


async def _replied_to_relayed(turn: Turn, replied: TelegramMessage, text: str) -> bool:
    async with turn.svc.db.transaction() as session:
        relayed = await store.relayed_in_chat(
            session, turn.user.id, replied.chat.id, replied.message_id
        )
    if relayed is None:
        return False
    pair = relayed.pair
    # A client replying to their therapist's answer: only /message writes to the therapist.
    if relayed.direction is not MessageDirection.TO_THERAPIST or pair.client.chat_id is None:
        await turn.say(turn.t("messages.use_command", therapist=pair.therapist.display_name))
        return True
    await send_to_client(turn, pair, text, relayed.message_id)
    return True


async def send_to_client(turn: Turn, pair: Pair, text: str, reply_to: int | None) -> None:
    """The therapist's words, kept first (sealed), then delivered in the client's language;
    the therapist is told which. Kept even when the client can't be reached."""
    client, therapist = pair.client, pair.therapist
    assert client.id is not None
    async with turn.svc.db.transaction() as session:
        answer_id = await store.record(
            session, client.id, MessageDirection.TO_CLIENT, text, turn.now, reply_to
        )
    words = turn.svc.texts.get(
        client.language, "messages.from_therapist", therapist=therapist.display_name, text=text
    )
    sent = client.chat_id is not None and await _deliver(turn, answer_id, client.chat_id, words)
    await turn.say(
        turn.t("messages.delivered" if sent else "messages.client_unreachable", label=client.label)
    )


async def _deliver(
    turn: Turn,
    message_id: int,
    chat_id: int,
    words: str,
    *,
    markup: Markup | None = None,
    protect: bool = False,
) -> bool:
    """Send the copy and remember where it landed; False if the chat can't be reached."""
    try:
        copy = await turn.tell(chat_id, words, markup, protect=protect)
    except (Forbidden, BadRequest):
        return False
    async with turn.svc.db.transaction() as session:
        await store.delivered(session, message_id, copy.chat.id, copy.message_id, turn.now)
    return True
