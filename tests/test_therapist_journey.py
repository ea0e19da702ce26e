"""A therapist's first week, end to end, as the issue's reviewer drives it: a routine
with a photo, the invite by link and QR code, the client joins and answers with pain,
then the list, the detail, the chart, the CSV, an edit, and a revoked invite.

Each step is tested in depth elsewhere (test_builder, test_invite_qr, test_clients,
test_reports, test_routine_edit); this one proves they fit together in one session.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from bot.app import BotRuntime
from bot.clock import ManualClock
from bot.db.models import Exercise
from bot.sandbox.botapi import BotApiStub, FakeUser, StoredMessage, buttons
from tests.builder_journeys import name_and_dose
from tests.conftest import THERAPIST_ID, rows
from tests.journeys import INVITE_RE, enrol
from tests.test_invite_qr import _qr_text

MONDAY_NINE = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


async def _routine_with_a_photo(dana: FakeUser, label: str) -> StoredMessage:
    """/newclient: Bridge with a photo, Plank without; every day; saved. The invite."""
    sent = await dana.send("/newclient")
    await dana.wait_for("What name should I show you", after=sent.message_id)
    sent = await dana.send(label)
    await name_and_dose(dana, sent.message_id, "Bridge", "3 x 10")
    photo = await dana.send_photo(caption="Keep your back flat.")
    kept = await dana.wait_for("Photo kept", after=photo.message_id)
    await dana.press(kept, "Done")
    added = await dana.wait_for("Added: Bridge", after=kept.message_id)
    await dana.press(added, "Add another exercise")
    extras = await name_and_dose(dana, added.message_id, "Plank", "20 s")
    await dana.press(extras, "Skip")
    added = await dana.wait_for("Added: Plank", after=extras.message_id)
    await dana.press(added, "That's all")
    often = await dana.wait_for("How often", after=added.message_id)
    await dana.press(often, "Every day")
    review = await dana.wait_for(f"the routine for {label}", after=often.message_id)
    assert "📷" in review.body  # Bridge has its photo
    await dana.press(review, "Save and make the invite")
    return await dana.wait_for("Here is the invite", after=review.message_id)


def _token(invite: StoredMessage) -> str:
    match = INVITE_RE.search(invite.caption or "")
    assert match, invite.caption
    return match.group(2)


async def test_a_therapists_first_week_end_to_end(
    stub: BotApiStub, runtime: BotRuntime, clock: ManualClock
) -> None:
    dana, cleo = stub.user(THERAPIST_ID, "Dana"), stub.user(4101, "Cleo")
    clock.set(datetime(2026, 11, 23, 7, 0, tzinfo=UTC))

    # The invite: a link, and a QR code of exactly that link.
    invite = await _routine_with_a_photo(dana, "Cleo (shoulder)")
    assert _qr_text(stub, invite) in (invite.caption or "")
    await enrol(cleo, _token(invite), place="UTC", when="9am", therapist_name="Dana")
    await dana.wait_for("Cleo (shoulder) joined")

    # The nudge, with the therapist's photo one tap away; Done, and it was painful.
    clock.set(MONDAY_NINE)
    nudge = await cleo.wait_for("Bridge: 3 x 10")
    [bridge, _plank] = sorted(await rows(runtime, Exercise), key=lambda e: e.position)
    await cleo.press(nudge, "Show me")
    shown = await cleo.wait_for(lambda m: "photo" in m.content, after=nudge.message_id)
    assert shown.content["photo"][-1]["file_id"] == bridge.media_file_id
    await cleo.press(nudge, "Done")
    feeling = await cleo.wait_for("How did it feel?", after=nudge.message_id)
    await cleo.press(feeling, "Painful")
    alert = await dana.wait_for("reported pain", timeout=5.0)
    assert "Cleo (shoulder)" in alert.body
    [sent_alert] = [c for c in stub.calls_to("sendMessage") if "reported pain" in c.params["text"]]
    assert sent_alert.params.get("protect_content") is True

    # The list and the detail.
    sent = await dana.send("/clients")
    listing = await dana.wait_for("Your clients: ", after=sent.message_id)
    line = next(line for line in listing.body.splitlines() if "Cleo (shoulder)" in line)
    assert "1/1" in line, listing.body
    [detail_button] = [b for b in buttons(listing) if "Cleo" in b]
    await dana.press(listing, detail_button)
    detail = await dana.wait_for_edit(listing, "Recent answers")
    assert "Mon 23 Nov: done; felt painful" in detail.body, detail.body

    # The chart, as a picture.
    await dana.press(detail, "Chart")
    chart = await dana.wait_for(lambda m: "photo" in m.content, after=detail.message_id)
    data = stub.state.files[chart.content["photo"][-1]["file_id"]].data
    assert data is not None and data.startswith(b"\x89PNG")

    # The CSV, parsed as a spreadsheet would.
    await dana.press(detail, "CSV")
    document = await dana.wait_for(lambda m: "document" in m.content, after=chart.message_id)
    stored = stub.state.files[document.content["document"]["file_id"]].data
    assert stored is not None
    table = list(csv.reader(io.StringIO(stored.decode("utf-8-sig"), newline="")))
    assert table[0] == [
        "client",
        "date",
        "time",
        "outcome",
        "feeling",
        "barrier",
        "routine_version",
    ]
    assert table[1] == ["Cleo (shoulder)", "2026-11-23", "09:00", "done", "painful", "", "1"]

    # An edit: Plank goes; Cleo hears what changed, and the routine is at version 2.
    await dana.press(detail, "Edit routine")
    review = await dana.wait_for("the routine for Cleo (shoulder)", after=document.message_id)
    await dana.press(review, "✖️ 2")
    review = await dana.wait_for_edit(review, lambda m: "Plank" not in m.body)
    await dana.press(review, "Save changes")
    await dana.wait_for("now version 2", after=review.message_id)
    note = await cleo.wait_for("Dana updated your routine.", after=feeling.message_id)
    assert "Plank" in note.body

    # A second client's invite, revoked from its own button: the link no longer works.
    other = await _routine_with_a_photo(dana, "Dee")
    query = await dana.press(other, "Revoke link")
    assert (await dana.wait_for_answer(query)).text == "Link revoked."
    dee = stub.user(4102, "Dee")
    sent = await dee.send(f"/start {_token(other)}")
    refused = await dee.wait_for(lambda _m: True, after=sent.message_id)
    assert "revoked" in refused.body or "no longer" in refused.body, refused.body
