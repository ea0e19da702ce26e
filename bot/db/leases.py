"""Leases: a row that says who holds something and until when.

Why rows and not locks in memory: replicas share nothing but the database, and
python-telegram-bot's and APScheduler's own state cannot be shared between
processes. A lease is taken or renewed by one statement,

    INSERT … ON CONFLICT (name) DO UPDATE … WHERE expired OR mine RETURNING token

so of two processes racing for it exactly one gets a row back, and a holder that
dies simply stops renewing: once its expiry passes, the next taker wins. Both
SQLite (3.35+) and PostgreSQL run the same statement.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db.models import Lease

_LEASE = Lease.__table__  # type: ignore[attr-defined]
SENDER = "sender"


def person(user_id: int) -> str:
    return f"person:{user_id}"


def _insert(dialect: str) -> Any:
    return (postgresql if dialect == "postgresql" else sqlite).insert(_LEASE)


async def take(
    conn: AsyncConnection, name: str, holder: str, token: str, now: datetime, ttl: timedelta
) -> bool:
    """Take the lease if it is free or expired, or renew it if it is ours already."""
    insert = _insert(conn.dialect.name).values(
        name=name, holder=holder, token=token, expires_at=now + ttl
    )
    statement = insert.on_conflict_do_update(
        index_elements=["name"],
        set_={
            "holder": insert.excluded.holder,
            "token": insert.excluded.token,
            "expires_at": insert.excluded.expires_at,
        },
        where=(_LEASE.c.expires_at < now) | (_LEASE.c.token == token),
    ).returning(_LEASE.c.token)
    return (await conn.execute(statement)).first() is not None


async def release(conn: AsyncConnection, name: str, token: str) -> None:
    """Give the lease up at once, so the next taker need not wait for it to expire."""
    await conn.execute(delete(_LEASE).where(_LEASE.c.name == name, _LEASE.c.token == token))
