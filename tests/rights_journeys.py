"""Set-ups and checks shared by the tests of a client's own commands (pause, stop,
privacy, export, erasure)."""

from __future__ import annotations

from bot.sandbox.botapi import BotApiStub, FakeUser
from tests.conftest import THERAPIST_ID
from tests.journeys import enrol_daily_at_nine_utc


async def enrolled(stub: BotApiStub, user_id: int) -> tuple[FakeUser, FakeUser]:
    """Dana, the therapist, and Rae, her client, nudged every day at 09:00 UTC."""
    therapist, client = stub.user(THERAPIST_ID, "Dana"), stub.user(user_id, "Rae")
    await enrol_daily_at_nine_utc(therapist, client)
    return therapist, client


def speaks(stub: BotApiStub, user: FakeUser, language_code: str) -> None:
    """The person switches their Telegram app to another language."""
    stub.state.chats[user.id].user["language_code"] = language_code
