"""A therapist's reports on their clients: one client's adherence chart (from the
client's detail) and the spreadsheet of answers, for one client or all (/csv).

Both are scoped to the pressing therapist's own clients: a forged or vanished id
gets the dispatcher's "nothing changed", exactly like an id of another
therapist's client, so a press reveals nothing about who exists.
"""

from __future__ import annotations

import contextlib
from datetime import date
from zoneinfo import ZoneInfo

from telegram import InputFile
from telegram.constants import ChatAction
from telegram.error import TelegramError

from bot.db import exports, history, invites, therapists
from bot.db.exports import ClientsExport
from bot.domain import adherence
from bot.domain.export import build_clients_csv
from bot.flows.guard import own_and_pressed, own_therapist_id, therapists_only
from bot.flows.router import Audience, Router
from bot.flows.turn import Turn
from bot.services.charts import weekly_chart
from bot.views.callbacks import CLIENT_CHART, CLIENT_CSV, Callback
from bot.views.reports import chart_caption, csv_filename, therapist_chart

ALL = "all"  # Tv:all, every client of the therapist
router = Router()


@router.button(CLIENT_CHART)
@therapists_only
async def chart_pressed(turn: Turn, callback: Callback) -> bool:
    """The client's weeks since joining (the last few) as stacked bars, sent as a photo."""
    ids = await own_and_pressed(turn, callback)
    if ids is None:
        return False
    therapist_id, client_id = ids
    async with turn.svc.db.transaction() as session:
        client = await invites.own_client(session, therapist_id, client_id)
        found = await history.occurrences(session, client_id) if client is not None else []
    if client is None:
        return False
    await turn.answer()
    if client.joined_at is None:
        await turn.say(turn.t("reports.chart_not_joined", label=client.label))
        return True
    zone = ZoneInfo(client.timezone or "UTC")
    today = turn.now.astimezone(zone).date()
    weeks = adherence.weekly(found, today, client.joined_at.astimezone(zone).date())
    bars, words = therapist_chart(turn.svc.texts, turn.lang, client.label, weeks)
    caption = chart_caption(turn.svc.texts, turn.lang, client.label, weeks)
    await turn.send_photo(lambda: weekly_chart(bars, words), "adherence.png", caption)
    return True


@router.command("csv", menu=Audience.THERAPISTS)
@therapists_only
async def export_all(turn: Turn) -> None:
    """/csv: every client's answers in one spreadsheet."""
    therapist_id = await own_therapist_id(turn)
    found = await _records(turn, therapist_id, None) if therapist_id is not None else None
    if found is None or not found[0].labels:
        await turn.say(turn.t("reports.no_clients"))
        return
    await _send_csv(turn, *found, None)


@router.button(CLIENT_CSV)
@therapists_only
async def csv_pressed(turn: Turn, callback: Callback) -> bool:
    """Tv:<client> from a client's detail, Tv:all for everyone."""
    if callback.args == (ALL,):
        therapist_id, client_id = await own_therapist_id(turn), None
    else:
        therapist_id, client_id = await own_and_pressed(turn, callback) or (None, None)
    if therapist_id is None:
        return False
    found = await _records(turn, therapist_id, client_id)
    if found is None:
        return False
    await turn.answer()
    export, today = found
    if not export.labels:
        await turn.say(turn.t("reports.no_clients"))
        return True
    label = export.labels[client_id] if client_id is not None else None
    await _send_csv(turn, export, today, label)
    return True


async def _records(
    turn: Turn, therapist_id: int, client_id: int | None
) -> tuple[ClientsExport, date] | None:
    """The rows, and today in the therapist's zone (for the file's name)."""
    async with turn.svc.db.transaction() as session:
        export = await exports.therapist_records(session, therapist_id, client_id)
        owner = await therapists.by_id(session, therapist_id)
    if export is None or owner is None:
        return None
    return export, turn.now.astimezone(ZoneInfo(owner.timezone or "UTC")).date()


async def _send_csv(turn: Turn, export: ClientsExport, today: date, label: str | None) -> None:
    if not export.rows:
        key = "reports.csv_empty"
    else:
        key = "reports.csv_one" if label is not None else "reports.csv_all"
    await _uploading(turn)
    document = InputFile(build_clients_csv(export.rows), filename=csv_filename(label, today))
    await turn.send_media("document", document, caption=turn.t(key, label=label or ""))


async def _uploading(turn: Turn) -> None:
    chat = turn.update.effective_chat
    if chat is not None:
        with contextlib.suppress(TelegramError):  # a hint to the app, nothing depends on it
            await turn.context.bot.send_chat_action(chat.id, ChatAction.UPLOAD_DOCUMENT)
