"""Which routine version an answer belonged to."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain.versions import version_at


def at(day: int) -> datetime:
    return datetime(2026, 3, day, 9, tzinfo=UTC)


def test_before_any_recorded_version_it_is_the_first() -> None:
    assert version_at([], at(5)) == 1
    assert version_at([(at(3), 1), (at(10), 2)], at(1)) == 1


def test_the_version_in_force_when_due() -> None:
    starts = [(at(3), 1), (at(10), 2), (at(20), 3)]
    assert version_at(starts, at(9)) == 1
    assert version_at(starts, at(10)) == 2
    assert version_at(starts, at(25)) == 3
