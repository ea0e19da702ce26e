"""Two therapists: neither sees nor changes the other's clients or invites, whatever ids
they put into callback data, and a refusal reads exactly like one for an id that does
not exist."""

from __future__ import annotations

from datetime import timedelta

from bot.app import BotRuntime
from bot.db import invites
from bot.db.models import Client, Invite, Therapist
from bot.sandbox.botapi import BotApiStub, FakeUser
from tests.conftest import THERAPIST_ID, rows
from tests.journeys import add_therapist, create_client, enrol

STALE = "That button has expired. Nothing changed."


async def _refusal(user: FakeUser, data: str) -> str | None:
    sent = await user.send("/help")
    message = await user.wait_for("/help", after=sent.message_id)
    query = await user.press_data(message, data)
    return (await user.wait_for_answer(query)).text


async def test_a_therapist_cannot_touch_another_therapists_invites(
    stub: BotApiStub, runtime: BotRuntime
) -> None:
    dana, lee = stub.user(THERAPIST_ID, "Dana"), stub.user(2001, "Lee")
    await add_therapist(dana, lee)
    lee_token = await create_client(lee, "Kim", [("Squat", "3 x 8")])
    await create_client(dana, "Ann", [("Bridge", "3 x 10")])
    (kim_invite, ann_invite) = await rows(runtime, Invite)
    kim, _ann = await rows(runtime, Client)
    missing = 10_000 + kim_invite.id + ann_invite.id  # no such invite or client

    # Forged presses on Lee's invite and client read exactly like presses on nothing.
    for prefix, real in (("Tr", kim_invite.id), ("Ti", kim.id)):
        assert await _refusal(dana, f"{prefix}:{real}") == STALE
        assert await _refusal(dana, f"{prefix}:{missing}") == STALE
    for garbage in ("Tr:", "Tr:-1", "Tr:abc", "Ti:1:2", "Tx:1"):
        assert await _refusal(dana, garbage) == STALE
    # Dana's /invite lists only her own waiting clients.
    sent = await dana.send("/invite")
    choice = await dana.wait_for("Who needs a fresh link", after=sent.message_id)
    assert "Kim" not in str(choice.reply_markup) and "Ann" in str(choice.reply_markup)

    # Nothing changed: Lee's link was neither revoked nor replaced, and still works.
    assert [(i.revoked_at, i.used_at) for i in await rows(runtime, Invite)] == [(None, None)] * 2
    assert len(await rows(runtime, Invite)) == 2
    await enrol(stub.user(4001, "Kim"), lee_token, place="UTC", when="9am", therapist_name="Lee")

    # The store functions the client detail will use say nothing about other people's clients.
    dana_row = next(t for t in await rows(runtime, Therapist) if t.telegram_user_id == dana.id)
    assert dana_row.id is not None and kim.id is not None
    async with runtime.db.transaction() as session:
        now = runtime.clock.now()
        assert await invites.invite_status(session, dana_row.id, kim.id, now) is None
        assert await invites.revoke_client_invites(session, dana_row.id, kim.id, now) is None
        assert await invites.revoke_invite(session, dana_row.id, kim_invite.id, now) is None
        assert (
            await invites.reissue_invite(session, dana_row.id, kim.id, now, timedelta(days=14))
            is None
        )
        assert await invites.waiting_clients(session, dana_row.id, 20) != []
        assert kim.id not in [c.id for c in await invites.waiting_clients(session, dana_row.id, 20)]


async def test_a_client_or_stranger_pressing_therapist_buttons_changes_nothing(
    stub: BotApiStub, runtime: BotRuntime
) -> None:
    dana = stub.user(THERAPIST_ID, "Dana")
    token = await create_client(dana, "Kim", [("Squat", "3 x 8")])
    (invite,) = await rows(runtime, Invite)
    (client,) = await rows(runtime, Client)
    for data in (f"Tr:{invite.id}", f"Ti:{client.id}", "Ta:list", f"Ta:rm:{client.therapist_id}"):
        assert await _refusal(stub.user(4009, "Eve"), data) == STALE
    await enrol(stub.user(4001, "Kim"), token, place="UTC", when="9am", therapist_name="Dana")
