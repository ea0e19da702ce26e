"""Rewriting sealed columns in place: first encryption (migration 0003) and rekey.

These work on raw stored strings through lightweight table constructs, not the
models, so the type's automatic sealing stays out of the way and a migration sees
the columns exactly as they were at its revision.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

from bot import crypto
from bot.db.database import Database
from bot.db.types import EncryptedText

Change = Callable[[str], str | None]  # the new stored value, or None to leave it


@dataclass(frozen=True)
class ColumnCount:
    table: str
    column: str
    rewritten: int
    unchanged: int


def rewrite_column(
    connection: Connection, table: str, keys: Sequence[str], column: str, change: Change
) -> ColumnCount:
    """Apply `change` to every non-null value; each update is conditional on the old value,
    so a row the bot changed meanwhile (already sealed with the current key) is left alone."""
    t = sa.table(table, *(sa.column(key) for key in keys), sa.column(column, sa.Text()))
    rows = connection.execute(
        sa.select(*(t.c[key] for key in keys), t.c[column]).where(t.c[column].is_not(None))
    ).all()
    updates = []
    for row in rows:
        *key_values, stored = row
        new = change(stored)
        if new is not None and new != stored:
            params = {f"k_{key}": value for key, value in zip(keys, key_values, strict=True)}
            updates.append({**params, "old_value": stored, "new_value": new})
    if updates:
        statement = (
            sa.update(t)
            .where(*(t.c[key] == sa.bindparam(f"k_{key}") for key in keys))
            .where(t.c[column] == sa.bindparam("old_value"))
            .values({column: sa.bindparam("new_value")})
        )
        connection.execute(statement, updates)
    return ColumnCount(table, column, len(updates), len(rows) - len(updates))


def sealed_columns() -> Iterator[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    """(table, primary key columns, sealed columns) for every model with sealed text."""
    import bot.db.models  # noqa: F401  (registers the tables on SQLModel.metadata)

    for table in SQLModel.metadata.sorted_tables:
        columns = tuple(c.name for c in table.columns if isinstance(c.type, EncryptedText))
        if columns:
            yield table.name, tuple(c.name for c in table.primary_key.columns), columns


def _rekey_all(connection: Connection, ring: crypto.KeyRing) -> list[ColumnCount]:
    def reseal(stored: str) -> str | None:
        return None if ring.is_current(stored) else ring.seal(ring.open(stored))

    return [
        rewrite_column(connection, table, keys, column, reseal)
        for table, keys, columns in sealed_columns()
        for column in columns
    ]


async def rekey(db: Database) -> list[ColumnCount]:
    """Seal every stored value with the ring's first key, in one transaction."""
    ring = crypto.current()
    async with db.core_transaction() as connection:
        return await connection.run_sync(_rekey_all, ring)
