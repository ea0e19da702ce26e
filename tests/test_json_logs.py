"""LOG_FORMAT=json: one JSON object per line, with ids and outcomes as fields, and
neither the token nor anything a person wrote, even at DEBUG."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from bot.clock import ManualClock
from bot.logging_setup import configure_logging
from bot.sandbox.botapi import BotApiStub
from tests.conftest import THERAPIST_ID, TOKEN, RuntimeFactory
from tests.journeys import create_client, enrol

DUE = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
# What people typed (and their names), each distinctive enough to find in any log line.
LABEL = "Quillon Marmaduke"
EXERCISE = "Flamingo-Zebra stretch"
FREE_TEXT = "my knee sounds like a xylophone-4471 today"
CLIENT_NAME = "Ottoline"


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    stream = io.StringIO()
    configure_logging("DEBUG", TOKEN, stream, fmt="json")
    yield stream
    root.handlers[:], level = saved
    root.setLevel(level)


async def test_a_whole_journey_logs_json_without_personal_text(
    json_log: io.StringIO, stub: BotApiStub, start_bot: RuntimeFactory, clock: ManualClock
) -> None:
    runtime = await start_bot()
    therapist = stub.user(THERAPIST_ID, "Dana")
    client = stub.user(7401, CLIENT_NAME)
    token = await create_client(therapist, LABEL, [(EXERCISE, "3 x 10")])
    await enrol(client, token, place="UTC", when="9am", therapist_name="Dana")
    clock.set(DUE)
    nudge = await client.wait_for(EXERCISE)
    await client.press(nudge, "Done")
    await client.wait_for_edit(nudge, "Done. Noted.")
    sent = await client.send(FREE_TEXT)
    await client.wait_for(lambda m: m.message_id > sent.message_id)
    await runtime.engine.idle()
    await runtime.stop()

    lines = json_log.getvalue().splitlines()
    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    assert len(entries) > 50  # DEBUG really was on
    for entry in entries:
        assert {"ts", "level", "logger", "event"} <= entry.keys()
    for secret in (
        TOKEN,
        TOKEN.split(":")[1],
        LABEL,
        EXERCISE,
        FREE_TEXT,
        "xylophone",
        CLIENT_NAME,
    ):
        leaks = [line for line in lines if secret in line]
        assert leaks == [], f"{secret!r} logged: {leaks[:3]}"
    assert any(e.get("update_id") for e in entries)  # updates carry their id
    [sent_line] = [e for e in entries if e.get("outcome") == "sent"]
    assert sent_line["nudge_id"] >= 1 and sent_line["logger"] == "bot.scheduling.engine"
