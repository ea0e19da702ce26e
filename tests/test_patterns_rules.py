"""Spotting timing patterns in a slot's answers: pure, and only ever a suggestion."""

from __future__ import annotations

from datetime import date, time, timedelta

from bot.domain.patterns import (
    Answered,
    PatternKind,
    apply_to_days,
    part_of_day,
    spot_pattern,
)
from bot.domain.schedule import EVERY_DAY, weekdays_to_mask

MONDAY = date(2026, 11, 23)


def later_done(days_ago: int, at: time) -> Answered:
    return Answered(MONDAY - timedelta(days=days_ago), "done", later=True, final_at=at)


def plain(days_ago: int, outcome: str | None = "done", at: time | None = time(9, 5)) -> Answered:
    return Answered(MONDAY - timedelta(days=days_ago), outcome, final_at=at)


def test_later_then_done_three_of_five_at_a_similar_hour_suggests_that_hour() -> None:
    history = [
        later_done(0, time(20, 10)),
        plain(1),
        later_done(2, time(19, 40)),
        plain(3, "no_reply", None),
        later_done(4, time(20, 25)),
    ]
    suggestion = spot_pattern(history, slot_time=time(9, 0), weekdays=EVERY_DAY)
    assert suggestion is not None
    assert suggestion.kind is PatternKind.MOVE_TIME
    assert suggestion.local_time == time(20, 0)
    assert suggestion.key == "time:evening"


def test_two_of_five_or_scattered_hours_are_no_pattern() -> None:
    two = [later_done(0, time(20, 0)), plain(1), later_done(2, time(20, 0)), plain(3), plain(4)]
    assert spot_pattern(two, time(9, 0), EVERY_DAY) is None
    scattered = [later_done(0, time(11, 0)), later_done(1, time(15, 0)), later_done(2, time(20, 0))]
    assert spot_pattern(scattered, time(9, 0), EVERY_DAY) is None
    # Three, but only the latest five count.
    old = [
        plain(0),
        plain(1),
        plain(2),
        plain(3),
        plain(4),
        *[later_done(d, time(20, 0)) for d in (5, 6, 7)],
    ]
    assert spot_pattern(old, time(9, 0), EVERY_DAY) is None


def test_a_suggestion_must_really_be_later_and_clear_of_other_reminders() -> None:
    close = [later_done(d, time(9, 40)) for d in range(3)]
    assert spot_pattern(close, time(9, 0), EVERY_DAY) is None
    evening = [later_done(d, time(18, 50)) for d in range(3)]
    assert spot_pattern(evening, time(9, 0), EVERY_DAY, other_times=[time(18, 30)]) is None
    suggestion = spot_pattern(evening, time(9, 0), EVERY_DAY, other_times=[time(12, 0)])
    assert suggestion is not None and suggestion.local_time == time(19, 0)


def test_late_night_suggestions_stop_at_half_past_eleven() -> None:
    late = [later_done(d, time(23, 55)) for d in range(3)]
    suggestion = spot_pattern(late, time(20, 0), EVERY_DAY)
    assert suggestion is not None and suggestion.local_time == time(23, 30)


def test_parts_of_the_day_name_the_offer() -> None:
    assert part_of_day(time(10, 30)) == "morning"
    assert part_of_day(time(14, 0)) == "afternoon"
    assert part_of_day(time(17, 0)) == "evening"


def _not_today_mondays(weeks: int) -> list[Answered]:
    history: list[Answered] = []
    for day in range(weeks * 7):
        outcome = "not_today" if day % 7 == 0 else "done"
        history.append(plain(day, outcome))
    return history


def test_not_today_on_the_same_weekday_three_weeks_running_offers_to_leave_it_out() -> None:
    suggestion = spot_pattern(_not_today_mondays(3), time(9, 0), EVERY_DAY)
    assert suggestion is not None
    assert suggestion.kind is PatternKind.DROP_DAY
    assert suggestion.weekday == 0 and suggestion.key == "day:0"
    assert apply_to_days(suggestion, EVERY_DAY) == EVERY_DAY & ~1


def test_chosen_days_move_to_a_free_neighbour_instead() -> None:
    mon_wed_fri = weekdays_to_mask([0, 2, 4])
    history = [Answered(MONDAY - timedelta(weeks=week), "not_today") for week in range(3)]
    suggestion = spot_pattern(history, time(9, 0), mon_wed_fri)
    assert suggestion is not None and suggestion.kind is PatternKind.MOVE_DAY
    assert (suggestion.weekday, suggestion.to_weekday) == (0, 1)
    assert apply_to_days(suggestion, mon_wed_fri) == weekdays_to_mask([1, 2, 4])
    # No free neighbour: nothing to offer (a day is never simply dropped from chosen days).
    mon_tue_sun = weekdays_to_mask([0, 1, 6])
    assert spot_pattern(history, time(9, 0), mon_tue_sun) is None
    # The only day: nothing to offer either.
    assert spot_pattern(history, time(9, 0), weekdays_to_mask([0])) is None


def test_weeks_must_run_without_a_gap_and_all_be_not_today() -> None:
    gap = [Answered(MONDAY - timedelta(weeks=w), "not_today") for w in (0, 1, 3)]
    assert spot_pattern(gap, time(9, 0), EVERY_DAY) is None
    mixed = [
        Answered(MONDAY - timedelta(weeks=w), o)
        for w, o in ((0, "not_today"), (1, "done"), (2, "not_today"))
    ]
    assert spot_pattern(mixed, time(9, 0), EVERY_DAY) is None
    assert spot_pattern(_not_today_mondays(2), time(9, 0), EVERY_DAY) is None
    assert spot_pattern([], time(9, 0), EVERY_DAY) is None
