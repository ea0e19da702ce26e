"""What every person can do whatever flow they are in: help, cancel, and the fallbacks.

The fallbacks are not commands: a message the bot cannot use, an error, and
noting that someone who writes to us can be reached again.
"""

from __future__ import annotations

import logging

from telegram import ReplyKeyboardRemove, Update, User
from telegram.ext import ContextTypes

from bot.db import clients
from bot.flows import enrolment_schedule
from bot.flows.guard import is_therapist
from bot.flows.router import Audience, Router, dialog_of
from bot.flows.turn import Services, Turn, services

log = logging.getLogger(__name__)
router = Router()


@router.command("help", menu=Audience.EVERYONE)
async def show_help(turn: Turn) -> None:
    """The person's own command menu, spelled out: built from the flows' declarations,
    so a new command is in /help the moment it is in the menu."""
    audiences = [Audience.CLIENTS]
    if await is_therapist(turn):
        audiences = [Audience.THERAPISTS]
        if turn.svc.is_admin(turn.user.id):
            audiences.append(Audience.ADMINS)
    listed = turn.svc.menus.commands(turn.lang, *audiences) if turn.svc.menus is not None else []
    lines = [f"/{command.command} – {command.description}" for command in listed]
    await turn.say("\n".join([turn.t("help.intro"), *lines, "", turn.t("help.outro")]))


@router.command("cancel", menu=Audience.EVERYONE)
async def cancel(turn: Turn) -> None:
    """Stop the current step; a keyboard it showed (share my location) goes with it."""
    joining = await dialog_of(turn, enrolment_schedule.FLOW)
    if joining is not None:  # never a dead end: say that setup is paused, and how to go on
        await enrolment_schedule.pause(turn, joining)
        return
    had = await turn.end_dialog()
    key = "newclient.cancelled" if had else "newclient.nothing_to_cancel"
    await turn.say(turn.t(key), ReplyKeyboardRemove())


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
                svc.texts.get(await _language_of(svc, update.effective_user), "errors.generic"),
            )
        except Exception:  # the chat may be gone; the log above is what matters
            log.warning("could not tell the user about the error")


async def _language_of(svc: Services, user: User | None) -> str:
    """The person's language for an apology, even when the database is what failed."""
    chosen = None
    if user is not None and svc.languages is not None:
        try:
            chosen = await svc.languages.of(user.id)
        except Exception:  # the apology matters more than its language
            log.warning("could not read the chosen language for an apology")
    return svc.lang(user, chosen)
