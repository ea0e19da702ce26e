"""Upgrading to 0013: digests start off, and clients already unreachable count as
told, so the first pass after an upgrade sends therapists no burst of old news."""

from __future__ import annotations

from sqlalchemy import text

from bot.db.database import Database
from tests.rawdb import upgrade_to


async def test_upgrade_keeps_old_unreachable_clients_quiet_and_digests_off(
    database_url: str,
) -> None:
    db = Database.from_url(database_url)

    async with db.engine.begin() as connection:
        await connection.run_sync(upgrade_to, "0010")
        await connection.execute(
            text(
                "INSERT INTO therapist (id, telegram_user_id, display_name, language, created_at)"
                " VALUES (1, 7, 'x', 'en', '2026-11-23 06:00:00')"
            )
        )
        for client_id, reachable in ((1, "TRUE"), (2, "FALSE")):
            await connection.execute(
                text(
                    "INSERT INTO client (id, therapist_id, label, language, status, reachable,"
                    " created_at, welcome_back) VALUES"
                    f" ({client_id}, 1, 'x', 'en', 'active', {reachable},"
                    " '2026-11-23 06:00:00', FALSE)"
                )
            )
    await db.upgrade()
    async with db.engine.connect() as connection:
        told = await connection.execute(
            text("SELECT id, unreachable_told_at IS NOT NULL FROM client ORDER BY id")
        )
        assert [(row[0], bool(row[1])) for row in told] == [(1, False), (2, True)]
        digest = await connection.execute(
            text(
                "SELECT digest_enabled, digest_weekday, digest_time, digest_next_at FROM therapist"
            )
        )
        assert [(bool(a), b, c, d) for a, b, c, d in digest] == [(False, 0, "08:00", None)]
    await db.dispose()
