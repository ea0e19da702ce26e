"""Routine versions: what a routine held, and from when, for history and export.

A version row is written when a routine is created (version 1) and each time it
is edited, with the whole routine as it then stood, so an answer from last month
can still be read against the exercises the client had then.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import Exercise, Routine, RoutineVersion


async def record(session: AsyncSession, routine: Routine, now: datetime) -> RoutineVersion:
    """Keep the routine as it stands now (its exercises flushed) as `routine.version`."""
    assert routine.id is not None
    result = await session.exec(
        select(Exercise).where(Exercise.routine_id == routine.id).order_by(Exercise.position)
    )
    snapshot = {
        "frequency": str(routine.frequency),
        "times_per_week": routine.times_per_week,
        "exercises": [{"name": e.name, "dose": e.dose, "notes": e.notes} for e in result.all()],
    }
    row = RoutineVersion(
        routine_id=routine.id,
        version=routine.version,
        started_at=now,
        snapshot=json.dumps(snapshot),
    )
    session.add(row)
    await session.flush()
    return row


async def history(session: AsyncSession, routine_id: int) -> Sequence[RoutineVersion]:
    result = await session.exec(
        select(RoutineVersion)
        .where(RoutineVersion.routine_id == routine_id)
        .order_by(col(RoutineVersion.version))
    )
    return result.all()


async def starts_by_client(
    session: AsyncSession, client_ids: Iterable[int]
) -> dict[int, list[tuple[datetime, int]]]:
    """Per client, (started_at, version) in time order: feed to domain.versions.version_at."""
    ids = list(client_ids)
    starts: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
    if not ids:
        return starts
    result = await session.exec(
        select(Routine.client_id, RoutineVersion.started_at, RoutineVersion.version)
        .join(Routine, col(Routine.id) == RoutineVersion.routine_id)
        .where(col(Routine.client_id).in_(ids))
        .order_by(RoutineVersion.started_at)
    )
    for client_id, started_at, version in result.all():
        starts[client_id].append((started_at, version))
    return starts
