"""/message: a client writes to their therapist; the therapist's reply comes back here.

The client's words go to the therapist's chat as a protected message (no
forwarding or saving), with a Reply button (bot/flows/client_messages.py). The
therapist may also answer by replying to it in Telegram; the reply is matched to
the client through the copy's message id. Typed text that
is neither of these is read as an answer to a nudge. Text that answers nothing but
reads like words for someone is offered to be passed on: it goes to the therapist
only after a press on "Send it", and a "No" or anything typed instead drops it.
"""

from __future__ import annotations

from telegram import Message as TelegramMessage
from telegram.error import BadRequest, Forbidden

from bot.db import dialogs
from bot.db import messages as store
from bot.db.dialogs import DialogState
from bot.db.messages import Pair
from bot.domain.replies import looks_like_a_message
from bot.domain.types import MessageDirection
from bot.flows import nudge_replies
from bot.flows.guard import is_therapist
from bot.flows.router import Audience, Router, dialog_at
from bot.flows.turn import Markup, Turn
from bot.views.callbacks import PASS_ON, Callback
from bot.views.client_messages import pass_on_keyboard, reply_keyboard
from bot.views.confirm import NO, YES

FLOW = "message"
OFFERED = "offered"  # the step of a pass-on offer; its data holds the client and the text
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
    """Free text outside any dialog: a reply to a relayed message, an answer to a nudge,
    or words a client may want their therapist to read."""
    message = turn.update.effective_message
    replied = message.reply_to_message if message is not None else None
    if replied is None or not await _replied_to_relayed(turn, replied, text):
        await nudge_replies.answer_typed(turn, text, otherwise=offer_to_pass_on)


async def offer_to_pass_on(turn: Turn, text: str, *, replying: bool = False) -> None:
    """A client's words that answer nothing ("can I do this lying down?"), or a reply to
    their therapist's answer: ask before sending them anywhere. Anyone else, or a stray
    "hi" that replies to nothing, hears it wasn't understood (a therapist, with their
    own commands as the hint)."""
    pair = None
    if (replying or looks_like_a_message(text)) and len(text) <= MAX_MESSAGE:
        async with turn.svc.db.transaction() as session:
            pair = await store.pair_of_client_user(session, turn.user.id)
    if pair is None or pair.client.id is None:
        # A therapist has no nudges to answer: the hint points at their own commands.
        therapist_here = await is_therapist(turn)
        await turn.say(
            turn.t("reply.not_understood_therapist" if therapist_here else "reply.not_understood")
        )
        return
    therapist = pair.therapist.display_name
    markup = pass_on_keyboard(turn.svc.texts, turn.lang, therapist)
    key = "messages.offer_reply" if replying else "messages.offer"
    offer = await turn.say(turn.t(key, therapist=therapist), markup)
    # Kept sealed in the dialog (EncryptedText) until the press, and no longer. Saved
    # after the question: this person's next update waits for this one to finish.
    data: dict[str, int | str] = {"client": pair.client.id, "text": text}
    if offer is not None:
        data["offer"] = offer.message_id
    await turn.save(DialogState(FLOW, OFFERED, data))


@router.step(OFFERED)
async def typed_instead(turn: Turn, state: DialogState, text: str) -> None:
    """Something else typed while the offer stands: the offer lapses, its text is dropped."""
    await turn.end_dialog()
    if isinstance(offer := state.data.get("offer"), int):
        await turn.set_buttons(offer)
    await typed(turn, text)


@router.button(PASS_ON)
async def offer_answered(turn: Turn, callback: Callback) -> bool:
    answer = callback.args[0] if callback.args else ""
    state = await dialog_at(turn, FLOW, OFFERED)
    if state is None or answer not in (YES, NO):
        return False  # an offer already answered, dropped or never made
    await turn.answer(close=True)
    if answer == YES:
        await message_written(turn, state, str(state.data.get("text", "")))
    else:
        await turn.end_dialog()
        await turn.say(turn.t("messages.offer_declined"))
    return True


async def _replied_to_relayed(turn: Turn, replied: TelegramMessage, text: str) -> bool:
    async with turn.svc.db.transaction() as session:
        relayed = await store.relayed_in_chat(
            session, turn.user.id, replied.chat.id, replied.message_id
        )
    if relayed is None:
        return False
    pair = relayed.pair
    # A client replying to their therapist's answer: asked first, like any words of theirs.
    if relayed.direction is not MessageDirection.TO_THERAPIST or pair.client.chat_id is None:
        await offer_to_pass_on(turn, text, replying=True)
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
