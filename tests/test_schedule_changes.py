"""Moving a reminder (/time): today's comes at the new time unless it already came.

`next_due_after_change` is the pure rule behind "never two nudges on one day";
these cases pin it down on ordinary days, on both DST transition days, and for
clients who move to another time zone.
"""

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.schedule import (
    EVERY_DAY,
    next_due,
    next_due_after_change,
    occurrence_local_date,
    weekdays_to_mask,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
MONDAY = date(2026, 6, 1)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_a_new_time_still_ahead_today_is_today() -> None:
    now = utc(2026, 6, 1, 8, 0)  # 10:00 in Berlin; the old time, 19:30, has not come
    assert next_due_after_change(time(12, 0), EVERY_DAY, BERLIN, now) == utc(2026, 6, 1, 10, 0)


def test_today_already_had_its_nudge_so_the_next_is_tomorrow() -> None:
    now = utc(2026, 6, 1, 8, 0)  # 10:00 in Berlin; today's came at 08:00
    due = next_due_after_change(time(12, 0), EVERY_DAY, BERLIN, now, taken={MONDAY})
    assert due == utc(2026, 6, 2, 10, 0)


def test_a_new_time_already_past_today_is_tomorrow() -> None:
    now = utc(2026, 6, 1, 13, 0)  # 15:00 in Berlin
    assert next_due_after_change(time(9, 0), EVERY_DAY, BERLIN, now) == utc(2026, 6, 2, 7, 0)


def test_chosen_days_skip_a_taken_day_to_the_next_chosen_one() -> None:
    mon_wed = weekdays_to_mask([0, 2])
    now = utc(2026, 6, 1, 8, 0)
    due = next_due_after_change(time(18, 0), mon_wed, BERLIN, now, taken={MONDAY})
    assert due == utc(2026, 6, 3, 16, 0)  # Wednesday 18:00 in Berlin


def test_taken_dates_that_are_not_next_change_nothing() -> None:
    now = utc(2026, 6, 1, 8, 0)
    taken = {MONDAY - timedelta(days=1), MONDAY + timedelta(days=3)}
    due = next_due_after_change(time(12, 0), EVERY_DAY, BERLIN, now, taken=taken)
    assert due == utc(2026, 6, 1, 10, 0)


def test_spring_forward_a_time_in_the_gap_comes_at_the_transition() -> None:
    # Berlin, Sunday 2026-03-29: 02:00 jumps to 03:00. At 00:30 the client picks 02:30.
    now = utc(2026, 3, 28, 23, 30)
    assert next_due_after_change(time(2, 30), EVERY_DAY, BERLIN, now) == utc(2026, 3, 29, 1, 0)
    taken = {date(2026, 3, 29)}
    due = next_due_after_change(time(2, 30), EVERY_DAY, BERLIN, now, taken=taken)
    assert due == utc(2026, 3, 30, 0, 30)  # Monday 02:30 CEST


def test_fall_back_the_repeated_hour_gives_no_second_chance() -> None:
    # Berlin, Sunday 2026-10-25: 03:00 CEST falls back to 02:00 CET; 02:30 happens twice.
    before_first = utc(2026, 10, 25, 0, 10)  # 02:10 CEST, first pass
    assert next_due_after_change(time(2, 30), EVERY_DAY, BERLIN, before_first) == utc(
        2026, 10, 25, 0, 30
    )
    between = utc(2026, 10, 25, 0, 40)  # 02:40 CEST: the first 02:30 is gone
    assert next_due_after_change(time(2, 30), EVERY_DAY, BERLIN, between) == utc(
        2026, 10, 26, 1, 30
    )
    # Today's came at 02:30 CEST; moving to 02:45 during the second pass is not today.
    second_pass = utc(2026, 10, 25, 1, 35)  # 02:35 CET
    due = next_due_after_change(
        time(2, 45), EVERY_DAY, BERLIN, second_pass, taken={date(2026, 10, 25)}
    )
    assert due == utc(2026, 10, 26, 1, 45)


def test_moving_west_does_not_repeat_the_day_that_already_had_its_nudge() -> None:
    # 08:00 in Berlin came at 06:00 UTC; at 07:00 UTC (03:00 in New York) the client
    # moves to New York, where 08:00 is still ahead: that Monday already had its nudge.
    now = utc(2026, 6, 1, 7, 0)
    assert next_due(time(8, 0), EVERY_DAY, NEW_YORK, now) == utc(2026, 6, 1, 12, 0)
    due = next_due_after_change(time(8, 0), EVERY_DAY, NEW_YORK, now, taken={MONDAY})
    assert due == utc(2026, 6, 2, 12, 0)


def test_moving_east_keeps_the_next_local_day() -> None:
    # 19:00 in New York came at 23:00 UTC Monday; in Berlin it is already Tuesday.
    now = utc(2026, 6, 1, 23, 30)
    due = next_due_after_change(time(19, 0), EVERY_DAY, BERLIN, now, taken={MONDAY})
    assert due == utc(2026, 6, 2, 17, 0)


ZONES = ["Europe/Berlin", "America/New_York", "Australia/Sydney", "Pacific/Chatham", "UTC"]


def test_random_changes_never_land_on_a_taken_day_and_never_look_back() -> None:
    rng = random.Random(8)
    start = utc(2026, 1, 1, 0, 0)
    for _ in range(3000):
        tz = ZoneInfo(rng.choice(ZONES))
        wall = time(rng.randrange(24), rng.choice([0, 15, 30, 45, 59]))
        mask = rng.randrange(1, EVERY_DAY + 1)
        now = start + timedelta(minutes=rng.randrange(2 * 365 * 24 * 60))
        today = now.astimezone(tz).date()
        taken = {today} if rng.random() < 0.5 else set()
        due = next_due_after_change(wall, mask, tz, now, taken=taken)
        assert due > now
        assert occurrence_local_date(due, wall, tz) not in taken
        plain = next_due(wall, mask, tz, now)
        if occurrence_local_date(plain, wall, tz) not in taken:
            assert due == plain
        else:
            assert due == next_due(wall, mask, tz, plain)


@pytest.mark.parametrize("taken", [set(), {MONDAY}])
def test_result_is_an_occurrence_of_the_new_time(taken: set[date]) -> None:
    due = next_due_after_change(time(7, 45), EVERY_DAY, BERLIN, utc(2026, 6, 1, 4, 0), taken)
    assert due.astimezone(BERLIN).time() == time(7, 45)
