"""A client whose Telegram speaks German gets the whole journey in German."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.clock import ManualClock
from bot.sandbox.botapi import BotApiStub, buttons
from tests.conftest import THERAPIST_ID, RuntimeFactory, client_menus
from tests.journeys import create_client, enrol_in


async def test_german_client_enrols_and_answers(
    stub: BotApiStub, start_bot: RuntimeFactory, clock: ManualClock
) -> None:
    await start_bot()
    menus = client_menus(stub)
    assert {"", "de", "es"} <= set(menus)
    assert "Was ich kann" in str(menus["de"].params["commands"])
    token = await create_client(stub.user(THERAPIST_ID, "Dana"), "Jonas", [("Brücke", "3 x 10")])
    jonas = stub.user(9101, "Jonas", language_code="de-AT")
    ask, confirmation = await enrol_in("de", jonas, token, place="Wien", when="um 18 Uhr")
    await jonas.wait_for("Hallo Jonas")
    assert "Abends (19:00)" in buttons(ask)
    assert "jeden Tag um 18:00 (Europe/Vienna), ab heute" in (confirmation.text or "")

    clock.set(datetime(2026, 11, 23, 17, 0, tzinfo=UTC))  # 18:00 in Vienna
    nudge = await jonas.wait_for("Brücke: 3 x 10")
    assert buttons(nudge) == ["✅ Erledigt", "🌗 Ein Teil davon", "⏰ Später", "🌙 Heute nicht"]
    sent = await jonas.send("erledigt")
    await jonas.wait_for("Wie hat es sich angefühlt?", after=sent.message_id)
