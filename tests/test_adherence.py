"""Counting what was done, week by week, and the small wins in it (pure functions)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.domain.adherence import (
    Occurrence,
    Tally,
    classify,
    milestone_reached,
    progress,
    small_wins,
    tally,
    week_start,
    weekly,
)
from bot.domain.types import Win

MONDAY = date(2026, 11, 23)


def days(start: date, *outcomes: str | None) -> list[Occurrence]:
    """One occurrence a day from `start`, with these final answers."""
    return [Occurrence(start + timedelta(days=i), o) for i, o in enumerate(outcomes)]


@pytest.mark.parametrize(
    ("outcome", "on", "bucket"),
    [
        ("done", MONDAY, "done"),
        ("some", MONDAY, "some"),
        ("not_today", MONDAY, "not_today"),
        ("skipped", MONDAY, "not_today"),
        (None, MONDAY - timedelta(days=1), "no_reply"),
        ("no_reply", MONDAY, "no_reply"),
        (None, MONDAY, None),  # today's nudge can still be answered
    ],
)
def test_classify(outcome: str | None, on: date, bucket: str | None) -> None:
    assert classify(Occurrence(on, outcome), today=MONDAY) == bucket


def test_some_of_it_counts_as_a_session() -> None:
    counted = tally(
        days(MONDAY, "done", "some", "not_today", None, "skipped"), MONDAY + timedelta(6)
    )
    assert counted == Tally(done=1, some=1, not_today=2, no_reply=1)
    assert counted.sessions == 2
    assert counted.answered == 4
    assert counted + counted == Tally(2, 2, 4, 2)


def test_weeks_start_on_monday_and_empty_weeks_are_kept() -> None:
    assert week_start(date(2026, 11, 29)) == MONDAY  # a Sunday
    three_weeks_ago = MONDAY - timedelta(weeks=3)
    found = [*days(three_weeks_ago, "done", "some"), *days(MONDAY, "done")]
    weeks = weekly(found, today=MONDAY + timedelta(days=2))
    assert [w.start for w in weeks] == [three_weeks_ago + timedelta(weeks=i) for i in range(4)]
    assert [w.tally.sessions for w in weeks] == [2, 0, 0, 1]
    assert weeks[0].active_days == 2


def test_weekly_from_the_join_date_and_nothing_after_today() -> None:
    joined = MONDAY - timedelta(days=9)  # a Saturday two weeks back
    found = [*days(MONDAY, "done", "done"), Occurrence(MONDAY + timedelta(days=5), "done")]
    weeks = weekly(found, today=MONDAY + timedelta(days=1), since=joined)
    assert [w.start for w in weeks] == [
        MONDAY - timedelta(weeks=2),
        MONDAY - timedelta(weeks=1),
        MONDAY,
    ]
    assert weeks[-1].tally.done == 2


def test_two_answers_on_one_day_are_two_sessions_on_one_day() -> None:
    found = [Occurrence(MONDAY, "done"), Occurrence(MONDAY, "some")]
    (week,) = weekly(found, today=MONDAY)
    assert week.tally.sessions == 2
    assert week.active_days == 1


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [(0, 4, None), (4, 5, 5), (0, 12, 10), (10, 12, None), (990, 1001, 1000), (1400, 1500, 1500)],
)
def test_milestones(before: int, after: int, expected: int | None) -> None:
    assert milestone_reached(before, after) == expected


def test_the_very_first_sessions_are_a_win() -> None:
    summary = progress(days(MONDAY, "not_today", "done"), today=MONDAY + timedelta(days=1))
    assert summary.wins == (Win.FIRST, Win.ALL_ANSWERED)
    assert summary.total.sessions == 1


def test_best_week_so_far() -> None:
    earlier = days(MONDAY - timedelta(weeks=1), "done", None, None, "done")
    this = days(MONDAY, "done", "some", "done")
    summary = progress([*earlier, *this], today=MONDAY + timedelta(days=2))
    assert Win.BEST_WEEK in summary.wins
    assert Win.FIRST not in summary.wins
    assert summary.milestone == 5 and Win.MILESTONE in summary.wins


def test_an_equal_week_is_not_the_best_and_a_week_without_answers_wins_nothing() -> None:
    earlier = days(MONDAY - timedelta(weeks=1), "done", "done")
    summary = progress([*earlier, *days(MONDAY, "done", "some")], today=MONDAY + timedelta(3))
    assert Win.BEST_WEEK not in summary.wins
    quiet = progress([*earlier, *days(MONDAY, None, None)], today=MONDAY + timedelta(days=3))
    assert quiet.wins == ()
    assert quiet.week.tally.sessions == 0


def test_every_answer_counts_but_not_todays_open_nudge_against_it() -> None:
    summary = progress(days(MONDAY, "not_today", "not_today", None), today=MONDAY + timedelta(2))
    assert summary.wins == (Win.ALL_ANSWERED,)
    one_unanswered = progress(days(MONDAY, "done", None, "done"), today=MONDAY + timedelta(2))
    assert Win.ALL_ANSWERED not in one_unanswered.wins


def test_progress_starts_at_the_join_date_even_before_the_first_nudge() -> None:
    summary = progress([], today=MONDAY, started=MONDAY - timedelta(days=1))
    assert summary.started == MONDAY - timedelta(days=1)
    assert len(summary.weeks) == 2
    assert summary.total == Tally()
    assert small_wins([]) == ((), None)
