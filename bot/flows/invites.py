"""A client's invite link: sent as a QR code, revoked from its button, re-issued with /invite.

Everything is scoped to the pressing therapist's own clients: a forged id gets the
same "nothing changed" as an id that does not exist.
"""

from __future__ import annotations

import contextlib
from datetime import datetime

from telegram.error import BadRequest

from bot.db import invites
from bot.domain.types import InviteStatus
from bot.flows.guard import own_therapist_id, therapists_only
from bot.flows.router import Audience, Router
from bot.flows.turn import Turn
from bot.views.callbacks import REISSUE_INVITE, REVOKE_INVITE, Callback
from bot.views.invites import caption, invite_link, qr_png, revoke_keyboard, waiting_keyboard

MAX_WAITING = 20  # buttons in one /invite list; the newest clients first
router = Router()

_NOT_REVOKED = {
    InviteStatus.USED: "invites.already_used",
    InviteStatus.EXPIRED: "invites.already_expired",
    InviteStatus.REVOKED: "invites.already_revoked",
}


async def send_invite(
    turn: Turn, key: str, label: str, token: str, invite_id: int, expires_at: datetime
) -> None:
    """The link and its QR code in one photo, with a button that revokes exactly this link."""
    link = invite_link(turn.context.bot.username, token)
    text = turn.t(key, label=label, link=link, expires=expires_at.date().isoformat())
    await turn.send_photo(
        lambda: qr_png(link),
        "invite.png",
        caption(text),
        revoke_keyboard(turn.svc.texts, turn.lang, invite_id),
    )


async def _ids(turn: Turn, callback: Callback) -> tuple[int, int]:
    """(the presser's therapist id, the id in the button); 0 for either matches no row,
    so a stranger's or a garbled press flows into the same "not found" as any other."""
    return await own_therapist_id(turn) or 0, callback.int_arg(0) or 0


@router.button(REVOKE_INVITE)
@therapists_only
async def revoke_pressed(turn: Turn, callback: Callback) -> bool:
    therapist_id, invite_id = await _ids(turn, callback)
    async with turn.svc.db.transaction() as session:
        revocation = await invites.revoke_invite(session, therapist_id, invite_id, turn.now)
    if revocation is None:
        return False
    if revocation.before is not InviteStatus.WAITING:
        await turn.answer(turn.t(_NOT_REVOKED[revocation.before]), close=True)
        return True
    await turn.answer(turn.t("invites.revoked_toast"))
    with contextlib.suppress(BadRequest):  # the photo may be gone; the link is revoked anyway
        await turn.query.edit_message_caption(
            caption(turn.t("invites.revoked_caption", label=revocation.client.label)),
            reply_markup=None,
        )
    return True


@router.command("invite", menu=Audience.THERAPISTS)
@therapists_only
async def choose_client(turn: Turn) -> None:
    """/invite: the clients who have not joined yet, each with a "new link" button."""
    therapist_id = await own_therapist_id(turn)
    waiting = []
    if therapist_id is not None:
        async with turn.svc.db.transaction() as session:
            waiting = await invites.waiting_clients(session, therapist_id, MAX_WAITING)
    if not waiting:
        await turn.say(turn.t("invites.none_waiting"))
        return
    await turn.say(turn.t("invites.choose"), waiting_keyboard(turn.svc.texts, turn.lang, waiting))


@router.button(REISSUE_INVITE)
@therapists_only
async def reissue_pressed(turn: Turn, callback: Callback) -> bool:
    therapist_id, client_id = await _ids(turn, callback)
    async with turn.svc.db.transaction() as session:
        issued = await invites.reissue_invite(
            session, therapist_id, client_id, turn.now, turn.svc.settings.invite_ttl
        )
    if issued is None:
        return False
    client, invite, token = issued
    assert invite.id is not None
    await turn.answer()
    await send_invite(turn, "invites.reissued", client.label, token, invite.id, invite.expires_at)
    return True
