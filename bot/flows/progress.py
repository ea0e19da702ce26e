"""/progress: what the client did this week and since starting, in words and a chart."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from zoneinfo import ZoneInfo

from telegram import InputFile
from telegram.constants import ChatAction
from telegram.error import TelegramError

from bot.db import history
from bot.domain import adherence
from bot.domain.adherence import Progress
from bot.flows.router import Audience, Router
from bot.flows.turn import Turn
from bot.services.charts import render_weekly_chart
from bot.views.progress import chart_text, chart_weeks, progress_text, wants_chart
from bot.views.routine import MAX_CAPTION

log = logging.getLogger(__name__)
router = Router()


@router.command("progress", menu=Audience.CLIENTS)
async def show_progress(turn: Turn) -> None:
    async with turn.svc.db.transaction() as session:
        client = await history.joined_client(session, turn.user.id)
        found = await history.occurrences(session, client.id) if client and client.id else []
    if client is None:
        await turn.say(turn.t("progress.not_client"))
        return
    zone = ZoneInfo(client.timezone or "UTC")
    started = client.joined_at.astimezone(zone).date() if client.joined_at else None
    summary = adherence.progress(found, turn.now.astimezone(zone).date(), started)
    text = progress_text(turn.svc.texts, turn.lang, summary)
    chart = await _chart(turn, summary) if wants_chart(summary) else None
    if chart is None:
        await turn.say(text)
        return
    photo = InputFile(chart, filename="progress.png")
    if len(text) <= MAX_CAPTION:
        await turn.send_media("photo", photo, caption=text)
        return
    # A clinic's longer wording must not cost the words: text first, picture after.
    await turn.say(text)
    await turn.send_media("photo", photo, caption=turn.t("progress.chart_caption"))


async def _chart(turn: Turn, summary: Progress) -> bytes | None:
    """Draw off the event loop while the chat shows "sending a photo"; None if it failed."""
    texts, lang = turn.svc.texts, turn.lang
    try:
        _, png = await asyncio.gather(
            _uploading(turn),
            render_weekly_chart(chart_weeks(texts, lang, summary.weeks), chart_text(texts, lang)),
        )
    except Exception:  # the words matter more than the picture: send them anyway
        log.exception("could not draw the progress chart")
        return None
    return png


async def _uploading(turn: Turn) -> None:
    chat = turn.update.effective_chat
    if chat is None:
        return
    with contextlib.suppress(TelegramError):  # a hint to the app, nothing depends on it
        await turn.context.bot.send_chat_action(chat.id, ChatAction.UPLOAD_PHOTO)
