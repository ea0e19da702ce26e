"""A client's own records as CSV: one row per nudge they received.

The outcome column uses stable English codes whatever language the client speaks,
so a spreadsheet or another program can read exports from every client alike.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time

from bot.domain.types import ReplyKind

HEADER = ("date", "time", "outcome", "feeling", "barrier")
FILENAME = "homework-export.csv"
LATER = "later"
NO_REPLY = "no_reply"
OUTCOME_CODES = frozenset({*(kind.value for kind in ReplyKind), NO_REPLY})


@dataclass(frozen=True)
class ExportRow:
    local_date: date
    local_time: time
    outcome: str  # one of OUTCOME_CODES
    feeling: str | None = None
    barrier: str | None = None


def outcome_code(final: str | None, said_later: bool) -> str:
    """The final answer if there is one; "later" if that was the last word; else no reply."""
    if final is not None and final != NO_REPLY:  # the engine closes unanswered days
        return ReplyKind(final).value
    return LATER if said_later else NO_REPLY


def build_csv(rows: Iterable[ExportRow]) -> bytes:
    """UTF-8 CSV with a header row, in the order given (the caller sorts by date)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow(
            (
                row.local_date.isoformat(),
                row.local_time.strftime("%H:%M"),
                row.outcome,
                row.feeling or "",
                row.barrier or "",
            )
        )
    return buffer.getvalue().encode("utf-8")
