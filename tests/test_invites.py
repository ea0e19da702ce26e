"""Invite links from the client's side: every way a link can be wrong gets a kind answer."""

from __future__ import annotations

from datetime import timedelta

from bot.app import BotRuntime
from bot.clock import ManualClock
from bot.sandbox.botapi import BotApiStub
from tests.conftest import THERAPIST_ID, variants
from tests.journeys import create_client, enrol


async def _start(user, text: str, expect: object) -> None:  # type: ignore[no-untyped-def]
    sent = await user.send(text)
    await user.wait_for(expect, after=sent.message_id)


async def test_start_without_token_explains_the_bot(stub: BotApiStub, runtime: BotRuntime) -> None:
    await _start(stub.user(4001, "Sam"), "/start", "I help clients of physio")


async def test_unknown_and_garbage_tokens(stub: BotApiStub, runtime: BotRuntime) -> None:
    sam = stub.user(4001, "Sam")
    await _start(sam, "/start " + "A" * 32, "couldn't find that invite")
    await _start(sam, "/start <script>", "couldn't find that invite")


async def test_used_link_and_second_tap(stub: BotApiStub, runtime: BotRuntime) -> None:
    therapist = stub.user(THERAPIST_ID, "Dana")
    token = await create_client(therapist, "Kim", [("Squat", "3 x 8")])
    kim = stub.user(4002, "Kim")
    await enrol(kim, token, place="UTC", when="08:00", therapist_name="Dana")
    await _start(kim, f"/start {token}", "already connected with Dana")
    await _start(stub.user(4003, "Eve"), f"/start {token}", "already been used")


async def test_expired_link(stub: BotApiStub, runtime: BotRuntime, clock: ManualClock) -> None:
    token = await create_client(stub.user(THERAPIST_ID, "Dana"), "Lou", [("Plank", "3 x 20 s")])
    clock.advance(timedelta(days=15))
    await _start(stub.user(4004, "Lou"), f"/start {token}", "expired")


async def test_declining_stores_nothing_and_link_still_works(
    stub: BotApiStub, runtime: BotRuntime
) -> None:
    therapist = stub.user(THERAPIST_ID, "Dana")
    token = await create_client(therapist, "Max", [("Row", "2 x 15")])
    max_ = stub.user(4005, "Max")
    sent = await max_.send(f"/start {token}")
    consent = await max_.wait_for("here is what I keep", after=sent.message_id)
    await max_.press(consent, "No thanks")
    await max_.wait_for("nothing has been saved", after=consent.message_id)
    confirmation = await enrol(max_, token, place="London", when="morning", therapist_name="Dana")
    assert "every day at 8:00 am (Europe/London time)" in confirmation


async def test_non_therapist_cannot_create_clients(stub: BotApiStub, runtime: BotRuntime) -> None:
    await _start(stub.user(4006, "Pat"), "/newclient", variants("therapists.only"))
