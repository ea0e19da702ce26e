"""Weekly reminders across DST transitions: one nudge per chosen local day, always.

The expectations are computed by a deliberately naive oracle (scan wall-clock
minutes until one exists, take the earlier of two folds) so the tests do not
share the production code's reasoning about PEP 495 offsets.
"""

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from bot.domain.schedule import (
    EVERY_DAY,
    mask_to_weekdays,
    next_due,
    occurrence_local_date,
    weekdays_to_mask,
)

FIRST_DAY = date(2026, 1, 1)
LAST_DAY = date(2027, 12, 31)

WALKED_ZONES = [
    "Europe/Berlin",
    "America/New_York",
    "Australia/Sydney",
    "Asia/Kolkata",
    "Pacific/Chatham",
]
# 02:30 sits in the spring gap of Berlin, New York and Sydney and in the repeated
# hour of Berlin and Sydney; 01:30 is New York's repeated hour. Chatham moves at
# 02:45 local, so 02:45, 03:15 and 03:44 probe both edges of its gap and overlap.
WALKED_TIMES = [
    time(0, 0),
    time(1, 30),
    time(2, 0),
    time(2, 30),
    time(2, 45),
    time(3, 0),
    time(3, 15),
    time(3, 44),
    time(9, 0),
    time(23, 59),
]

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


# --- oracle ---------------------------------------------------------------------


def wall_exists(naive: datetime, tz: ZoneInfo) -> bool:
    """A wall time exists if it survives a round trip through UTC."""
    aware = naive.replace(tzinfo=tz)
    return aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == naive


def is_repeated(naive: datetime, tz: ZoneInfo) -> bool:
    """Exists and maps to two different instants depending on fold."""
    first = naive.replace(tzinfo=tz, fold=0).astimezone(UTC)
    second = naive.replace(tzinfo=tz, fold=1).astimezone(UTC)
    return wall_exists(naive, tz) and first != second


def expected_occurrence(day: date, wall: time, tz: ZoneInfo) -> datetime:
    """Brute force: first existing wall minute at or after the requested one, earliest fold."""
    naive = datetime.combine(day, wall)
    while not wall_exists(naive, tz):
        naive = naive.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return min(naive.replace(tzinfo=tz, fold=fold).astimezone(UTC) for fold in (0, 1))


def days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def walk(wall: time, mask: int, tz: ZoneInfo, first: date, last: date) -> list[datetime]:
    """Chain next_due from just before ``first`` until past ``last`` (local dates)."""
    after = datetime.combine(first, time(0, 0), tzinfo=tz) - timedelta(microseconds=1)
    occurrences = []
    while True:
        due = next_due(wall, mask, tz, after)
        assert due > after, (after, due)  # also keeps a regression from looping forever
        if occurrence_local_date(due, wall, tz) > last:
            return occurrences
        occurrences.append(due)
        after = due


# --- masks ----------------------------------------------------------------------


def test_mask_bits_follow_date_weekday() -> None:
    assert weekdays_to_mask([MON]) == 0b1
    assert weekdays_to_mask([SUN]) == 0b100_0000
    assert weekdays_to_mask([MON, WED, FRI]) == 0b1_0101
    assert weekdays_to_mask(range(7)) == EVERY_DAY == 0x7F
    assert weekdays_to_mask([FRI, MON, FRI]) == weekdays_to_mask([MON, FRI])
    assert mask_to_weekdays(0b1_0101) == [MON, WED, FRI]
    assert mask_to_weekdays(EVERY_DAY) == list(range(7))


def test_every_valid_mask_round_trips() -> None:
    for mask in range(1, EVERY_DAY + 1):
        assert weekdays_to_mask(mask_to_weekdays(mask)) == mask


@pytest.mark.parametrize("mask", [0, -1, 128, 0xFF, 1 << 7])
def test_masks_that_cannot_fire_are_rejected(mask: int) -> None:
    with pytest.raises(ValueError):
        mask_to_weekdays(mask)
    with pytest.raises(ValueError):
        next_due(time(9, 0), mask, ZoneInfo("UTC"), datetime(2026, 1, 1, tzinfo=UTC))


@pytest.mark.parametrize("weekdays", [[], [7], [-1], [MON, 8]])
def test_weekday_numbers_are_validated(weekdays: list[int]) -> None:
    with pytest.raises(ValueError):
        weekdays_to_mask(weekdays)


# --- basic contract ----------------------------------------------------------------


def test_naive_after_is_rejected() -> None:
    with pytest.raises(ValueError):
        next_due(time(9, 0), EVERY_DAY, ZoneInfo("Europe/Berlin"), datetime(2026, 1, 1, 8))


def test_naive_due_is_rejected() -> None:
    with pytest.raises(ValueError):
        occurrence_local_date(datetime(2026, 1, 1, 8), time(9, 0), ZoneInfo("Europe/Berlin"))


def test_result_is_utc_even_when_after_is_in_another_zone() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    after = datetime(2026, 6, 1, 8, 0, tzinfo=ZoneInfo("Asia/Tokyo"))  # 01:00 Berlin
    due = next_due(time(9, 0), EVERY_DAY, berlin, after)
    assert due.tzinfo is UTC
    assert due == datetime(2026, 6, 1, 7, 0, tzinfo=UTC)


def test_after_exactly_on_an_occurrence_yields_the_next_one() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    occurrence = datetime(2026, 6, 1, 7, 0, tzinfo=UTC)  # 09:00 CEST
    assert next_due(time(9, 0), EVERY_DAY, berlin, occurrence) == occurrence + timedelta(days=1)
    just_before = occurrence - timedelta(microseconds=1)
    assert next_due(time(9, 0), EVERY_DAY, berlin, just_before) == occurrence
    mon_wed_fri = weekdays_to_mask([MON, WED, FRI])  # 2026-06-01 is a Monday
    assert next_due(time(9, 0), mon_wed_fri, berlin, occurrence) == occurrence + timedelta(days=2)


def test_single_weekday_a_full_week_ahead() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    occurrence = datetime(2026, 6, 1, 7, 0, tzinfo=UTC)  # Monday 09:00
    assert next_due(time(9, 0), weekdays_to_mask([MON]), berlin, occurrence) == datetime(
        2026, 6, 8, 7, 0, tzinfo=UTC
    )


def test_time_fold_and_tzinfo_are_ignored() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    after = datetime(2026, 10, 24, 12, 0, tzinfo=UTC)
    plain = next_due(time(2, 30), EVERY_DAY, berlin, after)
    assert next_due(time(2, 30, fold=1), EVERY_DAY, berlin, after) == plain
    assert next_due(time(2, 30, tzinfo=ZoneInfo("Asia/Tokyo")), EVERY_DAY, berlin, after) == plain


# --- known transitions, written out by hand ---------------------------------------------


@pytest.mark.parametrize(
    ("zone", "local_day", "wall", "expected_utc"),
    [
        # Spring forward: the first valid minute after the gap.
        ("Europe/Berlin", date(2026, 3, 29), time(2, 30), datetime(2026, 3, 29, 1, 0)),
        ("Europe/Berlin", date(2027, 3, 28), time(2, 0), datetime(2027, 3, 28, 1, 0)),
        ("America/New_York", date(2026, 3, 8), time(2, 30), datetime(2026, 3, 8, 7, 0)),
        ("America/New_York", date(2027, 3, 14), time(2, 59), datetime(2027, 3, 14, 7, 0)),
        ("Australia/Sydney", date(2026, 10, 4), time(2, 30), datetime(2026, 10, 3, 16, 0)),
        ("Pacific/Chatham", date(2026, 9, 27), time(2, 45), datetime(2026, 9, 26, 14, 0)),
        ("Pacific/Chatham", date(2026, 9, 27), time(3, 15), datetime(2026, 9, 26, 14, 0)),
        ("Pacific/Chatham", date(2027, 9, 26), time(3, 44), datetime(2027, 9, 25, 14, 0)),
        # Fall back: the first of the two occurrences, on the summer offset.
        ("Europe/Berlin", date(2026, 10, 25), time(2, 30), datetime(2026, 10, 25, 0, 30)),
        ("America/New_York", date(2026, 11, 1), time(1, 30), datetime(2026, 11, 1, 5, 30)),
        ("America/New_York", date(2027, 11, 7), time(1, 0), datetime(2027, 11, 7, 5, 0)),
        ("Australia/Sydney", date(2026, 4, 5), time(2, 30), datetime(2026, 4, 4, 15, 30)),
        ("Pacific/Chatham", date(2026, 4, 5), time(2, 45), datetime(2026, 4, 4, 13, 0)),
        ("Pacific/Chatham", date(2027, 4, 4), time(3, 15), datetime(2027, 4, 3, 13, 30)),
        # No DST at all: +05:30 every day.
        ("Asia/Kolkata", date(2026, 3, 29), time(2, 30), datetime(2026, 3, 28, 21, 0)),
        ("Asia/Kolkata", date(2026, 10, 25), time(0, 0), datetime(2026, 10, 24, 18, 30)),
    ],
)
def test_transition_days(zone: str, local_day: date, wall: time, expected_utc: datetime) -> None:
    tz = ZoneInfo(zone)
    expected = expected_utc.replace(tzinfo=UTC)
    day_before = datetime.combine(local_day - timedelta(days=1), time(12, 0), tzinfo=tz)
    due = next_due(wall, EVERY_DAY, tz, day_before)
    assert due == expected
    assert occurrence_local_date(due, wall, tz) == local_day
    # Feeding the occurrence back in moves on to the next local day, never to the
    # second pass through a repeated hour.
    following = next_due(wall, EVERY_DAY, tz, due)
    assert occurrence_local_date(following, wall, tz) == local_day + timedelta(days=1)
    assert following.astimezone(tz).time() == wall


def test_fall_back_second_pass_is_not_an_occurrence() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST
    second = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 02:30 CET, same wall time
    next_day = datetime(2026, 10, 26, 1, 30, tzinfo=UTC)
    for after in (first, first + timedelta(minutes=30), second - timedelta(seconds=1), second):
        assert next_due(time(2, 30), EVERY_DAY, berlin, after) == next_day


# --- two full years, every day --------------------------------------------------------


@pytest.mark.parametrize("zone", WALKED_ZONES)
@pytest.mark.parametrize("wall", WALKED_TIMES, ids=str)
def test_daily_walk_over_two_years(zone: str, wall: time) -> None:
    tz = ZoneInfo(zone)
    occurrences = walk(wall, EVERY_DAY, tz, FIRST_DAY, LAST_DAY)
    all_days = list(days(FIRST_DAY, LAST_DAY))

    assert [occurrence_local_date(due, wall, tz) for due in occurrences] == all_days
    assert all(a < b for a, b in pairwise(occurrences))
    for day, due in zip(all_days, occurrences, strict=True):
        assert due.tzinfo is UTC
        assert due == expected_occurrence(day, wall, tz), day
        local = due.astimezone(tz)
        if wall_exists(datetime.combine(day, wall), tz):
            assert (local.date(), local.time()) == (day, wall), day
        else:
            assert local.date() == day
            assert local.time() > wall
            assert local.second == 0
            # Nothing earlier on that local day after the requested time exists.
            one_minute_earlier = local.replace(tzinfo=None) - timedelta(minutes=1)
            assert not wall_exists(one_minute_earlier, tz), day


@pytest.mark.parametrize(
    ("zone", "wall", "gap_days", "repeated_days"),
    [
        ("Europe/Berlin", time(2, 30), 2, 2),
        ("America/New_York", time(2, 30), 2, 0),
        ("America/New_York", time(1, 30), 0, 2),
        ("Australia/Sydney", time(2, 30), 2, 2),
        ("Pacific/Chatham", time(2, 45), 2, 2),
        ("Pacific/Chatham", time(3, 15), 2, 2),
        ("Asia/Kolkata", time(2, 30), 0, 0),
    ],
)
def test_walk_really_crosses_the_transitions(
    zone: str, wall: time, gap_days: int, repeated_days: int
) -> None:
    """Guards the walk above against silently testing only ordinary days."""
    tz = ZoneInfo(zone)
    naive_days = [datetime.combine(day, wall) for day in days(FIRST_DAY, LAST_DAY)]
    assert sum(not wall_exists(naive, tz) for naive in naive_days) == gap_days
    assert sum(is_repeated(naive, tz) for naive in naive_days) == repeated_days


# --- weekday masks ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "wall", "weekdays"),
    [
        ("Europe/Berlin", time(2, 30), [MON, WED, FRI]),
        ("Europe/Berlin", time(2, 30), [SUN]),  # European transitions are on Sundays
        ("America/New_York", time(2, 30), [SAT, SUN]),
        ("America/New_York", time(1, 30), [SUN]),
        ("Australia/Sydney", time(2, 30), [TUE, THU, SUN]),
        ("Pacific/Chatham", time(3, 15), [SUN]),
        ("Asia/Kolkata", time(9, 0), [MON, WED, FRI]),
    ],
)
def test_weekday_mask_walk(zone: str, wall: time, weekdays: list[int]) -> None:
    tz = ZoneInfo(zone)
    occurrences = walk(wall, weekdays_to_mask(weekdays), tz, FIRST_DAY, LAST_DAY)
    local_days = [occurrence_local_date(due, wall, tz) for due in occurrences]
    assert local_days == [day for day in days(FIRST_DAY, LAST_DAY) if day.weekday() in weekdays]
    assert all(a < b for a, b in pairwise(occurrences))
    for day, due in zip(local_days, occurrences, strict=True):
        assert due == expected_occurrence(day, wall, tz), day


# --- clients moving -----------------------------------------------------------------


def test_client_changing_time_zone_is_recomputed_from_now() -> None:
    now = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)  # 14:00 in Berlin, 08:00 in New York
    nine = time(9, 0)
    in_berlin = next_due(nine, EVERY_DAY, ZoneInfo("Europe/Berlin"), now)
    assert in_berlin == datetime(2026, 6, 2, 7, 0, tzinfo=UTC)

    new_york = ZoneInfo("America/New_York")
    in_new_york = next_due(nine, EVERY_DAY, new_york, now)
    assert in_new_york == datetime(2026, 6, 1, 13, 0, tzinfo=UTC)  # still today over there
    assert in_new_york.astimezone(new_york).time() == nine

    kolkata = ZoneInfo("Asia/Kolkata")
    in_kolkata = next_due(nine, EVERY_DAY, kolkata, in_new_york)
    assert in_kolkata == datetime(2026, 6, 2, 3, 30, tzinfo=UTC)
    assert occurrence_local_date(in_kolkata, nine, kolkata) == date(2026, 6, 2)


def test_move_across_the_date_line_keeps_the_weekday_local() -> None:
    chatham = ZoneInfo("Pacific/Chatham")
    saturday_mornings = weekdays_to_mask([SAT])
    friday_noon_utc = datetime(2026, 6, 5, 12, 0, tzinfo=UTC)  # Saturday 00:45 in Chatham
    due = next_due(time(9, 0), saturday_mornings, chatham, friday_noon_utc)
    assert occurrence_local_date(due, time(9, 0), chatham) == date(2026, 6, 6)
    assert due == datetime(2026, 6, 5, 20, 15, tzinfo=UTC)  # still Friday in UTC

    friday_late_utc = datetime(2026, 6, 5, 22, 0, tzinfo=UTC)  # Saturday 10:45 in Chatham
    due = next_due(time(9, 0), saturday_mornings, chatham, friday_late_utc)
    assert occurrence_local_date(due, time(9, 0), chatham) == date(2026, 6, 13)
    assert due.astimezone(chatham).weekday() == SAT


# --- odd corners --------------------------------------------------------------------


def test_a_whole_skipped_local_day() -> None:
    """Samoa skipped 2011-12-30 entirely; its occurrence fires once, at the end of the gap."""
    apia = ZoneInfo("Pacific/Apia")
    ten = time(10, 0)
    after = datetime(2011, 12, 29, 12, 0, tzinfo=apia)
    skipped = next_due(ten, EVERY_DAY, apia, after)
    assert skipped.astimezone(apia).replace(tzinfo=None) == datetime(2011, 12, 31, 0, 0)
    assert occurrence_local_date(skipped, ten, apia) == date(2011, 12, 30)
    regular = next_due(ten, EVERY_DAY, apia, skipped)
    assert regular.astimezone(apia).replace(tzinfo=None) == datetime(2011, 12, 31, 10, 0)
    assert occurrence_local_date(regular, ten, apia) == date(2011, 12, 31)


def test_stale_due_falls_back_to_its_local_date() -> None:
    """A row computed for an older time must not crash the dispatcher."""
    berlin = ZoneInfo("Europe/Berlin")
    due = datetime(2026, 6, 1, 7, 0, tzinfo=UTC)  # 09:00, but the slot now says 18:00
    assert occurrence_local_date(due, time(18, 0), berlin) == date(2026, 6, 1)


FUZZ_ZONES = [
    *WALKED_ZONES,
    "Europe/London",
    "America/Santiago",  # transitions at local midnight
    "America/Havana",
    "Asia/Beirut",
    "Australia/Lord_Howe",  # 30-minute DST
    "Africa/Casablanca",  # DST suspended during Ramadan
    "America/St_Johns",
    "Asia/Tehran",
    "Pacific/Apia",
    "UTC",
]


def test_random_instants_zones_times_and_masks() -> None:
    """Seeded property check: the answer is the earliest qualifying occurrence."""
    rng = random.Random(20260329)
    start = datetime(2025, 12, 25, tzinfo=UTC)
    span_seconds = int((datetime(2028, 1, 1, tzinfo=UTC) - start).total_seconds())
    for _ in range(3000):
        tz = ZoneInfo(rng.choice(FUZZ_ZONES))
        wall = time(rng.randrange(24), rng.randrange(60))
        mask = rng.randrange(1, EVERY_DAY + 1)
        after = start + timedelta(seconds=rng.randrange(span_seconds))
        if rng.random() < 0.3:  # land exactly on an occurrence sometimes
            after = next_due(wall, mask, tz, after)

        due = next_due(wall, mask, tz, after)
        context = (str(tz), wall, mask, after)
        assert due.tzinfo is UTC, context
        assert due > after, context
        local_day = occurrence_local_date(due, wall, tz)
        assert mask >> local_day.weekday() & 1, context
        assert due == expected_occurrence(local_day, wall, tz), context
        # Completeness: no qualifying occurrence was skipped between after and due.
        first_candidate = after.astimezone(tz).date() - timedelta(days=1)
        for day in days(first_candidate, local_day - timedelta(days=1)):
            if mask >> day.weekday() & 1:
                assert expected_occurrence(day, wall, tz) <= after, (*context, day)
