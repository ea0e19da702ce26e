"""The migrations and the models describe the same schema."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from bot.db.database import Database


async def test_upgrade_creates_the_models_schema(tmp_path: Path) -> None:
    db = Database.from_url(f"sqlite+aiosqlite:///{tmp_path / 'm.db'}")
    await db.upgrade()
    await db.upgrade()  # idempotent on every start

    def diff(connection) -> list[object]:  # type: ignore[no-untyped-def]
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, SQLModel.metadata)

    def tables(connection) -> set[str]:  # type: ignore[no-untyped-def]
        return set(inspect(connection).get_table_names())

    async with db.engine.connect() as conn:
        assert await conn.run_sync(diff) == []
        assert {"nudge", "reminderslot", "reply", "invite"} <= await conn.run_sync(tables)
    await db.dispose()
