"""The pure rules about silence: quiet hours, follow-ups, quiet spells, welcome backs."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.quiet import (
    QUIET_AFTER,
    FollowupContext,
    FollowupDecision,
    PastOccurrence,
    end_of_local_day,
    followup_decision,
    in_quiet_hours,
    is_quiet_spell,
    is_welcome_back,
)

NOW = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("local", "quiet"),
    [
        (time(21, 29), False),
        (time(21, 30), True),
        (time(23, 59), True),
        (time(0, 0), True),
        (time(7, 59), True),
        (time(8, 0), False),
        (time(12, 0), False),
    ],
)
def test_quiet_hours_wrap_past_midnight(local: time, quiet: bool) -> None:
    assert in_quiet_hours(local, time(21, 30), time(8, 0)) is quiet


def test_quiet_hours_within_a_day_and_none_at_all() -> None:
    assert in_quiet_hours(time(13, 0), time(12, 0), time(14, 0))
    assert not in_quiet_hours(time(14, 0), time(12, 0), time(14, 0))
    assert not in_quiet_hours(time(3, 0), time(9, 0), time(9, 0))


def _context(**changes: object) -> FollowupContext:
    values: dict[str, object] = {
        "now": NOW,
        "due_at": NOW,
        "day_ends_at": NOW + timedelta(hours=13),
        "local_now": time(11, 0),
        "enabled": True,
        "quiet_start": time(21, 30),
        "quiet_end": time(8, 0),
    }
    values.update(changes)
    return FollowupContext(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "decision"),
    [
        ({}, FollowupDecision.SEND),
        ({"due_at": NOW + timedelta(minutes=1)}, FollowupDecision.WAIT),
        ({"enabled": False}, FollowupDecision.OFF),
        ({"away": True}, FollowupDecision.AWAY),
        ({"quiet_spell": True}, FollowupDecision.QUIET_SPELL),
        ({"superseded": True}, FollowupDecision.SUPERSEDED),
        ({"day_ends_at": NOW}, FollowupDecision.DAY_OVER),
        ({"due_at": NOW - timedelta(hours=2)}, FollowupDecision.LATE),
        # 22:00 local is in the default quiet hours: skipped, not postponed.
        ({"local_now": time(22, 0)}, FollowupDecision.QUIET_HOURS),
        ({"local_now": time(7, 0)}, FollowupDecision.QUIET_HOURS),
    ],
)
def test_a_follow_up_goes_only_when_welcome(
    changes: dict[str, object], decision: FollowupDecision
) -> None:
    assert followup_decision(_context(**changes)) is decision


def _history(*answered: bool) -> list[PastOccurrence]:
    return [
        PastOccurrence(NOW - timedelta(days=day + 1), flag) for day, flag in enumerate(answered)
    ]


def test_a_quiet_spell_is_seven_unanswered_in_a_row() -> None:
    assert is_quiet_spell(_history(*[False] * QUIET_AFTER))
    assert not is_quiet_spell(_history(*[False] * (QUIET_AFTER - 1)))
    assert not is_quiet_spell(_history(*[False] * (QUIET_AFTER - 1), True))
    assert not is_quiet_spell(_history(True, *[False] * QUIET_AFTER))


def test_welcome_back_after_a_quiet_spell_once() -> None:
    quiet = _history(*[False] * QUIET_AFTER)
    assert is_welcome_back(quiet)
    # "Later" was the first answer: the "Done" after it is no second welcome.
    assert not is_welcome_back(quiet, answered_before=True)
    # The next day, the answer before is the one that was welcomed.
    assert not is_welcome_back(_history(True, *[False] * QUIET_AFTER))
    assert not is_welcome_back(_history(*[False] * 3))


def test_welcome_back_after_a_pause_shares_the_rule() -> None:
    # The first answer since a pause ended (a flag bot/db/pauses.py takes once) is one,
    # whatever came before; without it, only a quiet spell makes one.
    assert is_welcome_back(_history(True, False, True), after_pause=True)
    assert is_welcome_back([], after_pause=True)
    assert not is_welcome_back(_history(True, False, True))


def test_the_local_day_ends_at_local_midnight() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    assert end_of_local_day(date(2026, 11, 23), berlin) == datetime(2026, 11, 23, 23, 0, tzinfo=UTC)
    # The day the clocks go back is 25 hours long.
    assert end_of_local_day(date(2026, 10, 25), berlin) == datetime(2026, 10, 25, 23, 0, tzinfo=UTC)
    assert end_of_local_day(date(2026, 3, 29), berlin) == datetime(2026, 3, 29, 22, 0, tzinfo=UTC)
