"""The canary: one sealed known value that proves, at start, that the key ring fits.

Without it a wrong or missing key would surface as an error inside some handler,
the first time someone's name is read. Opening the canary at start turns that into
one clear line before the bot takes any update.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bot import crypto
from bot.db.database import Database

CANARY = "homework-companion: the data key fits"
CANARY_ID = 1
_TABLE = sa.table("keycheck", sa.column("id", sa.Integer()), sa.column("canary", sa.Text()))


def insert_canary(connection: Connection, ring: crypto.KeyRing) -> None:
    connection.execute(sa.insert(_TABLE).values(id=CANARY_ID, canary=ring.seal(CANARY)))


def _has_table(connection: Connection) -> bool:
    return sa.inspect(connection).has_table(_TABLE.name)


async def verify_data_key(db: Database) -> None:
    """Raise DataKeyError (one line) unless the current ring opens the stored canary.

    Runs before migrations, so none of them touches sealed data with a wrong key; a
    database without the table yet gets it, sealed with this ring, from migration 0003.
    """
    ring = crypto.current()
    query = sa.select(_TABLE.c.canary).where(_TABLE.c.id == CANARY_ID)
    async with db.core_transaction() as connection:
        if not await connection.run_sync(_has_table):
            return
        stored = (await connection.execute(query)).scalar_one_or_none()
        if stored is None:  # removed by hand: start a new one rather than refuse to run
            await connection.run_sync(insert_canary, ring)
            return
    try:
        fits = ring.open(stored) == CANARY
        problem = "" if fits else "the check value is wrong."
    except crypto.DataKeyError as exc:
        problem = str(exc)
    if problem:
        raise crypto.DataKeyError(
            f"DATA_KEY cannot decrypt the stored data: {problem} Set DATA_KEY to the "
            "key(s) this database was written with (or restore the key file beside it)."
        )


def sqlite_holds_sealed_data(path: Path) -> bool:
    """Whether an SQLite file was written under some data key (the canary table exists)."""
    if not path.is_file():
        return False
    with closing(sqlite3.connect(path)) as connection:
        found = connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'keycheck'"
        ).fetchone()
    return found is not None
