"""/help spells out the person's own menu, so every command in the menu is in /help."""

from __future__ import annotations

from bot.app import BotRuntime
from bot.sandbox.botapi import BotApiStub
from tests.conftest import THERAPIST_ID, client_menus


async def test_help_lists_the_clients_menu_and_a_therapists_own(
    stub: BotApiStub, runtime: BotRuntime
) -> None:
    rae = stub.user(7301, "Rae")
    sent = await rae.send("/help")
    shown = await rae.wait_for("Here's what I can do", after=sent.message_id)
    menu = client_menus(stub)[""].params["commands"]
    for command in menu:  # type: ignore[union-attr]
        assert f"/{command['command']} – {command['description']}" in shown.body
    assert "/newclient" not in shown.body

    dana = stub.user(THERAPIST_ID, "Dana")
    sent = await dana.send("/help")
    shown = await dana.wait_for("Here's what I can do", after=sent.message_id)
    for command in ("/newclient", "/invite", "/addtherapist", "/therapists"):
        assert command in shown.body
    assert "/progress" not in shown.body
