"""A therapist's reports: one client's adherence chart (Tc:<client>) and the CSV of
one client (Tv:<client>) or of all of them (Tv:all, /csv).

End to end through the stub on both databases, with two therapists: the chart
arrives as a PNG photo drawn while the chat shows "sending a photo", the CSV is
parsed as it arrives, and neither ever shows another therapist's client.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from PIL import Image
from sqlmodel import select

from bot.app import BotRuntime
from bot.db.models import Client, Routine, RoutineVersion
from bot.domain.export import CLIENTS_HEADER, ClientRow, ExportRow, build_clients_csv
from bot.sandbox.botapi import BotApiStub, FakeUser, StoredMessage
from tests.conftest import THERAPIST_ID, rows
from tests.journeys import add_therapist, create_client, enrol
from tests.rights_journeys import speaks
from tests.said import said
from tests.seeding import Answered, seed_history

PNG = b"\x89PNG\r\n\x1a\n"
BOM = b"\xef\xbb\xbf"
STALE = "That button has expired. Nothing changed."
BERLIN = ZoneInfo("Europe/Berlin")
JOINED = datetime(2026, 8, 31, 8, 0, tzinfo=UTC)  # a Monday, twelve weeks before the clock
VERSION_2 = datetime(2026, 10, 15, 12, 0, tzinfo=UTC)
# One week of Ann's answers, Monday to Sunday: (outcome, feeling, barrier, said "later").
WEEK: list[tuple[str | None, str | None, str | None, bool]] = [
    ("done", "easy", None, False),
    ("some", "ok", None, False),
    (None, None, None, True),
    ("not_today", None, "busy", False),
    ("skipped", None, None, False),
    (None, None, None, False),
    ("done", "hard", None, False),
]
CODES = {"done", "some", "later", "not_today", "skipped", "no_reply"}


def _ann_history() -> list[Answered]:
    answers = []
    for day in range(7 * 12):
        local = datetime.combine(JOINED.date() + timedelta(days=day), time(19, 30), BERLIN)
        outcome, feeling, barrier, later = WEEK[day % 7]
        answers.append(Answered(local.astimezone(UTC), outcome, feeling, barrier, later))
    return answers


def test_the_clients_csv_opens_in_spreadsheets_as_written() -> None:
    rows = [
        ClientRow("Zoë", ExportRow(date(2026, 11, 23), time(7, 5), "done", "easy"), 1),
        ClientRow("=HYPERLINK(1)", ExportRow(date(2026, 11, 24), time(19, 30), "no_reply"), 2),
    ]
    data = build_clients_csv(rows)
    assert data.startswith(BOM) and data.count(b"\r\n") == 3
    assert list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))) == [
        list(CLIENTS_HEADER),
        ["Zoë", "2026-11-23", "07:05", "done", "easy", "", "1"],
        ["'=HYPERLINK(1)", "2026-11-24", "19:30", "no_reply", "", "", "2"],
    ]
    assert build_clients_csv([]) == BOM + ",".join(CLIENTS_HEADER).encode() + b"\r\n"


async def _setup(stub: BotApiStub, runtime: BotRuntime) -> tuple[FakeUser, FakeUser, dict]:
    """Dana with Ann (Berlin, twelve weeks of answers), Bea (two) and Cam (not joined);
    Lee, another therapist, with Kim."""
    dana, lee = stub.user(THERAPIST_ID, "Dana"), stub.user(2001, "Lee")
    await add_therapist(dana, lee)
    ann_token = await create_client(dana, "Ann Müller", [("Calf stretch", "hold 30 s x 3")])
    bea_token = await create_client(dana, "Bea", [("Bridge", "3 x 10")])
    await create_client(dana, "Cam", [("Squat", "3 x 8")])
    kim_token = await create_client(lee, "Kim", [("Squat", "3 x 8")])
    await enrol(
        stub.user(3001, "Ann"), ann_token, place="Berlin", when="7:30 pm", therapist_name="Dana"
    )
    await enrol(stub.user(3002, "Bea"), bea_token, place="UTC", when="9am", therapist_name="Dana")
    await enrol(stub.user(3004, "Kim"), kim_token, place="UTC", when="9am", therapist_name="Lee")
    ids = {c.label: c.id for c in await rows(runtime, Client)}
    async with runtime.db.transaction() as session:
        ann = await session.get(Client, ids["Ann Müller"])
        routine = (await session.exec(select(Routine).where(Routine.client_id == ann.id))).one()
        ann.joined_at, routine.version = JOINED, 2  # an edit in October made version 2
        session.add_all([ann, routine])
        session.add(
            RoutineVersion(routine_id=routine.id, version=2, started_at=VERSION_2, snapshot="{}")
        )
    await seed_history(runtime.db, ids["Ann Müller"], _ann_history())
    nine = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    await seed_history(
        runtime.db,
        ids["Bea"],
        [Answered(nine, "done", "easy"), Answered(nine + timedelta(days=1), None)],
    )
    await seed_history(runtime.db, ids["Kim"], [Answered(nine, "not_today", barrier="tired")])
    return dana, lee, ids


async def _press(user: FakeUser, data: str) -> tuple[str | None, int]:
    """Press a workspace button (forged or not) on a fresh message; the toast and where
    the chat stood before."""
    sent = await user.send("/help")
    message = await user.wait_for("/help", after=sent.message_id)
    query = await user.press_data(message, data)
    return (await user.wait_for_answer(query)).text, message.message_id


def _csv(stub: BotApiStub, message: StoredMessage) -> list[list[str]]:
    stored = stub.state.files[message.content["document"]["file_id"]]
    assert stored.data is not None and stored.data.startswith(BOM)
    text = stored.data.decode("utf-8-sig")
    assert text.count("\r\n") == text.count("\n")  # CRLF rows, as spreadsheets expect
    return list(csv.reader(io.StringIO(text, newline="")))


def _document(user: FakeUser, after: int) -> object:
    return user.wait_for(lambda m: "document" in m.content, after=after)


async def test_a_clients_chart_arrives_as_a_photo(stub: BotApiStub, runtime: BotRuntime) -> None:
    dana, _lee, ids = await _setup(stub, runtime)
    actions = len(dana.chat_actions)
    toast, after = await _press(dana, f"Tc:{ids['Ann Müller']}")
    assert toast is None
    shown = await dana.wait_for(lambda m: "photo" in m.content, after=after)
    assert dana.chat_actions[actions:] == ["upload_photo"]
    caption = shown.body
    assert caption.startswith("Ann Müller, week by week since 7 Sep:") and len(caption) <= 1024
    # Eleven whole weeks of the pattern, and this week (nothing yet) on the right.
    assert "22 done, 11 some of it, 22 not today, 22 no reply" in caption
    stored = stub.state.files[shown.content["photo"][-1]["file_id"]]
    assert stored.data is not None and stored.data.startswith(PNG)
    assert 5_000 < len(stored.data) < 500_000
    with Image.open(io.BytesIO(stored.data)) as image:
        assert image.format == "PNG" and image.size == (800, 480)

    # In the therapist's own language; and a client who has not joined has no chart.
    speaks(stub, dana, "de")
    _toast, after = await _press(dana, f"Tc:{ids['Ann Müller']}")
    german = await dana.wait_for(lambda m: "photo" in m.content, after=after)
    assert german.body.startswith("Ann Müller, Woche für Woche seit dem 7. Sep.: 22 erledigt")
    _toast, after = await _press(dana, f"Tc:{ids['Cam']}")
    await dana.wait_for(said("reports.chart_not_joined", "de"), after=after)


async def test_csv_of_one_client_and_of_all_in_any_language(
    stub: BotApiStub, runtime: BotRuntime
) -> None:
    dana, lee, ids = await _setup(stub, runtime)
    _toast, after = await _press(dana, f"Tv:{ids['Ann Müller']}")
    one = await _document(dana, after)
    assert one.content["document"]["file_name"] == "Ann-Müller-2026-11-23.csv"
    assert "upload_document" in dana.chat_actions
    parsed = _csv(stub, one)
    assert (
        parsed[0]
        == list(CLIENTS_HEADER)
        == ["client", "date", "time", "outcome", "feeling", "barrier", "routine_version"]
    )
    assert len(parsed) == 1 + 7 * 12
    assert parsed[1:8] == [
        ["Ann Müller", "2026-08-31", "19:30", "done", "easy", "", "1"],
        ["Ann Müller", "2026-09-01", "19:30", "some", "ok", "", "1"],
        ["Ann Müller", "2026-09-02", "19:30", "later", "", "", "1"],
        ["Ann Müller", "2026-09-03", "19:30", "not_today", "", "busy", "1"],
        ["Ann Müller", "2026-09-04", "19:30", "skipped", "", "", "1"],
        ["Ann Müller", "2026-09-05", "19:30", "no_reply", "", "", "1"],
        ["Ann Müller", "2026-09-06", "19:30", "done", "hard", "", "1"],
    ]
    # Local time through the change of clocks in October; the version changes mid-October.
    assert {row[2] for row in parsed[1:]} == {"19:30"}
    versions = [(row[1], row[6]) for row in parsed[1:]]
    assert ("2026-10-14", "1") in versions and ("2026-10-15", "2") in versions
    assert versions[-1] == ("2026-11-22", "2")

    # /csv in German: every client of Dana's (Cam with no rows), none of Lee's, codes in English.
    speaks(stub, dana, "de")
    sent = await dana.send("/csv")
    everyone = await _document(dana, sent.message_id)
    assert everyone.content["document"]["file_name"] == "clients-2026-11-23.csv"
    assert everyone.body.startswith("Die Antworten all deiner")
    parsed = _csv(stub, everyone)
    assert {row[0] for row in parsed[1:]} == {"Ann Müller", "Bea"}
    assert {row[3] for row in parsed[1:]} <= CODES
    assert [row for row in parsed if row[0] == "Bea"] == [
        ["Bea", "2026-11-20", "09:00", "done", "easy", "", "1"],
        ["Bea", "2026-11-21", "09:00", "no_reply", "", "", "1"],
    ]
    _toast, after = await _press(dana, "Tv:all")
    assert _csv(stub, await _document(dana, after)) == parsed

    # Lee in Spanish sees only Kim, outcomes still as codes.
    speaks(stub, lee, "es")
    sent = await lee.send("/csv")
    kims = await _document(lee, sent.message_id)
    assert kims.body.startswith("Las respuestas de todos")
    assert _csv(stub, kims)[1:] == [["Kim", "2026-11-20", "09:00", "not_today", "", "tired", "1"]]
    # A therapist without clients gets a sentence, not an empty file.
    sam = stub.user(2002, "Sam")
    speaks(stub, dana, "en")
    await add_therapist(dana, sam)
    sent = await sam.send("/csv")
    await sam.wait_for(said("reports.no_clients"), after=sent.message_id)


async def test_reports_of_another_therapists_client_are_refused_alike(
    stub: BotApiStub, runtime: BotRuntime
) -> None:
    dana, lee, ids = await _setup(stub, runtime)
    missing = 10_000 + sum(ids.values())
    kim = ids["Kim"]
    forged = [f"Tc:{kim}", f"Tv:{kim}", f"Tc:{missing}", f"Tv:{missing}"]
    forged += ["Tc:", "Tc:abc", f"Tc:{kim}:1", "Tv:", "Tv:-1", "Tv:everyone", "Tv:all:1"]
    before = len(dana.messages)
    for data in forged:
        toast, after = await _press(dana, data)
        assert toast == STALE, data
        await dana.wait_quiet(0.2)
        new = [m for m in dana.messages if m.message_id > after]
        assert new == [], (data, [m.describe() for m in new])
    assert not [
        m for m in dana.messages[before:] if "photo" in m.content or "document" in m.content
    ]
    # A client pressing a therapist's button gets the same.
    ann = stub.user(3001, "Ann")
    for data in (f"Tc:{ids['Ann Müller']}", f"Tv:{ids['Ann Müller']}", "Tv:all"):
        assert (await _press(ann, data))[0] == STALE
    # Lee's own press works.
    _toast, after = await _press(lee, f"Tv:{kim}")
    assert len(_csv(stub, await _document(lee, after))) == 2
