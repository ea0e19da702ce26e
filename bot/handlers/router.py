"""Routes each update to the flow it belongs to, using the dialog stored for the sender."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot.db import clients, dialogs
from bot.handlers import enrolment, replies, therapist
from bot.handlers.context import edit_quietly, say, services
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
    svc = services(context)
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None or message.text is None:
        return
    text = message.text.strip()[:MAX_TEXT]
    async with svc.db.transaction() as session:
        state = await dialogs.load(session, user.id)
    if state is not None and state.flow == therapist.FLOW:
        await therapist.on_text(update, context, state, text)
    elif state is not None and state.flow == enrolment.FLOW:
        await enrolment.on_text(update, context, state, text)
    else:
        await replies.on_free_text(update, context, text)


async def on_callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    query = update.callback_query
    user = update.effective_user
    if query is None or user is None:
        return
    callback = decode(query.data)
    if callback is not None and callback.prefix == REPLY:
        await replies.on_reply_button(update, context, callback)
        return
    if callback is not None and callback.prefix == LATER:
        await replies.on_later_button(update, context, callback)
        return
    if callback is not None and callback.prefix == FEEL:
        await replies.on_feeling_button(update, context, callback)
        return
    handled = False
    if callback is not None:
        async with svc.db.transaction() as session:
            state = await dialogs.load(session, user.id)
        if state is not None and state.flow == therapist.FLOW and callback.prefix == NEWCLIENT:
            handled = await therapist.on_button(update, context, state, callback)
        elif (
            state is not None
            and state.flow == enrolment.FLOW
            and callback.prefix in (CONSENT, ZONE, TIME, DAYS)
        ):
            handled = await enrolment.on_button(update, context, state, callback)
    if not handled:
        # A button from an earlier step, another flow, or forged data: change nothing.
        await query.answer(svc.texts.get(svc.lang(user), "reply.stale"))
        await edit_quietly(query)


async def on_unsupported(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    await say(update, context, svc.texts.get(svc.lang(update.effective_user), "reply.unsupported"))


async def on_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    user = update.effective_user
    if user is None:
        return
    lang = svc.lang(user)
    text = svc.texts.get(lang, "help.text")
    async with svc.db.transaction() as session:
        is_therapist = svc.is_admin(user.id) or (
            await clients.therapist_by_user(session, user.id) is not None
        )
    if is_therapist:
        text = f"{text}\n{svc.texts.get(lang, 'help.therapist_extra')}"
    await say(update, context, text)


async def on_cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    user = update.effective_user
    if user is None:
        return
    async with svc.db.transaction() as session:
        had = await dialogs.clear(session, user.id)
    key = "newclient.cancelled" if had else "newclient.nothing_to_cancel"
    await say(update, context, svc.texts.get(svc.lang(user), key))


async def mark_reachable(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Someone who writes to us has (un)blocked nothing: nudges may resume for them."""
    user = update.effective_user
    if user is None or update.message is None:
        return
    svc = services(context)
    async with svc.db.transaction() as session:
        await clients.mark_reachable(session, user.id)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    log.error("error while handling an update", exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        svc = services(context)
        try:
            await context.bot.send_message(
                update.effective_chat.id,
                svc.texts.get(svc.lang(update.effective_user), "errors.generic"),
            )
        except Exception:  # the chat may be gone; the log above is what matters
            log.warning("could not tell the user about the error")
