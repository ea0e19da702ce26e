"""Routes each update to the flow it belongs to, using the dialog stored for the sender."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot.db import clients, dialogs
from bot.handlers import enrolment, replies, therapist
from bot.handlers.context import Turn, services
from bot.views.callbacks import (
    CONSENT,
    DAYS,
    FEEL,
    LATER,
    NEWCLIENT,
    REPLY,
    TIME,
    ZONE,
    decode,
)

log = logging.getLogger(__name__)
MAX_TEXT = 4096


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    turn = Turn.of(update, context)
    message = update.effective_message
    if turn is None or message is None or message.text is None:
        return
    text = message.text.strip()[:MAX_TEXT]
    async with turn.svc.db.transaction() as session:
        state = await dialogs.load(session, turn.user.id)
    if state is not None and state.flow == therapist.FLOW:
        await therapist.on_text(turn, state, text)
    elif state is not None and state.flow == enrolment.FLOW:
        await enrolment.on_text(turn, state, text)
    else:
        await replies.on_free_text(turn, text)


_NUDGE_BUTTONS = {
    REPLY: replies.on_reply_button,
    LATER: replies.on_later_button,
    FEEL: replies.on_feeling_button,
}


async def on_callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    turn = Turn.of(update, context)
    if turn is None or update.callback_query is None:
        return
    callback = decode(update.callback_query.data)
    if callback is not None and callback.prefix in _NUDGE_BUTTONS:
        await _NUDGE_BUTTONS[callback.prefix](turn, callback)
        return
    handled = False
    if callback is not None:
        async with turn.svc.db.transaction() as session:
            state = await dialogs.load(session, turn.user.id)
        if state is not None and state.flow == therapist.FLOW and callback.prefix == NEWCLIENT:
            handled = await therapist.on_button(turn, state, callback)
        elif (
            state is not None
            and state.flow == enrolment.FLOW
            and callback.prefix
            in (
                CONSENT,
                ZONE,
                TIME,
                DAYS,
            )
        ):
            handled = await enrolment.on_button(turn, state, callback)
    if not handled:
        # A button from an earlier step, another flow, or forged data: change nothing.
        await turn.answer(turn.t("reply.stale"), close=True)


async def on_unsupported(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if (turn := Turn.of(update, context)) is not None:
        await turn.say(turn.t("reply.unsupported"))


async def on_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    turn = Turn.of(update, context)
    if turn is None:
        return
    text = turn.t("help.text")
    async with turn.svc.db.transaction() as session:
        is_therapist = turn.svc.is_admin(turn.user.id) or (
            await clients.therapist_by_user(session, turn.user.id) is not None
        )
    if is_therapist:
        text = f"{text}\n{turn.t('help.therapist_extra')}"
    await turn.say(text)


async def on_cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    turn = Turn.of(update, context)
    if turn is None:
        return
    had = await turn.end_dialog()
    await turn.say(turn.t("newclient.cancelled" if had else "newclient.nothing_to_cancel"))


async def mark_reachable(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Someone who writes to us has (un)blocked nothing: nudges may resume for them."""
    user = update.effective_user
    if user is None or update.message is None:
        return
    svc = services(context)
    async with svc.db.transaction() as session:
        await clients.mark_reachable(session, user.id)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    update_id = update.update_id if isinstance(update, Update) else None
    log.error(
        "error while handling an update", exc_info=context.error, extra={"update_id": update_id}
    )
    if isinstance(update, Update) and update.effective_chat is not None:
        svc = services(context)
        try:
            await context.bot.send_message(
                update.effective_chat.id,
                svc.texts.get(svc.lang(update.effective_user), "errors.generic"),
            )
        except Exception:  # the chat may be gone; the log above is what matters
            log.warning("could not tell the user about the error")
