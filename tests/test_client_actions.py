"""From a client's detail: pause and resume their nudges, remove them for good; and a
second therapist's forged presses, which change nothing and reveal nothing.

The clock starts on Monday 23 November 2026, 06:00 UTC; Rae is nudged daily at 09:00 UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.app import BotRuntime
from bot.clock import ManualClock
from bot.db.models import Client, Invite, Message, Nudge, Routine
from bot.domain.types import MessageDirection
from bot.sandbox.botapi import BotApiStub, FakeUser, StoredMessage
from tests.clients_seeding import add_client, add_history
from tests.conftest import THERAPIST_ID, rows, variants
from tests.journeys import add_therapist, press_forged
from tests.rights_journeys import enrolled
from tests.test_erasure import _settled_mentions, _their_ids

STALE = "That button has expired. Nothing changed."


def _at(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


async def _detail(therapist: FakeUser, label: str) -> StoredMessage:
    sent = await therapist.send("/clients")
    listing = await therapist.wait_for("Your clients: ", after=sent.message_id)
    await therapist.press(listing, label)
    return await therapist.wait_for_edit(listing, "Status: ")


async def test_pausing_a_client_stops_nudges_until_resumed(
    stub: BotApiStub, runtime: BotRuntime, clock: ManualClock
) -> None:
    dana, rae = await enrolled(stub, 6001)
    detail = await _detail(dana, "Rae")
    await dana.press(detail, "Pause nudges")
    paused = await dana.wait_for_edit(detail, "Status: paused")
    assert "Resume nudges" in str(paused.reply_markup)
    note = await rae.wait_for(lambda m: "paused your reminders" in m.body or "are paused" in m.body)
    assert "Dana" in note.body
    [client] = await rows(runtime, Client)
    assert (client.status, client.paused_until) == ("paused", None)

    for day in (23, 24):
        clock.set(_at(day, 9))
        await runtime.engine.idle()
        assert [m for m in await rae.wait_quiet(0.3) if "Bridge" in m.body] == []

    clock.set(_at(24, 12))  # today's time has gone by: the next nudge is tomorrow's
    await dana.press(paused, "Resume nudges")
    await dana.wait_for_edit(detail, "Status: active")
    await rae.wait_for(lambda m: "back on" in m.body, after=note.message_id)
    clock.set(_at(25, 9))
    await rae.wait_for("Bridge: 3 x 10")
    await runtime.engine.idle()
    assert [(n.local_date.isoformat(), n.status) for n in await rows(runtime, Nudge)] == [
        ("2026-11-25", "sent")
    ]


async def test_removing_a_client_deletes_every_row_about_them_and_tells_them_kindly(
    stub: BotApiStub, runtime: BotRuntime
) -> None:
    dana, rae = await enrolled(stub, 6001)
    [rae_row] = await rows(runtime, Client)
    assert rae_row.id is not None
    await add_history(runtime, rae_row.id, ["done", "not_today", "some"], feelings={0: "hard"})
    async with runtime.db.transaction() as session:
        session.add(
            Message(
                client_id=rae_row.id,
                direction=MessageDirection.TO_THERAPIST,
                text="Thanks!",
                created_at=runtime.clock.now(),
            )
        )
    kept = await add_client(runtime, dana, "Ben", 6002)
    never_joined = await add_client(runtime, dana, "Cy")

    ids = await _their_ids(runtime, 6001)
    assert ids["nudge"] and ids["reply"] and ids["routine"] and ids["reminderslot"]
    detail = await _detail(dana, "Rae")
    await dana.press(detail, "Remove client")
    question = await dana.wait_for_edit(detail, "Remove Rae?")
    await dana.press(question, "No, keep them")
    detail = await dana.wait_for_edit(detail, "Status: active")
    await dana.press(detail, "Remove client")
    question = await dana.wait_for_edit(detail, "Remove Rae?")
    await dana.press(question, "Yes, remove and delete")
    await dana.wait_for_edit(detail, "Rae is removed")
    goodbye = await rae.wait_for("ended your home-exercise program")
    assert "Dana" in goodbye.body and "deleted" in goodbye.body

    assert await _settled_mentions(runtime, 6001, ids, []) == []
    assert sorted(c.id for c in await rows(runtime, Client)) == sorted([kept, never_joined])

    # A client who never joined has no Telegram user: removed by their id alone.
    detail = await _detail(dana, "Cy")
    await dana.press(detail, "Remove client")
    question = await dana.wait_for_edit(detail, "Remove Cy?")
    await dana.press(question, "Yes, remove and delete")
    await dana.wait_for_edit(detail, "Cy is removed")
    assert [c.id for c in await rows(runtime, Client)] == [kept]
    assert {i.client_id for i in await rows(runtime, Invite)} == {kept}
    assert {r.client_id for r in await rows(runtime, Routine)} == {kept}
    # Rae is a stranger now.
    sent = await rae.send("/progress")
    await rae.wait_for(variants("progress.not_client"), after=sent.message_id)


async def test_another_therapists_client_reads_like_no_client_at_all(
    stub: BotApiStub, runtime: BotRuntime
) -> None:
    dana, lee = stub.user(THERAPIST_ID, "Dana"), stub.user(2001, "Lee")
    await add_therapist(dana, lee)
    kim = await add_client(runtime, lee, "Kim", 6003)
    ann = await add_client(runtime, dana, "Ann", 6004)
    missing = kim + ann + 1000

    detail = await _detail(dana, "Ann")
    assert "Kim" not in detail.body
    forged = [
        f"{data}"
        for target in (kim, missing)
        for data in (
            f"Td:{target}",
            f"Td:{target}:0",
            f"Tp:{target}:p",
            f"Tp:{target}:r",
            f"Tk:{target}",
            f"Tk:{target}:y",
            f"Tk:{target}:n",
        )
    ]
    garbage = ["Tl:", "Tl:-1", "Tl:x", "Tl:1:2", "Td:", "Td:1:2:3", "Tp:1", "Tp:1:z", "Tk:1:q"]
    assert await press_forged(dana, detail, *forged, *garbage) == [STALE] * (
        len(forged) + len(garbage)
    )
    # A client, or a stranger, pressing Dana's own buttons: the same.
    assert await press_forged(stub.user(6004, "Ann"), detail, f"Td:{ann}", "Tl:0") == [STALE] * 2

    # Nothing of Lee's changed, and Dana's list has only her own.
    clients = {c.id: c for c in await rows(runtime, Client)}
    assert clients[kim].status == "active" and clients[ann].status == "active"
    assert len(await rows(runtime, Invite)) == 2
    sent = await lee.send("/clients")
    lee_list = await lee.wait_for("Your clients: 1", after=sent.message_id)
    assert "Kim" in lee_list.body and "Ann" not in lee_list.body
    sent = await dana.send("/clients")
    dana_list = await dana.wait_for("Your clients: 1", after=sent.message_id)
    assert "Ann" in dana_list.body and "Kim" not in dana_list.body
