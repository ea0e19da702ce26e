"""The builder's pure parts: moving an exercise, what an edit changed, days for N a week."""

from __future__ import annotations

from bot.domain.builder import changes, moved, spread_weekdays


def test_moves_stop_at_the_ends() -> None:
    exercises = [{"name": "a"}, {"name": "b"}, {"name": "c"}]
    assert moved(exercises, 2, -1) and [e["name"] for e in exercises] == ["a", "c", "b"]
    assert not moved(exercises, 0, -1) and not moved(exercises, 2, 1)
    assert not moved(exercises, 7, -1)


def test_changes_by_exercise_id() -> None:
    before = [
        {"id": 1, "name": "Bridge", "dose": "3 x 10"},
        {"id": 2, "name": "Plank", "dose": "20 s"},
        {"id": 3, "name": "Squat", "dose": "2 x 8", "notes": None},
    ]
    after = [
        {"id": 3, "name": "Squat", "dose": "2 x 8", "notes": ""},
        {"id": 1, "name": "Bridge", "dose": "3 x 12"},
        {"name": "Side plank", "dose": "3 x 20 s"},
    ]
    what = changes(before, after)
    assert (what.added, what.removed, what.changed) == (["Side plank"], ["Plank"], ["Bridge"])
    assert what.reordered and what
    assert not changes(before, before)


def test_days_for_n_times_a_week_keep_the_clients_own_first() -> None:
    every_day = list(range(7))
    assert spread_weekdays(every_day, 3) == [0, 3, 5]
    assert spread_weekdays([1, 4], 3) == [0, 1, 4]
    assert spread_weekdays([1, 2, 4, 6], 2) == [1, 2]
    assert spread_weekdays(every_day, 6) == [0, 1, 2, 3, 4, 5]
