"""/clients and a client's detail, as a therapist uses them: statuses and "5/7" counts
after weeks of answers, those needing attention first, paging and the detail edited
in place, schedules in both zones.

The clock starts on Monday 23 November 2026, 06:00 UTC.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select, update

from bot.app import BotRuntime
from bot.db import roster
from bot.db.models import Client, ConcernReport, Message, Nudge, QuietSpell, Therapist
from bot.domain.types import MessageDirection
from bot.sandbox.botapi import BotApiStub, FakeUser, StoredMessage, buttons
from tests.clients_seeding import add_client, add_history
from tests.conftest import THERAPIST_ID

# Ann, yesterday back: done, some of it, not today, no reply, done, done; then 21 done.
ANN = ["done", "some", "not_today", "no_reply", "done", "done", *["done"] * 21]


async def _clinic(runtime: BotRuntime, dana: FakeUser) -> dict[str, int]:
    """Five clients with something to show, and twelve invited ones to fill two pages."""
    ids = {
        "Ann": await add_client(runtime, dana, "Ann", 5001, zone="Europe/Berlin"),
        "Bo": await add_client(runtime, dana, "Bo", 5002),
        "Cy": await add_client(runtime, dana, "Cy", 5003),
        "Di": await add_client(runtime, dana, "Di", 5004),
        "Ed": await add_client(runtime, dana, "Ed"),
    }
    for n in range(1, 13):
        await add_client(runtime, dana, f"Zed {n:02d}")
    nudges = await add_history(runtime, ids["Ann"], ANN, feelings={0: "hard", 1: "ok"})
    await add_history(runtime, ids["Bo"], ["done", "done"])
    now = runtime.clock.now()
    async with runtime.db.transaction() as session:
        some, not_today = await session.get(Nudge, nudges[1]), await session.get(Nudge, nudges[2])
        assert some is not None and not_today is not None
        some.exercises_done = "2"
        not_today.barrier, not_today.barrier_note = "other", "my kid was sick"
        session.add_all([some, not_today])
        await session.exec(  # type: ignore[call-overload]
            update(Client).where(Client.id == ids["Cy"]).values(reachable=False)
        )
        session.add(QuietSpell(client_id=ids["Di"], started_at=now - timedelta(days=2)))
        session.add(
            ConcernReport(
                client_id=ids["Bo"],
                concern="painful",
                source="text",
                words="my knee hurts",
                at=now - timedelta(days=1),
            )
        )
        for hours, direction, text in (
            (20, MessageDirection.TO_THERAPIST, "Is the clam fine with my hip?"),
            (19, MessageDirection.TO_CLIENT, "Yes, go gently."),
        ):
            at, ann = now - timedelta(hours=hours), ids["Ann"]
            session.add(Message(client_id=ann, direction=direction, text=text, created_at=at))
    return ids


def _client_lines(message: StoredMessage) -> list[str]:
    return [line for line in message.body.splitlines() if ": " in line and " · " in line]


async def _open_list(dana: FakeUser) -> StoredMessage:
    sent = await dana.send("/clients")
    return await dana.wait_for("Your clients: ", after=sent.message_id)


async def test_the_list_shows_status_and_counts_with_attention_first_and_pages_in_place(
    stub: BotApiStub, runtime: BotRuntime
) -> None:
    dana = stub.user(THERAPIST_ID, "Dana")
    ids = await _clinic(runtime, dana)

    listing = await _open_list(dana)
    assert "17 (page 1 of 2)" in listing.body
    assert "⚠ 3 may need a look" in listing.body
    lines = _client_lines(listing)
    assert lines[:5] == [
        "⚠ Bo: active, pain reported · 2/2 · 2/2",
        "⚠ Cy: out of reach · – · –",
        "⚠ Di: gone quiet · – · –",
        "Ann: active · 4/6 · 25/27",
        "Ed: invited · – · –",
    ]
    assert [line.split(":")[0] for line in lines[5:]] == [f"Zed {n:02d}" for n in range(1, 6)]
    assert buttons(listing)[:4] == ["⚠ Bo", "⚠ Cy", "⚠ Di", "Ann"]
    assert buttons(listing)[-1] == "Next ›"
    assert len(listing.body) < 4096

    await dana.press(listing, "Next ›")
    second = await dana.wait_for_edit(listing, "page 2 of 2")
    assert [line.split(":")[0] for line in _client_lines(second)] == [
        f"Zed {n:02d}" for n in range(6, 13)
    ]
    assert buttons(second)[-1] == "‹ Previous"
    await dana.press(second, "‹ Previous")
    again = await dana.wait_for_edit(listing, "page 1 of 2")
    assert again.message_id == listing.message_id
    assert len(dana.messages) == 1  # paging sent nothing new

    # The list counts exactly what the client's own /progress counts.
    therapist_id = next(t.id for t in await _rows_therapists(runtime))
    async with runtime.db.transaction() as session:
        shown = await roster.roster_page(session, therapist_id, runtime.clock.now(), 0, 10)
    ann = next(e for e in shown.entries if e.client_id == ids["Ann"])
    assert (ann.week.done, ann.week.scheduled, ann.month.done, ann.month.scheduled) == (
        4,
        6,
        25,
        27,
    )


async def _rows_therapists(runtime: BotRuntime) -> list[Therapist]:
    async with runtime.db.transaction() as session:
        return list(await session.exec(select(Therapist)))


async def test_the_detail_shows_both_zones_answers_messages_and_pain(
    stub: BotApiStub, runtime: BotRuntime
) -> None:
    dana = stub.user(THERAPIST_ID, "Dana")
    ids = await _clinic(runtime, dana)
    listing = await _open_list(dana)

    await dana.press(listing, "Ann")
    detail = await dana.wait_for_edit(listing, "Recent answers")
    body = detail.body
    assert body.startswith("Ann\nStatus: active\nInvite link: used, they joined")
    assert "Routine (every day): Bridge 3 x 10; Clam 2 x 15" in body
    assert "at 9:00 am their time (Europe/Berlin), 8:00 am your time (UTC)" in body
    assert "in UTC until you choose your time zone" in body
    assert "Done in the last 7 days: 4/6 · last 28 days: 25/27" in body
    assert "Sun 22 Nov: done; felt hard" in body
    assert "Sat 21 Nov: some of it; did Clam; felt ok" in body
    assert "Fri 20 Nov: not today; something else; “my kid was sick”" in body
    assert "Thu 19 Nov: no reply" in body
    assert "Sun 22 Nov, Ann: “Is the clam fine with my hip?”" in body
    assert "Sun 22 Nov, you: “Yes, go gently.”" in body
    assert len(body) <= 4096
    assert buttons(detail) == [
        "Edit routine",
        "Pause nudges",
        "Message",
        "Chart",
        "CSV",
        "Remove client",
        "‹ Back to list",
    ]
    data = [b["callback_data"] for row in detail.reply_markup["inline_keyboard"] for b in row]
    cid = ids["Ann"]
    prefixes = ["Te", "Tp", "Tm", "Tc", "Tv", "Tk"]
    assert data == [f"{p}:{cid}" + (":p" if p == "Tp" else "") for p in prefixes] + ["Tl:0"]

    # With a zone of her own, Dana reads Ann's 9:00 in New York time, the day before.
    async with runtime.db.transaction() as session:
        await session.exec(  # type: ignore[call-overload]
            update(Therapist).values(timezone="America/New_York")
        )
    await dana.press(detail, "‹ Back to list")
    back = await dana.wait_for_edit(listing, "Your clients: ")
    await dana.press(back, "Ann")
    detail = await dana.wait_for_edit(listing, "America/New_York")
    assert "at 9:00 am their time (Europe/Berlin), 3:00 am your time (America/New_York)" in (
        detail.body
    )
    assert "until you choose your time zone" not in detail.body

    # Bo's pain report, and an invited client's link and "New invite link".
    await dana.press(detail, "‹ Back to list")
    back = await dana.wait_for_edit(listing, "Your clients: ")
    await dana.press(back, "⚠ Bo")
    bo = await dana.wait_for_edit(listing, "Pain and")
    assert "Sun 22 Nov: painful: “my knee hurts”" in bo.body
    await dana.press(bo, "‹ Back to list")
    back = await dana.wait_for_edit(listing, "Your clients: ")
    await dana.press(back, "Ed")
    ed = await dana.wait_for_edit(listing, "Invite link: waiting to be opened")
    assert "No nudges yet" in ed.body
    assert buttons(ed) == ["Edit routine", "New invite link", "Remove client", "‹ Back to list"]
    await dana.press(ed, "New invite link")
    fresh = await dana.wait_for("Here is a fresh invite for Ed")
    assert fresh.caption is not None and "t.me/" in fresh.caption
    assert len(dana.messages) == 2  # the list, edited throughout, and the new invite


async def test_a_long_history_is_trimmed_to_one_message_oldest_first(
    stub: BotApiStub, runtime: BotRuntime
) -> None:
    dana = stub.user(THERAPIST_ID, "Dana")
    cid = await add_client(runtime, dana, "Ann", 5001)
    await add_history(runtime, cid, ["not_today"] * 30)
    now = runtime.clock.now()
    async with runtime.db.transaction() as session:
        for nudge in await session.exec(select(Nudge)):
            nudge.barrier, nudge.barrier_note = "other", "x" * 1000
            session.add(nudge)
        for n in range(12):
            session.add(
                Message(
                    client_id=cid,
                    direction=MessageDirection.TO_THERAPIST,
                    text=f"message {n} " + "y" * 1000,
                    created_at=now - timedelta(hours=30 - n),
                )
            )
    listing = await _open_list(dana)
    await dana.press(listing, "Ann")
    detail = await dana.wait_for_edit(listing, "Recent answers")
    assert len(detail.body) <= 4096
    assert "Sun 22 Nov: not today" in detail.body  # the newest answer stays
    assert "message 11" in detail.body and "message 0 " not in detail.body
