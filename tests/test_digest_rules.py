"""The digest's rules as plain functions: when it is due, who comes first, how it is cut."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain.digest import DigestRow, next_digest_at, ordered, split_lines


def _row(label: str, *, status: str = "active", **kwargs: object) -> DigestRow:
    values: dict[str, object] = {
        "reachable": True,
        "quiet": False,
        "sessions": 0,
        "scheduled": 0,
        "concerns": 0,
    }
    values.update(kwargs)
    return DigestRow(label=label, status=status, **values)  # type: ignore[arg-type]


def test_next_digest_is_the_chosen_weekday_and_wall_time_in_the_therapists_zone() -> None:
    # Wednesday 18:30 in Berlin: UTC+1 in winter, UTC+2 in summer.
    winter = next_digest_at(2, "18:30", "Europe/Berlin", datetime(2026, 11, 23, tzinfo=UTC))
    assert winter == datetime(2026, 11, 25, 17, 30, tzinfo=UTC)
    summer = next_digest_at(2, "18:30", "Europe/Berlin", datetime(2026, 6, 1, tzinfo=UTC))
    assert summer == datetime(2026, 6, 3, 16, 30, tzinfo=UTC)
    # Strictly after: fed its own instant, the following week; no zone means UTC.
    assert next_digest_at(2, "18:30", "Europe/Berlin", winter) == datetime(
        2026, 12, 2, 17, 30, tzinfo=UTC
    )
    assert next_digest_at(0, "08:00", None, datetime(2026, 11, 23, 8, tzinfo=UTC)) == datetime(
        2026, 11, 30, 8, tzinfo=UTC
    )


def test_attention_first_pain_before_the_rest_then_by_status_and_label() -> None:
    rows = [
        _row("anna"),
        _row("Zoe", status="invited"),
        _row("Ben", quiet=True),
        _row("Cleo", status="paused", concerns=2),
        _row("Dan", reachable=False),
        _row("Eve", status="paused"),
    ]
    assert [r.label for r in ordered(rows)] == ["Cleo", "Ben", "Dan", "anna", "Eve", "Zoe"]


def test_lines_are_packed_into_messages_within_the_limit_never_split() -> None:
    lines = [f"line {n:02d} " + "x" * 30 for n in range(40)]
    parts = split_lines("Head", lines, limit=200)
    assert all(len(part) <= 200 for part in parts) and len(parts) > 1
    assert parts[0].startswith("Head\n")
    assert "\n".join(parts).split("\n")[1:] == lines
