"""Who is a therapist: an admin invites a colleague (/addtherapist), lists and removes
therapists (/therapists); a colleague becomes one by opening their link.

A therapist who still has clients is not removed: their clients would be left
with nobody reading their answers or hearing about their pain. The admin is told
so, kindly, and can remove them once their clients have been removed.
"""

from __future__ import annotations

import contextlib

from telegram import InlineKeyboardMarkup
from telegram.error import TelegramError

from bot.db import clients, therapists
from bot.db.models import Therapist
from bot.flows.guard import admins_only, is_therapist
from bot.flows.router import Audience, Router
from bot.flows.turn import Turn, edit_quietly
from bot.views.callbacks import THERAPISTS, Callback
from bot.views.invites import invite_link
from bot.views.therapists import back_to_list, confirm_removal, therapist_list

router = Router()


@router.command("addtherapist", menu=Audience.ADMINS)
@admins_only
async def add_therapist(turn: Turn) -> None:
    async with turn.svc.db.transaction() as session:
        invite, token = await therapists.create_invite(
            session, turn.user.id, turn.now, turn.svc.settings.invite_ttl
        )
    link = invite_link(turn.context.bot.username, token)
    await turn.say(
        turn.t("therapists.invite", link=link, expires=invite.expires_at.date().isoformat())
    )


async def join_by_link(turn: Turn, token: str) -> bool:
    """/start <token>: True when the token is a colleague's invite (and was answered here)."""
    async with turn.svc.db.transaction() as session:
        invite = await therapists.find_invite(session, token)
    if invite is None:
        return False
    assert invite.id is not None
    if await is_therapist(turn):  # keep the link for the colleague it was meant for
        await turn.say(turn.t("therapists.already_therapist"))
        return True
    therapist = None
    if invite.used_at is None and invite.expires_at > turn.now:
        async with turn.svc.db.transaction() as session:
            therapist = await therapists.redeem_invite(
                session, invite.id, turn.user.id, turn.user.full_name, turn.lang, turn.now
            )
    if therapist is None:
        expired = invite.used_at is None and invite.expires_at <= turn.now
        await turn.say(turn.t("therapists.link_expired" if expired else "therapists.link_used"))
        return True
    await refresh_menu(turn)
    await turn.say(turn.t("therapists.welcome", name=turn.user.first_name))
    async with turn.svc.db.transaction() as session:
        admin = await clients.therapist_by_user(session, invite.created_by)
    admin_lang = admin.language if admin is not None else turn.svc.texts.default
    await _courtesy(
        turn,
        invite.created_by,
        turn.svc.texts.get(admin_lang, "therapists.joined", name=therapist.display_name),
    )
    return True


async def refresh_menu(turn: Turn) -> None:
    """A therapist's own command menu, in the language they write in now."""
    if turn.svc.menus is not None and await is_therapist(turn):
        await turn.svc.menus.publish_for_therapist(turn.user.id, turn.lang)


@router.command("therapists", menu=Audience.ADMINS)
@admins_only
async def list_therapists(turn: Turn) -> None:
    text, markup = await _list_view(turn)
    await turn.say(text, markup)


async def _list_view(turn: Turn, note: str = "") -> tuple[str, InlineKeyboardMarkup | None]:
    async with turn.svc.db.transaction() as session:
        entries = await therapists.all_therapists(session)
    text, markup = therapist_list(turn.svc.texts, turn.lang, entries, turn.svc.settings.admin_ids)
    return (f"{note}\n\n{text}" if note else text), markup


@router.button(THERAPISTS)
@admins_only
async def therapists_pressed(turn: Turn, callback: Callback) -> bool:
    """Remove → "are you sure?" → remove, or keep; all edits of the one list message."""
    action = callback.args[0] if callback.args else ""
    if action == "list":
        await turn.answer()
        await edit_quietly(turn.query, *await _list_view(turn))
        return True
    therapist_id = callback.int_arg(1)
    async with turn.svc.db.transaction() as session:
        target = await therapists.by_id(session, therapist_id) if therapist_id else None
    if target is None or target.id is None or action not in ("rm", "ok"):
        return False
    if target.telegram_user_id in turn.svc.settings.admin_ids:
        await turn.answer(turn.t("therapists.cannot_remove_admin"), close=True)
        return True
    await turn.answer()
    if action == "rm":
        question = turn.t("therapists.confirm_remove", name=target.display_name)
        await edit_quietly(
            turn.query, question, confirm_removal(turn.svc.texts, turn.lang, target.id)
        )
        return True
    await _remove(turn, target)
    return True


async def _remove(turn: Turn, target: Therapist) -> None:
    assert target.id is not None
    async with turn.svc.db.transaction() as session:
        removed = await therapists.remove(session, target.id)
        count = 0 if removed else await therapists.client_count(session, target.id)
    if not removed and count == 0:  # someone else removed them a moment ago
        await edit_quietly(turn.query, *await _list_view(turn))
        return
    if not removed:
        refusal = turn.t("therapists.has_clients", name=target.display_name, n=count)
        await edit_quietly(turn.query, refusal, back_to_list(turn.svc.texts, turn.lang))
        return
    if turn.svc.menus is not None:
        await turn.svc.menus.withdraw(target.telegram_user_id)
    note = turn.t("therapists.removed", name=target.display_name)
    await edit_quietly(turn.query, *await _list_view(turn, note))
    await _courtesy(
        turn,
        target.telegram_user_id,
        turn.svc.texts.get(target.language, "therapists.you_were_removed"),
    )


async def _courtesy(turn: Turn, user_id: int, text: str) -> None:
    """A note to someone else; if they blocked the bot, the person acting needn't hear of it."""
    with contextlib.suppress(TelegramError):
        await turn.tell(user_id, text)
