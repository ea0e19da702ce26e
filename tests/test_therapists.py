"""Who is a therapist: admins invite colleagues, list and remove them, and everyone
else is told kindly that these commands are for therapists. Menus per chat."""

from __future__ import annotations

from datetime import timedelta

from bot.app import BotRuntime
from bot.clock import ManualClock
from bot.db.models import Therapist, TherapistInvite
from bot.domain.tokens import hash_token
from bot.sandbox.botapi import BotApiStub, FakeUser, buttons
from tests.conftest import THERAPIST_ID, RuntimeFactory, rows, variants
from tests.journeys import INVITE_RE, add_therapist, create_client, enrol

# In the order the flows are registered (bot/flows/registry.py).
ADMIN_MENU = [
    "start",
    "newclient",
    "invite",
    "clients",
    "templates",
    "csv",
    "addtherapist",
    "therapists",
    "help",
    "cancel",
    "privacy",
    "language",
    "settings",
]
THERAPIST_MENU = [
    "start",
    "newclient",
    "invite",
    "clients",
    "templates",
    "csv",
    "help",
    "cancel",
    "privacy",
    "language",
    "settings",
]


def _menu(stub: BotApiStub, user: FakeUser) -> list[str]:
    return [c["command"] for c in stub.commands({"type": "chat", "chat_id": user.chat_id})]


async def _says(user: FakeUser, text: str, expect: object) -> None:
    sent = await user.send(text)
    await user.wait_for(expect, after=sent.message_id)  # type: ignore[arg-type]


async def test_a_colleague_becomes_a_therapist_by_link(
    stub: BotApiStub, runtime: BotRuntime
) -> None:
    dana, lee = stub.user(THERAPIST_ID, "Dana"), stub.user(2001, "Lee")
    token = await add_therapist(dana, lee)
    await dana.wait_for("Lee opened your link")
    # The link is stored only as its hash, and is now used up.
    (invite,) = await rows(runtime, TherapistInvite)
    assert invite.token_hash == hash_token(token) and invite.used_by == lee.id
    assert len(token) >= 22  # at least 128 bits of URL-safe base64
    assert [t.telegram_user_id for t in await rows(runtime, Therapist)] == [lee.id]
    # Lee has the therapists' menu in their own chat; clients' menus stay clients'.
    assert _menu(stub, lee) == THERAPIST_MENU
    clients_menu = [c["command"] for c in stub.commands({"type": "all_private_chats"})]
    assert {"start", "help", "cancel"} <= set(clients_menu)
    # /settings is in both menus, described for what it holds for each.
    described = {
        c["command"]: c["description"] for c in stub.commands({"type": "all_private_chats"})
    }
    lees = {
        c["command"]: c["description"]
        for c in stub.commands({"type": "chat", "chat_id": lee.chat_id})
    }
    assert described["settings"] == "Language, follow-ups, quiet hours"
    assert lees["settings"] == "Time zone, weekly digest, language"
    assert not {"newclient", "invite", "addtherapist", "therapists"} & set(clients_menu)
    # Lee can now set up a client, and a client can join with it.
    client_token = await create_client(lee, "Kim", [("Squat", "3 x 8")])
    await enrol(stub.user(4001, "Kim"), client_token, place="UTC", when="9am", therapist_name="Lee")
    # The same link a second time, by someone else, is used.
    await _says(stub.user(2002, "Sam"), f"/start {token}", "already been used")
    await _says(stub.user(2002), "/newclient", variants("therapists.only"))


async def test_a_therapist_link_expires_and_is_kept_from_existing_therapists(
    stub: BotApiStub, runtime: BotRuntime, clock: ManualClock
) -> None:
    dana = stub.user(THERAPIST_ID, "Dana")
    sent = await dana.send("/addtherapist")
    message = await dana.wait_for("makes a colleague a therapist", after=sent.message_id)
    token = INVITE_RE.search(message.text or "").group(2)  # type: ignore[union-attr]
    # An admin (already a therapist) opening it does not use it up.
    await _says(dana, f"/start {token}", "left this link unused")
    clock.advance(timedelta(days=15))
    await _says(stub.user(2003, "Mo"), f"/start {token}", "has expired")
    assert await rows(runtime, Therapist) == []


async def test_therapist_commands_are_for_therapists(stub: BotApiStub, runtime: BotRuntime) -> None:
    pat = stub.user(4006, "Pat")
    for command in ("/newclient", "/invite"):
        await _says(pat, command, variants("therapists.only"))
    for command in ("/addtherapist", "/therapists"):
        await _says(pat, command, variants("therapists.admins_only"))
    lee = stub.user(2001, "Lee")
    await add_therapist(stub.user(THERAPIST_ID, "Dana"), lee)
    await _says(lee, "/addtherapist", variants("therapists.admins_only"))
    await _says(lee, "/therapists", variants("therapists.admins_only"))
    sent = await lee.send("/help")
    help_text = (await lee.wait_for("/invite", after=sent.message_id)).text or ""
    assert "/addtherapist" not in help_text
    sent = await pat.send("/help")
    assert "/newclient" not in ((await pat.wait_for("/help", after=sent.message_id)).text or "")


async def test_admin_removes_a_therapist_without_clients_only(
    stub: BotApiStub, runtime: BotRuntime
) -> None:
    dana, lee, mo = stub.user(THERAPIST_ID, "Dana"), stub.user(2001, "Lee"), stub.user(2003, "Mo")
    await add_therapist(dana, lee)
    await add_therapist(dana, mo)
    await create_client(lee, "Kim", [("Squat", "3 x 8")])
    assert _menu(stub, mo) == THERAPIST_MENU

    sent = await dana.send("/therapists")
    listing = await dana.wait_for("Therapists here", after=sent.message_id)
    assert "Lee – clients: 1" in (listing.text or "") and "Mo – clients: 0" in (listing.text or "")
    assert buttons(listing) == ["Remove Lee", "Remove Mo"]

    # Lee has a client: asked, confirmed, and kindly refused; nothing changes.
    await dana.press(listing, "Remove Lee")
    await dana.wait_for_edit(listing, "Remove Lee as a therapist?")
    await dana.press(listing, "Yes, remove")
    await dana.wait_for_edit(listing, "Lee still has clients (1)")
    assert _menu(stub, lee) == THERAPIST_MENU
    await dana.press(listing, "Back to the list")
    await dana.wait_for_edit(listing, lambda m: buttons(m) == ["Remove Lee", "Remove Mo"])

    # "Keep" changes nothing; then Mo, who has no clients, is removed.
    await dana.press(listing, "Remove Mo")
    await dana.wait_for_edit(listing, "Remove Mo as a therapist?")
    await dana.press(listing, "Keep")
    await dana.wait_for_edit(listing, lambda m: buttons(m) == ["Remove Lee", "Remove Mo"])
    await dana.press(listing, "Remove Mo")
    await dana.wait_for_edit(listing, "Remove Mo as a therapist?")
    await dana.press(listing, "Yes, remove")
    await dana.wait_for_edit(listing, "Mo is no longer a therapist here")
    await mo.wait_for("no longer set up as a therapist")
    assert _menu(stub, mo) == []  # back to the clients' menu
    assert [t.display_name for t in await rows(runtime, Therapist)] == ["Lee"]
    await _says(mo, "/newclient", variants("therapists.only"))


async def test_admins_are_not_removable_and_others_cannot_press_admin_buttons(
    stub: BotApiStub, runtime: BotRuntime
) -> None:
    dana, lee = stub.user(THERAPIST_ID, "Dana"), stub.user(2001, "Lee")
    await create_client(dana, "Ann", [("Bridge", "3 x 10")])  # Dana gets a Therapist row
    await add_therapist(dana, lee)
    dana_row, lee_row = await rows(runtime, Therapist)
    sent = await dana.send("/therapists")
    listing = await dana.wait_for("Therapists here", after=sent.message_id)
    assert "Dana (admin) – clients: 1" in (listing.text or "")
    assert buttons(listing) == ["Remove Lee"]
    # A forged press on the admin's own row is refused, not carried out.
    query = await dana.press_data(listing, f"Ta:ok:{dana_row.id}")
    assert "configuration" in ((await dana.wait_for_answer(query)).text or "")
    # A therapist who is not an admin pressing admin buttons changes nothing.
    lee_sent = await lee.send("/help")
    for data in (f"Ta:ok:{dana_row.id}", f"Ta:rm:{lee_row.id}", "Ta:list"):
        query = await lee.press_data(lee_sent, data)
        assert (
            await lee.wait_for_answer(query)
        ).text == "That button has expired. Nothing changed."
    assert len(await rows(runtime, Therapist)) == 2


async def test_menus_are_published_at_start_up_and_on_first_start(
    stub: BotApiStub, start_bot: RuntimeFactory
) -> None:
    runtime = await start_bot()
    dana = stub.user(THERAPIST_ID, "Dana")  # her chat did not exist at start-up
    assert _menu(stub, dana) == []
    before = len(stub.calls)
    await _says(dana, "/start", "I help clients")
    await stub.wait_for_call("setMyCommands", lambda c: c.status == 200, after=before)
    assert _menu(stub, dana) == ADMIN_MENU
    lee = stub.user(2001, "Lee", language_code="de")
    await add_therapist_de(dana, lee)
    assert [c["description"] for c in stub.commands({"type": "chat", "chat_id": lee.id})][1] == (
        "Neuen Klienten anlegen (Therapeut:innen)"
    )
    # After a restart every known therapist and admin gets their menu again.
    await runtime.stop()
    stub.state.commands.clear()
    await start_bot()
    assert _menu(stub, dana) == ADMIN_MENU
    assert _menu(stub, lee) == THERAPIST_MENU


async def add_therapist_de(admin: FakeUser, colleague: FakeUser) -> None:
    sent = await admin.send("/addtherapist")
    message = await admin.wait_for("makes a colleague a therapist", after=sent.message_id)
    token = INVITE_RE.search(message.text or "").group(2)  # type: ignore[union-attr]
    await _says(colleague, f"/start {token}", "Willkommen")
