"""/privacy for anyone, and /export: a client's own records as a CSV document."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time

import pytest

from bot.app import BotRuntime
from bot.clock import ManualClock
from bot.domain.export import HEADER, ExportRow, build_csv, outcome_code
from bot.sandbox.botapi import BotApiStub, StoredMessage
from tests.conftest import THERAPIST_ID, client_menus, variants
from tests.journeys import create_client, enrol
from tests.rights_journeys import speaks

CLIENT_COMMANDS = ("pause", "resume", "stop", "privacy", "export", "deletemydata")


def test_outcome_codes_are_stable_english() -> None:
    assert [outcome_code(final, False) for final in ("done", "some", "skipped", "not_today")] == [
        "done",
        "some",
        "skipped",
        "not_today",
    ]
    assert outcome_code(None, True) == "later"
    assert outcome_code(None, False) == "no_reply"
    assert outcome_code("done", True) == "done"  # the final answer wins over an earlier "later"
    with pytest.raises(ValueError):
        outcome_code("maybe", False)


def test_csv_has_a_header_and_quotes_what_needs_it() -> None:
    rows = [
        ExportRow(date(2026, 11, 23), time(19, 30), "done", "easy"),
        ExportRow(date(2026, 11, 24), time(7, 5), "not_today", None, 'busy, "very", ünïcode'),
    ]
    data = build_csv(rows)
    assert data.decode("utf-8").splitlines()[0] == ",".join(HEADER)
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    assert parsed == [
        list(HEADER),
        ["2026-11-23", "19:30", "done", "easy", ""],
        ["2026-11-24", "07:05", "not_today", "", 'busy, "very", ünïcode'],
    ]
    assert build_csv([]) == b"date,time,outcome,feeling,barrier\r\n"


async def test_privacy_works_for_anyone_in_their_language(
    stub: BotApiStub, runtime: BotRuntime
) -> None:
    menus = client_menus(stub)
    assert set(menus) >= {"", "de", "es"}
    for menu in menus.values():
        listed = str(menu.params["commands"])
        assert all(f"'{name}'" in listed or f'"{name}"' in listed for name in CLIENT_COMMANDS)

    expected = {
        "en": ("only your therapist", "until you erase them", "encrypted", "health data", "pain"),
        "de": ("nur deine Therapeutin", "bis du sie löschst", "verschlüsselt", "Gesundheitsdaten"),
        "es": ("solo tu terapeuta", "hasta que los borres", "cifrados", "datos de salud", "dolor"),
    }
    forgotten = {"en": "after a week", "de": "nach einer Woche", "es": "al cabo de una semana"}
    for index, (lang, phrases) in enumerate(expected.items()):
        phrases = (*phrases, forgotten[lang])
        stranger = stub.user(2300 + index, "Sam", language_code=lang)
        sent = await stranger.send("/privacy")
        text = (await stranger.wait_for("/deletemydata", after=sent.message_id)).body
        assert "/export" in text and len(text) <= 4096
        assert all(phrase in text for phrase in phrases), (lang, text)


async def test_export_one_row_per_nudge_in_local_time(
    stub: BotApiStub, runtime: BotRuntime, clock: ManualClock
) -> None:
    therapist = stub.user(THERAPIST_ID, "Dana")
    anna = stub.user(2310, "Anna")
    sent = await anna.send("/export")
    await anna.wait_for("I don't hold any records about you", after=sent.message_id)

    token = await create_client(therapist, "Anna", [("Calf stretch", "hold 30 s x 3")])
    await enrol(anna, token, place="Berlin", when="7:30 pm", therapist_name="Dana")
    sent = await anna.send("/export")
    empty = await anna.wait_for(lambda m: "document" in m.content, after=sent.message_id)
    assert _csv(stub, empty) == [list(HEADER)]
    assert "Nothing recorded yet" in empty.body

    plan = {
        23: ("Done", "Easy"),
        24: ("Some of it", "OK"),
        25: ("Later",),
        26: ("Not today", "Busy"),
        27: (),
    }
    last = sent.message_id
    for day, presses in plan.items():  # Berlin's 19:30 is 18:30 UTC
        clock.set(datetime(2026, 11, day, 18, 30, tzinfo=UTC))
        message = await anna.wait_for(lambda m: "Calf stretch" in m.body, after=last)
        for index, press in enumerate(presses):
            if index:  # the follow-up question ("how did it feel?") comes with its buttons
                asked = message.message_id
                message = await anna.wait_for(lambda m: bool(m.reply_markup), after=asked)
            await anna.press(message, press)
        await anna.wait_quiet(0.3)
        last = anna.messages[-1].message_id
    clock.set(datetime(2026, 11, 28, 18, 30, tzinfo=UTC))
    saturday = await anna.wait_for(lambda m: "Calf stretch" in m.body, after=last)
    sent = await anna.send("skip")
    await anna.wait_for(variants("reply.skipped"), after=saturday.message_id)

    speaks(stub, anna, "es")
    sent = await anna.send("/export")
    document = await anna.wait_for(lambda m: "document" in m.content, after=sent.message_id)
    assert document.content["document"]["file_name"] == "homework-export.csv"
    assert document.body.startswith("Tus registros")
    assert "upload_document" in anna.chat_actions
    assert _csv(stub, document) == [
        list(HEADER),
        ["2026-11-23", "19:30", "done", "easy", ""],
        ["2026-11-24", "19:30", "some", "ok", ""],
        ["2026-11-25", "19:30", "later", "", ""],
        ["2026-11-26", "19:30", "not_today", "", "busy"],
        ["2026-11-27", "19:30", "no_reply", "", ""],
        ["2026-11-28", "19:30", "skipped", "", ""],
    ]


def _csv(stub: BotApiStub, message: StoredMessage) -> list[list[str]]:
    stored = stub.state.files[message.content["document"]["file_id"]]
    assert stored.data is not None
    return list(csv.reader(io.StringIO(stored.data.decode("utf-8"))))
