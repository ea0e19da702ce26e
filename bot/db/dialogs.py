"""Where a person is in a multi-step conversation, kept in the database.

Keeping this out of process memory means a restart, or another replica picking
up the next update, continues the conversation where it was.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import Dialog


@dataclass
class DialogState:
    flow: str
    step: str
    data: dict[str, Any] = field(default_factory=dict)


async def load(session: AsyncSession, user_id: int) -> DialogState | None:
    row = await session.get(Dialog, user_id)
    if row is None:
        return None
    return DialogState(row.flow, row.step, json.loads(row.data))


async def save(session: AsyncSession, user_id: int, state: DialogState, now: datetime) -> None:
    row = await session.get(Dialog, user_id)
    payload = json.dumps(state.data, ensure_ascii=False)
    if row is None:
        session.add(
            Dialog(
                telegram_user_id=user_id,
                flow=state.flow,
                step=state.step,
                data=payload,
                updated_at=now,
            )
        )
    else:
        row.flow, row.step, row.data, row.updated_at = state.flow, state.step, payload, now
        session.add(row)


async def clear(session: AsyncSession, user_id: int) -> bool:
    result = await session.exec(delete(Dialog).where(Dialog.telegram_user_id == user_id))  # type: ignore[call-overload]
    return bool(result.rowcount)


async def forget_idle(session: AsyncSession, idle_since: datetime) -> int:
    """Delete the dialogs nobody has taken a step in since `idle_since`, and with them
    whatever was typed at their steps (bot/scheduling/housekeeping.py says why)."""
    result = await session.exec(delete(Dialog).where(col(Dialog.updated_at) <= idle_since))  # type: ignore[call-overload]
    return int(result.rowcount or 0)


async def oldest_step(session: AsyncSession) -> datetime | None:
    """When the longest-idle dialog last moved: the next one that may need forgetting.
    (Ordered and limited rather than MIN(), so the column's UTC type reads it back.)"""
    query = select(Dialog.updated_at).order_by(col(Dialog.updated_at)).limit(1)
    return (await session.exec(query)).first()
