"""A therapist's /settings and the weekly digest: set by buttons and typing, sent on the
chosen weekday and time in the therapist's zone, once a week, one late one after
downtime, never to or about another therapist's clients.

End to end through the stub on both databases; the ManualClock is the only thing moved.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.app import BotRuntime
from bot.clock import ManualClock
from bot.db.models import Therapist
from bot.domain.types import Frequency
from bot.sandbox.botapi import BotApiStub, FakeUser, StoredMessage
from bot.scheduling.alerts import Digests
from tests.conftest import THERAPIST_ID, RuntimeFactory, rows
from tests.journeys import (
    add_therapist,
    create_client,
    create_client_in_store,
    enrol_daily_at_nine_utc,
)
from tests.said import said

MONDAY = datetime(2026, 11, 23, tzinfo=UTC)
WEEK = timedelta(days=7)
# Wednesday 25 November, 18:30 in Berlin (UTC+1).
DANA_DIGEST = datetime(2026, 11, 25, 17, 30, tzinfo=UTC)
TITLE = "Your weekly summary"


def _digests(therapist: FakeUser) -> list[StoredMessage]:
    return [m for m in therapist.messages if (m.text or "").startswith(TITLE)]


async def _open_settings(therapist: FakeUser) -> StoredMessage:
    sent = await therapist.send("/settings")
    return await therapist.wait_for("Your settings as a therapist", after=sent.message_id)


async def _digest_on(therapist: FakeUser) -> StoredMessage:
    view = await _open_settings(therapist)
    assert "Weekly digest: off" in view.body
    await therapist.press(view, "📋 Weekly digest: off")
    return await therapist.wait_for_edit(view, "Weekly digest: on, every Monday at 8:00 am")


async def _dana_chooses_wednesday_evening_in_berlin(dana: FakeUser) -> StoredMessage:
    view = await _digest_on(dana)
    await dana.press(view, "🕓 Time zone: UTC")
    question = await dana.wait_for("Which time zone", after=view.message_id)
    sent = await dana.send("Berlin")
    await dana.wait_for(said("timing.zone_set"), after=sent.message_id)
    view = await dana.wait_for("Time zone: Europe/Berlin", after=sent.message_id)
    assert question.message_id < view.message_id
    await dana.press(view, "📅 Day: Monday")
    await dana.wait_for_edit(view, "Which day")
    await dana.press(view, "Wednesday")
    await dana.wait_for_edit(view, "every Wednesday at 8:00 am")
    await dana.press(view, "⏰ Time: 8:00 am")
    await dana.wait_for_edit(view, "At what time")
    sent = await dana.send("18:30")
    return await dana.wait_for("every Wednesday at 6:30 pm", after=sent.message_id)


async def test_the_digest_comes_weekly_at_the_chosen_time_and_tells_only_of_own_clients(
    stub: BotApiStub, runtime: BotRuntime, clock: ManualClock
) -> None:
    dana, rae, lee = stub.user(THERAPIST_ID, "Dana"), stub.user(2001, "Rae"), stub.user(3001, "Lee")
    await add_therapist(dana, lee)
    await create_client(lee, "Zed", [("Squat", "3 x 8")])
    await enrol_daily_at_nine_utc(dana, rae)
    await create_client(dana, "Ivy", [("Plank", "20 s")])
    view = await _dana_chooses_wednesday_evening_in_berlin(dana)
    await _digest_on(lee)  # Lee: Mondays, 8:00 am UTC, so today's comes soon

    clock.set(MONDAY + timedelta(hours=9))
    lees = await lee.wait_for(TITLE, timeout=5.0)  # only Lee's own client
    assert "Zed" in lees.body and "Rae" not in lees.body and "Ivy" not in lees.body
    await rae.wait_for("Bridge: 3 x 10")
    sent = await rae.send("done, but my knee hurts")
    await dana.wait_for("reported pain")
    await rae.wait_for("contact your clinic", after=sent.message_id)
    for day in (1, 2):  # Tuesday's and Wednesday's go unanswered
        clock.set(MONDAY + timedelta(days=day, hours=9))
        await rae.wait_for(
            lambda m, d=day: len([n for n in rae.messages if "Bridge" in n.body]) > d
        )

    clock.set(DANA_DIGEST - timedelta(minutes=1))
    await runtime.engine.idle()
    assert _digests(dana) == []
    clock.set(DANA_DIGEST)
    digest = await dana.wait_for(TITLE, timeout=5.0)
    body = digest.body
    assert "2026-11-18 to 2026-11-25" in body
    # Rae (pain) first, marked; Ivy, who has not joined, after; Lee's Zed nowhere.
    assert body.index("Worth a look") < body.index("Rae: 1/3") < body.index("Everyone else")
    assert "pain or too hard ×1" in body
    assert body.index("Everyone else") < body.index("Ivy · not joined yet")
    assert "Zed" not in body
    [call] = [c for c in stub.calls_to("sendMessage") if c.params.get("text") == digest.text]
    assert call.params.get("protect_content") is True
    await runtime.engine.idle()
    assert len(_digests(dana)) == 1 and len(_digests(lee)) == 1

    # A week on, Dana's next; the pain report is older than this one's week.
    clock.set(DANA_DIGEST + WEEK)
    await dana.wait_for(lambda m: len(_digests(dana)) == 2, timeout=5.0)
    second = _digests(dana)[-1].body
    assert "Rae" in second and "pain" not in second and "Zed" not in second

    # Turned off (in place): no more.
    await dana.press(view, "📋 Weekly digest: on")
    await dana.wait_for_edit(view, "Weekly digest: off")
    clock.set(DANA_DIGEST + 2 * WEEK)
    await runtime.engine.idle()
    await dana.wait_quiet(0.3)
    assert len(_digests(dana)) == 2


async def test_after_downtime_one_late_digest_then_the_weekly_rhythm(
    stub: BotApiStub, start_bot: RuntimeFactory, clock: ManualClock
) -> None:
    runtime = await start_bot()
    dana = stub.user(THERAPIST_ID, "Dana")
    await create_client(dana, "Ivy", [("Plank", "20 s")])
    await _digest_on(dana)  # Mondays, 8:00 am UTC
    await runtime.stop()
    late = MONDAY + 3 * WEEK + timedelta(hours=10)  # four Mondays missed
    clock.set(late)
    runtime = await start_bot()
    await dana.wait_for(TITLE, timeout=5.0)
    await runtime.engine.idle()
    await dana.wait_quiet(0.5)
    assert len(_digests(dana)) == 1
    [row] = await rows(runtime, Therapist)
    assert row.digest_next_at == MONDAY + 4 * WEEK + timedelta(hours=8)
    clock.set(MONDAY + 4 * WEEK + timedelta(hours=8))
    await dana.wait_for(lambda m: len(_digests(dana)) == 2, timeout=5.0)


async def test_two_senders_claiming_at_once_send_one_digest(
    stub: BotApiStub, runtime: BotRuntime, clock: ManualClock
) -> None:
    """What a second replica would do at the same instant: only one claim wins."""
    dana = stub.user(THERAPIST_ID, "Dana")
    await _digest_on(dana)
    await runtime.engine.stop()  # this test plays the sender itself, twice over
    due = MONDAY + WEEK + timedelta(hours=8)
    sources = [Digests(runtime.db, runtime.texts) for _ in range(2)]
    results = await asyncio.gather(*(source.due(due) for source in sources))
    errands = [errand for found, _more in results for errand in found]
    assert len(errands) == 1 and errands[0].outgoing.chat_id == dana.id
    assert "No clients yet" in errands[0].outgoing.text
    assert [await source.due(due + timedelta(minutes=5)) for source in sources] == [([], False)] * 2


async def test_a_long_digest_comes_in_parts_in_order_each_within_telegrams_limit(
    stub: BotApiStub, runtime: BotRuntime, clock: ManualClock
) -> None:
    dana = stub.user(THERAPIST_ID, "Dana")
    labels = [f"Client {n:03d} with a fairly long label for the list" for n in range(150)]
    for label in labels:
        await create_client_in_store(runtime, dana, label, [("Bridge", "3 x 10")], Frequency.DAILY)
    await _digest_on(dana)  # Mondays 8:00 am UTC: today
    clock.set(MONDAY + timedelta(hours=8))
    await dana.wait_for(lambda m: len(_digests(dana)) == 1, timeout=5.0)
    first = _digests(dana)[0]
    await runtime.engine.idle()
    parts = [m for m in dana.messages if m.message_id >= first.message_id]
    assert len(parts) > 1 and all(len(m.body) <= 4096 for m in parts)
    text = "\n".join(m.body for m in parts)
    positions = [text.index(label) for label in labels]  # every client, in order
    assert positions == sorted(positions)
    calls = [c for c in stub.calls_to("sendMessage") if c.params.get("chat_id") == dana.id]
    assert all(c.params.get("protect_content") is True for c in calls[-len(parts) :])
