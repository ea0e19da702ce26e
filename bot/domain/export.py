"""Records as CSV, one row per nudge: a client's own (/export) and a therapist's
(one client or all of them, /csv).

The outcome column uses stable English codes whatever language anyone speaks,
so a spreadsheet or another program can read exports from every client alike.
The therapist's file starts with a UTF-8 byte order mark: without it, Excel reads
the labels' accents as another code page. A label a spreadsheet would take for a
formula ("=…", "+…") gets a leading apostrophe, as OWASP advises for CSV exports.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, time

from bot.domain.types import ReplyKind

HEADER = ("date", "time", "outcome", "feeling", "barrier")
CLIENTS_HEADER = ("client", *HEADER, "routine_version")
FILENAME = "homework-export.csv"
LATER = "later"
NO_REPLY = "no_reply"
OUTCOME_CODES = frozenset({*(kind.value for kind in ReplyKind), NO_REPLY})
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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


@dataclass(frozen=True)
class ClientRow:
    """A row of a therapist's export: whose it was and which routine version it was for."""

    label: str
    record: ExportRow
    version: int


def _cells(row: ExportRow) -> tuple[str, ...]:
    return (
        row.local_date.isoformat(),
        row.local_time.strftime("%H:%M"),
        row.outcome,
        row.feeling or "",
        row.barrier or "",
    )


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)  # the csv module's default dialect ends rows with CRLF
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def build_csv(rows: Iterable[ExportRow]) -> bytes:
    """UTF-8 CSV with a header row, in the order given (the caller sorts by date)."""
    return _csv(HEADER, map(_cells, rows)).encode("utf-8")


def build_clients_csv(rows: Iterable[ClientRow]) -> bytes:
    """A therapist's export: UTF-8 with a byte order mark, for spreadsheet programs."""
    cells = ((_as_text(row.label), *_cells(row.record), row.version) for row in rows)
    return _csv(CLIENTS_HEADER, cells).encode("utf-8-sig")


def _as_text(cell: str) -> str:
    """Typed text as text, never a formula, in whichever program opens the file."""
    return f"'{cell}" if cell.startswith(_FORMULA_STARTS) else cell
