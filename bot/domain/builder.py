"""The routine builder's draft: exercises as plain dicts, and what an edit changed.

A draft lives in the dialog row as JSON while the therapist builds or edits, so
these are plain dictionaries: {"name", "dose", "notes", "media", "kind", "id"}
("id" only for an exercise that already exists in a saved routine).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

Draft = dict[str, Any]
# The days a routine of N times a week falls on when the bot has to choose
# (an edit from every day): spread out, Monday first.
_SPREAD = (0, 3, 5, 1, 4, 2, 6)


def moved(exercises: list[Draft], index: int, step: int) -> bool:
    """Swap exercise `index` with its neighbour `step` (-1 up, +1 down); False at an end."""
    other = index + step
    if not (0 <= index < len(exercises) and 0 <= other < len(exercises)):
        return False
    exercises[index], exercises[other] = exercises[other], exercises[index]
    return True


@dataclass
class Changes:
    """What an edit did, by exercise name, for the client's short note."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    reordered: bool = False

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed or self.reordered)


_SHOWN = ("name", "dose", "notes", "media")


def changes(before: Sequence[Draft], after: Sequence[Draft]) -> Changes:
    """Compare a saved routine's exercises with the edited draft (matched by "id")."""
    old = {e["id"]: e for e in before if e.get("id") is not None}
    kept = [e for e in after if e.get("id") in old]
    result = Changes(
        added=[e["name"] for e in after if e.get("id") not in old],
        removed=[e["name"] for i, e in old.items() if i not in {k["id"] for k in kept}],
    )
    for exercise in kept:
        was = old[exercise["id"]]
        if any((exercise.get(key) or None) != (was.get(key) or None) for key in _SHOWN):
            result.changed.append(exercise["name"])
    order_before = [e["id"] for e in before if e["id"] in {k["id"] for k in kept}]
    result.reordered = order_before != [e["id"] for e in kept]
    return result


def spread_weekdays(current: Sequence[int], times_per_week: int) -> list[int]:
    """N days a week for a client whose routine changed frequency: their own days first
    (as many as still fit), then days spread across the week."""
    days = sorted(current)[:times_per_week] if len(current) < 7 else []
    for day in _SPREAD:
        if len(days) >= times_per_week:
            break
        if day not in days:
            days.append(day)
    return sorted(days)
