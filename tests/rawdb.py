"""The database as someone holding a copy of it would see it: bytes and stored strings."""

from __future__ import annotations

import subprocess
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import Connection, make_url

from bot.db.database import Database
from bot.db.engine import alembic_config
from tests.pgserver import find_bindir


def raw_database_bytes(database_url: str) -> bytes:
    """SQLite: the file and its -wal (recent commits live there); PostgreSQL: a pg_dump."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        assert url.database, "an in-memory database has no bytes at rest"
        base = Path(url.database)
        files = (base, base.with_name(base.name + "-wal"))
        return b"".join(path.read_bytes() for path in files if path.exists())
    libpq = url.set(drivername="postgresql").render_as_string(hide_password=False)
    return subprocess.run(
        [str(find_bindir() / "pg_dump"), "--no-owner", "--dbname", libpq],
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout


async def stored_strings(
    db: Database, table: str, column: str, key: str = "id"
) -> list[str | None]:
    """A column's values as stored (sealed or not), bypassing the sealing column type."""
    raw = sa.table(table, sa.column(key), sa.column(column, sa.Text()))
    async with db.core_transaction() as connection:
        result = await connection.execute(sa.select(raw.c[column]).order_by(raw.c[key]))
        return list(result.scalars())


async def dialog_data(db: Database) -> list[str | None]:
    """Every open dialog's data as stored: sealed, and gone once the dialog ends."""
    return await stored_strings(db, "dialog", "data", key="telegram_user_id")


def upgrade_to(connection: Connection, revision: str) -> None:
    """Migrate to an older revision (for `connection.run_sync`), to write rows as they
    were before a migration that must carry them over."""
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)
