"""/clients: a therapist's clients at a glance, paged in place, each opening its detail.

Every press is checked against the presser's own clients: another therapist's
client id, or one that does not exist, gets the dispatcher's "nothing changed"
(return False) and learns nothing.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot.db import casefile, roster
from bot.flows.guard import own_therapist_id, therapists_only
from bot.flows.router import Audience, Router
from bot.flows.turn import Turn, edit_quietly
from bot.views.callbacks import CLIENT_DETAIL, CLIENTS_PAGE, Callback
from bot.views.client_detail import detail_keyboard, detail_text
from bot.views.clients import PAGE_SIZE, clients_page

router = Router()


async def list_view(turn: Turn, page: int) -> tuple[str, InlineKeyboardMarkup | None]:
    """Page `page` of the presser's clients (the last page when the list has shrunk)."""
    therapist_id = await own_therapist_id(turn)
    if therapist_id is None:
        return turn.t("clients.none"), None
    async with turn.svc.db.transaction() as session:
        shown = await roster.roster_page(session, therapist_id, turn.now, page, PAGE_SIZE)
    if not shown.total:
        return turn.t("clients.none"), None
    return clients_page(turn.svc.texts, turn.lang, shown)


@router.command("clients", menu=Audience.THERAPISTS)
@therapists_only
async def show_clients(turn: Turn) -> None:
    await turn.say(*await list_view(turn, 0))


@router.button(CLIENTS_PAGE)
@therapists_only
async def page_pressed(turn: Turn, callback: Callback) -> bool:
    page = callback.int_arg(0)
    if page is None or len(callback.args) != 1:
        return False
    await turn.answer()
    await edit_quietly(turn.query, *await list_view(turn, page))
    return True


async def show_detail(turn: Turn, client_id: int, page: int = 0, note: str = "") -> bool:
    """Edit the pressed message into the client's detail; False if not the presser's."""
    therapist_id = await own_therapist_id(turn)
    if therapist_id is None:
        return False
    async with turn.svc.db.transaction() as session:
        case = await casefile.casefile(session, therapist_id, client_id, turn.now)
    if case is None:
        return False
    await turn.answer(note or None)
    texts = turn.svc.texts
    text = detail_text(texts, turn.lang, case, turn.now)
    await edit_quietly(turn.query, text, detail_keyboard(texts, turn.lang, case, page))
    return True


@router.button(CLIENT_DETAIL)
@therapists_only
async def detail_pressed(turn: Turn, callback: Callback) -> bool:
    """Td:<client>[:<page>]: the page is where "Back to list" returns to."""
    client_id = callback.int_arg(0)
    page = callback.int_arg(1) if len(callback.args) > 1 else 0
    if client_id is None or page is None or len(callback.args) > 2:
        return False
    return await show_detail(turn, client_id, page)
