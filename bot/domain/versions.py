"""Which version of a routine an occurrence belonged to: the one in force when it was due."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from datetime import datetime


def version_at(starts: Sequence[tuple[datetime, int]], due_at: datetime) -> int:
    """`starts` is (started_at, version) in time order; before any of them it is version 1."""
    index = bisect_right([start for start, _ in starts], due_at)
    return starts[index - 1][1] if index else 1
