"""Timing that learns, never imposes: offers made once, changes only on "yes".

End to end through the stub on both databases, moving the ManualClock over days and weeks.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.app import BotRuntime
from bot.clock import ManualClock
from bot.db.models import Nudge, PatternOffer, ReminderSlot
from bot.domain.schedule import weekdays_to_mask
from bot.sandbox.botapi import BotApiStub, FakeUser
from tests.conftest import THERAPIST_ID, rows, variants
from tests.journeys import create_client, enrol, enrol_daily_at_nine_utc
from tests.said import said

MONDAY = datetime(2026, 11, 23, tzinfo=UTC)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return MONDAY + timedelta(days=day, hours=hour, minutes=minute)


def _is_nudge(after: int) -> object:
    return lambda m: "Bridge: 3 x 10" in (m.text or "") and m.message_id > after


async def _later_then_done_in_the_evening(
    rae: FakeUser, clock: ManualClock, day: int, after: int
) -> int:
    """A nudge at 09:00, "Later" with no reminder, "Done" at 20:05; returns the last message id."""
    clock.set(at(day, 9))
    nudge = await rae.wait_for(_is_nudge(after))
    await rae.press(nudge, "Later")
    offer = await rae.wait_for(said("reply.later"), after=nudge.message_id)
    await rae.press(offer, "No reminder needed")
    await rae.wait_for(said("reply.later_none"), after=offer.message_id)
    clock.set(at(day, 20, 5))
    await rae.press(nudge, "Done")
    feeling = await rae.wait_for("How did it feel?", after=offer.message_id)
    return feeling.message_id


async def _evenings(stub: BotApiStub, clock: ManualClock, days: int) -> tuple[FakeUser, int]:
    """Rae, nudged at 09:00 UTC daily, says "Later" and then "Done" at 20:05 for `days` days."""
    therapist, rae = stub.user(THERAPIST_ID, "Dana", last_name="Physio"), stub.user(2001, "Rae")
    await enrol_daily_at_nine_utc(therapist, rae)
    last = 0
    for day in range(days):
        last = await _later_then_done_in_the_evening(rae, clock, day, last)
    return rae, last


async def test_later_then_done_in_the_evenings_offers_the_evening_once_and_yes_moves_it(
    stub: BotApiStub, runtime: BotRuntime, clock: ManualClock
) -> None:
    rae, last = await _evenings(stub, clock, 2)
    await rae.wait_quiet(0.3)
    assert not [m for m in rae.messages if "suit you better" in (m.text or "")]

    last = await _later_then_done_in_the_evening(rae, clock, 2, last)
    offer = await rae.wait_for(said("patterns.move_evening"), after=last - 1)
    assert "8:00 pm" in (offer.text or "")
    assert offer.buttons == ["Yes, please", "No thanks"]
    [slot] = await rows(runtime, ReminderSlot)
    assert slot.local_time == "09:00"  # nothing moved unasked

    await rae.press(offer, "Yes, please")
    await rae.wait_for(said("patterns.moved_time"), after=offer.message_id)
    await rae.wait_for_edit(offer, "Yes, please")
    [slot] = await rows(runtime, ReminderSlot)
    assert slot.local_time == "20:00"
    # Wednesday had its nudge already: the next one is Thursday at 20:00, never two a day.
    assert slot.next_due_at == at(3, 20)
    query = await rae.press_data(offer, f"u:{(await rows(runtime, PatternOffer))[0].id}:y")
    assert "expired" in ((await rae.wait_for_answer(query)).text or "")

    clock.set(at(3, 9))
    await runtime.engine.idle()
    assert not [m for m in await rae.wait_quiet(0.3) if "Bridge" in (m.text or "")]
    clock.set(at(3, 20))
    await rae.wait_for(_is_nudge(offer.message_id))
    dates = [n.local_date for n in await rows(runtime, Nudge)]
    assert len(dates) == len(set(dates)) == 4


async def test_no_thanks_changes_nothing_and_the_offer_is_not_made_again(
    stub: BotApiStub, runtime: BotRuntime, clock: ManualClock
) -> None:
    rae, last = await _evenings(stub, clock, 3)
    offer = await rae.wait_for(said("patterns.move_evening"), after=last - 1)
    other = stub.user(3001, "Ben")
    query = await other.press_data(offer, f"u:{(await rows(runtime, PatternOffer))[0].id}:y")
    assert "expired" in ((await other.wait_for_answer(query)).text or "")
    await rae.press(offer, "No thanks")
    await rae.wait_for(said("patterns.kept"), after=offer.message_id)
    [slot] = await rows(runtime, ReminderSlot)
    assert slot.local_time == "09:00"

    last = await _later_then_done_in_the_evening(rae, clock, 3, offer.message_id)
    await rae.wait_quiet(0.3)
    offers = [m for m in rae.messages if "suit you better" in (m.text or "")]
    assert len(offers) == 1 and offers[0].text.endswith("No thanks")  # type: ignore[union-attr]
    [answered] = await rows(runtime, PatternOffer)
    assert answered.answer == "no"


async def test_not_today_on_mondays_three_weeks_running_offers_another_day(
    stub: BotApiStub, runtime: BotRuntime, clock: ManualClock
) -> None:
    therapist, rae = stub.user(THERAPIST_ID, "Dana", last_name="Physio"), stub.user(2001, "Rae")
    token = await create_client(therapist, "Rae", [("Bridge", "3 x 10")], times_per_week=3)
    await enrol(
        rae,
        token,
        place="UTC",
        when="9am",
        days=["Mon", "Wed", "Fri"],
        therapist_name="Dana Physio",
    )
    last = 0
    for week in range(3):
        clock.set(at(7 * week, 9))
        nudge = await rae.wait_for(_is_nudge(last))
        await rae.press(nudge, "Not today")
        last = (await rae.wait_for(variants("reply.not_today"), after=nudge.message_id)).message_id
        if week < 2:
            await rae.wait_quiet(0.3)
            assert not [m for m in rae.messages if "hard to fit in" in (m.text or "")]
    offer = await rae.wait_for(said("patterns.move_day"), after=last - 1)
    assert "Mondays" in (offer.text or "") and "Tuesday" in (offer.text or "")
    await rae.press(offer, "Yes, please")
    await rae.wait_for(said("patterns.moved_day"), after=offer.message_id)
    [slot] = await rows(runtime, ReminderSlot)
    assert slot.weekdays == weekdays_to_mask([1, 2, 4])
    assert slot.next_due_at == at(15, 9)  # Tuesday of the third week
    clock.set(at(15, 9))
    await rae.wait_for(_is_nudge(offer.message_id))
