"""What every person can do whatever flow they are in: help, cancel, and the fallbacks.

The fallbacks are not commands: a message the bot cannot use, an error, and
noting that someone who writes to us can be reached again.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot.db import clients
from bot.flows.guard import is_therapist
from bot.flows.router import Audience, Router
from bot.flows.turn import Turn, services

log = logging.getLogger(__name__)
router = Router()


@router.command("help", menu=Audience.EVERYONE)
async def show_help(turn: Turn) -> None:
    text = turn.t("help.text")
    if await is_therapist(turn):
        text = f"{text}\n{turn.t('help.therapist_extra')}\n{turn.t('therapists.help_extra')}"
    if turn.svc.is_admin(turn.user.id):
        text = f"{text}\n{turn.t('therapists.help_admin')}"
    await turn.say(text)


@router.command("cancel", menu=Audience.EVERYONE)
async def cancel(turn: Turn) -> None:
    had = await turn.end_dialog()
    await turn.say(turn.t("newclient.cancelled" if had else "newclient.nothing_to_cancel"))


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if (turn := Turn.of(update, context)) is not None:
        await show_help(turn)


async def unsupported(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if (turn := Turn.of(update, context)) is not None:
        await turn.say(turn.t("reply.unsupported"))


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
