"""/privacy (Telegram's terms ask every bot for one) and /export: what we keep about
a person, who sees it, for how long, and their own copy of it."""

from __future__ import annotations

from telegram.constants import ChatAction

from bot.db import exports
from bot.domain.export import FILENAME, build_csv
from bot.flows.router import Audience, Router
from bot.flows.turn import Turn

router = Router()


@router.command("privacy", menu=Audience.EVERYONE)
async def show_privacy(turn: Turn) -> None:
    """For anyone, client or not: people may ask before they agree to anything."""
    await turn.say(turn.t("privacy.text"))


@router.command("export", menu=Audience.CLIENTS)
async def export_records(turn: Turn) -> None:
    """The person's records as a CSV document, one row per nudge they received."""
    chat = turn.update.effective_chat
    if chat is None:
        return
    async with turn.svc.db.transaction() as session:
        records = await exports.records_of(session, turn.user.id)
    if records is None:
        await turn.say(turn.t("export.nothing"))
        return
    await turn.context.bot.send_chat_action(chat.id, ChatAction.UPLOAD_DOCUMENT)
    await turn.context.bot.send_document(
        chat.id,
        document=build_csv(records),
        filename=FILENAME,
        caption=turn.t("export.caption" if records else "export.empty_caption"),
    )
