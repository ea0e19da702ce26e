"""A client's invite as the therapist gets it: the link and a QR code of exactly that
link, a "Revoke link" button, a fresh link with /invite, and the link's state."""

from __future__ import annotations

import io
from datetime import timedelta

import zxingcpp
from PIL import Image

from bot.app import BotRuntime
from bot.clock import ManualClock
from bot.db import invites
from bot.db.models import Client, Invite
from bot.domain.types import InviteStatus
from bot.sandbox.botapi import BotApiStub, FakeUser, StoredMessage, buttons
from tests.conftest import THERAPIST_ID, rows
from tests.journeys import INVITE_RE, create_client, enrol


def _qr_text(stub: BotApiStub, photo: StoredMessage) -> str:
    """Decode the QR code in the photo the bot uploaded, as a phone's camera would."""
    largest = photo.content["photo"][-1]
    data = stub.state.files[largest["file_id"]].data
    assert data is not None and data.startswith(b"\x89PNG")
    found = zxingcpp.read_barcode(Image.open(io.BytesIO(data)))
    assert found is not None and found.format == zxingcpp.BarcodeFormat.QRCode
    return found.text


def _link(photo: StoredMessage) -> str:
    match = INVITE_RE.search(photo.caption or "")
    assert match, photo.caption
    return match.group(0)


async def _start(user: FakeUser, text: str, expect: str) -> None:
    sent = await user.send(text)
    await user.wait_for(expect, after=sent.message_id)


async def test_invite_is_a_qr_code_of_exactly_its_link(
    stub: BotApiStub, runtime: BotRuntime
) -> None:
    dana = stub.user(THERAPIST_ID, "Dana")
    token = await create_client(dana, "Kim", [("Squat", "3 x 8")])
    photo = dana.messages[-1]
    assert "photo" in photo.content and photo.text is None
    link = _link(photo)
    assert link == f"https://t.me/homework_test_bot?start={token}"
    assert _qr_text(stub, photo) == link
    assert len(photo.caption or "") <= 1024
    assert buttons(photo) == ["Revoke link"]
    # "Sending a photo…" showed first.
    action = stub.calls_to("sendChatAction")[-1]
    assert action.params["action"] == "upload_photo"
    assert action.at <= stub.calls_to("sendPhoto")[-1].at
    # The client opens it and joins as before.
    await enrol(stub.user(4001, "Kim"), token, place="UTC", when="9am", therapist_name="Dana")


async def test_revoking_from_the_button(stub: BotApiStub, runtime: BotRuntime) -> None:
    dana, kim = stub.user(THERAPIST_ID, "Dana"), stub.user(4001, "Kim")
    token = await create_client(dana, "Kim", [("Squat", "3 x 8")])
    photo = dana.messages[-1]
    data = photo.inline_keyboard[0][0]["callback_data"]
    query = await dana.press(photo, "Revoke link")
    assert (await dana.wait_for_answer(query)).text == "Link revoked."
    edited = await dana.wait_for_edit(photo, "has been revoked")
    assert buttons(edited) == []
    await _start(kim, f"/start {token}", "no longer active")
    # The same button again (an old copy of the message) changes nothing more.
    query = await dana.press_data(photo, data)
    assert (await dana.wait_for_answer(query)).text == "That link was already revoked."


async def test_a_used_or_expired_link_cannot_be_revoked(
    stub: BotApiStub, runtime: BotRuntime, clock: ManualClock
) -> None:
    dana = stub.user(THERAPIST_ID, "Dana")
    token = await create_client(dana, "Kim", [("Squat", "3 x 8")])
    used_photo = dana.messages[-1]
    await enrol(stub.user(4001, "Kim"), token, place="UTC", when="9am", therapist_name="Dana")
    query = await dana.press(used_photo, "Revoke link")
    assert "already been used" in ((await dana.wait_for_answer(query)).text or "")
    await create_client(dana, "Lou", [("Plank", "3 x 20 s")])
    old_photo = dana.messages[-1]
    clock.advance(timedelta(days=15))
    query = await dana.press(old_photo, "Revoke link")
    assert "already expired" in ((await dana.wait_for_answer(query)).text or "")


async def test_a_fresh_link_for_a_client_who_lost_theirs(
    stub: BotApiStub, runtime: BotRuntime
) -> None:
    dana, kim = stub.user(THERAPIST_ID, "Dana"), stub.user(4001, "Kim")
    old_token = await create_client(dana, "Kim", [("Squat", "3 x 8")])
    await create_client(dana, "Lou", [("Plank", "3 x 20 s")])
    sent = await dana.send("/invite")
    choice = await dana.wait_for("Who needs a fresh link", after=sent.message_id)
    assert buttons(choice) == ["New link: Lou", "New link: Kim"]  # newest first
    await dana.press(choice, "New link: Kim")
    photo = await dana.wait_for("fresh invite for Kim", after=choice.message_id)
    link = _link(photo)
    assert _qr_text(stub, photo) == link and buttons(photo) == ["Revoke link"]
    await _start(kim, f"/start {old_token}", "no longer active")
    new_token = link.rsplit("=", 1)[1]
    await enrol(kim, new_token, place="UTC", when="9am", therapist_name="Dana")
    sent = await dana.send("/invite")
    choice = await dana.wait_for("Who needs a fresh link", after=sent.message_id)
    assert buttons(choice) == ["New link: Lou"]  # Kim has joined
    # An old list's button for a client who has joined makes no new link.
    query = await dana.press_data(choice, f"Ti:{(await rows(runtime, Client))[0].id}")
    assert (await dana.wait_for_answer(query)).text == "That button has expired. Nothing changed."


async def test_invite_state_for_the_client_detail(
    stub: BotApiStub, runtime: BotRuntime, clock: ManualClock
) -> None:
    dana = stub.user(THERAPIST_ID, "Dana")
    kim_token = await create_client(dana, "Kim", [("Squat", "3 x 8")])
    await create_client(dana, "Lou", [("Plank", "3 x 20 s")])
    kim, lou = await rows(runtime, Client)
    assert kim.id is not None and lou.id is not None

    async def state(client_id: int) -> InviteStatus | None:
        async with runtime.db.transaction() as session:
            return await invites.invite_status(session, kim.therapist_id, client_id, clock.now())

    assert await state(kim.id) is InviteStatus.WAITING
    await enrol(stub.user(4001, "Kim"), kim_token, place="UTC", when="9am", therapist_name="Dana")
    assert await state(kim.id) is InviteStatus.USED
    async with runtime.db.transaction() as session:  # as the client's detail will
        assert await invites.revoke_client_invites(session, lou.therapist_id, lou.id, clock.now())
    assert await state(lou.id) is InviteStatus.REVOKED
    async with runtime.db.transaction() as session:
        issued = await invites.reissue_invite(
            session, lou.therapist_id, lou.id, clock.now(), timedelta(days=14)
        )
    assert issued is not None
    assert await state(lou.id) is InviteStatus.WAITING
    clock.advance(timedelta(days=14))
    assert await state(lou.id) is InviteStatus.EXPIRED
    assert [i.revoked_at is not None for i in await rows(runtime, Invite)] == [False, True, False]


async def test_nobody_waiting(stub: BotApiStub, runtime: BotRuntime) -> None:
    await _start(stub.user(THERAPIST_ID, "Dana"), "/invite", "Everyone you've invited has joined")
