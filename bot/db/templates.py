"""A therapist's routine templates (/templates, and "from a template" in /newclient).

Every function takes the therapist's id and touches only their rows: an id typed
or forged by another therapist finds nothing, exactly like one that does not exist.
Names are sealed at rest, so listing sorts in Python, never in SQL.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import RoutineTemplate


async def create(
    session: AsyncSession, therapist_id: int, name: str, snapshot: dict[str, Any], now: datetime
) -> RoutineTemplate:
    row = RoutineTemplate(
        therapist_id=therapist_id,
        name=name,
        snapshot=json.dumps(snapshot, ensure_ascii=False),
        created_at=now,
    )
    session.add(row)
    await session.flush()
    return row


async def of_therapist(session: AsyncSession, therapist_id: int) -> list[RoutineTemplate]:
    """This therapist's templates, by name."""
    result = await session.exec(
        select(RoutineTemplate).where(col(RoutineTemplate.therapist_id) == therapist_id)
    )
    return sorted(result, key=lambda row: (row.name.casefold(), row.id or 0))


async def one(session: AsyncSession, therapist_id: int, template_id: int) -> RoutineTemplate | None:
    result = await session.exec(
        select(RoutineTemplate).where(
            col(RoutineTemplate.id) == template_id,
            col(RoutineTemplate.therapist_id) == therapist_id,
        )
    )
    return result.first()


def snapshot_of(row: RoutineTemplate) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(row.snapshot)
    return data


async def rename(
    session: AsyncSession, therapist_id: int, template_id: int, name: str
) -> RoutineTemplate | None:
    row = await one(session, therapist_id, template_id)
    if row is not None:
        row.name = name
        session.add(row)
    return row


async def remove(session: AsyncSession, therapist_id: int, template_id: int) -> bool:
    result = await session.exec(
        delete(RoutineTemplate).where(  # type: ignore[call-overload]
            col(RoutineTemplate.id) == template_id,
            col(RoutineTemplate.therapist_id) == therapist_id,
        )
    )
    return bool(result.rowcount)
