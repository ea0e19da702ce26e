"""Consent names what is stored, health data included, and "Tell me more" shows /privacy
before anything is agreed; the client then agrees with the same question."""

from __future__ import annotations

from bot.app import BotRuntime
from bot.db.models import Client
from bot.sandbox.botapi import BotApiStub, buttons
from tests.conftest import THERAPIST_ID, rows, variants
from tests.journeys import create_client


async def test_tell_me_more_shows_the_privacy_text_then_asks_again(
    stub: BotApiStub, runtime: BotRuntime
) -> None:
    token = await create_client(stub.user(THERAPIST_ID, "Dana"), "Kim", [("Squat", "3 x 8")])
    kim = stub.user(4101, "Kim")
    sent = await kim.send(f"/start {token}")
    consent = await kim.wait_for("here is what I keep", after=sent.message_id)
    for words in ("health information", "encrypted", "/export", "/deletemydata"):
        assert words in consent.body
    assert buttons(consent) == ["Yes, that's fine", "No thanks", "Tell me more"]

    await kim.press(consent, "Tell me more")
    privacy = await kim.wait_for(variants("privacy.text"), after=consent.message_id)
    again = await kim.wait_for("here is what I keep", after=privacy.message_id)
    [client] = await rows(runtime, Client)
    assert client.consented_at is None  # nothing agreed by asking

    await kim.press(again, "Yes, that's fine")
    await kim.wait_for(variants("timing.ask_timezone"), after=again.message_id)
    [client] = await rows(runtime, Client)
    assert client.consented_at is not None
