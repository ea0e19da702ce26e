"""Exercise media: the photo or video a therapist attached, kept as a Telegram file id.

A file id can be sent again as it is, so nothing is uploaded or stored but the id.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import Client, Exercise, Routine
from bot.domain.types import MediaKind


@dataclass(frozen=True)
class ExerciseMedia:
    exercise_id: int
    name: str
    dose: str
    file_id: str
    kind: MediaKind


async def attach(
    session: AsyncSession, exercise_id: int, file_id: str | None, kind: MediaKind | None
) -> None:
    """Set (or with None, clear) an exercise's media."""
    await session.exec(
        update(Exercise)  # type: ignore[call-overload]
        .where(col(Exercise.id) == exercise_id)
        .values(media_file_id=file_id, media_kind=kind if file_id else None)
    )


async def shown_to(session: AsyncSession, exercise_id: int, user_id: int) -> ExerciseMedia | None:
    """The exercise's media, if the exercise is in this person's own routine.

    A missing exercise, one without media and someone else's all come back as None,
    so a forged button learns nothing about which ids exist.
    """
    row = (
        await session.exec(
            select(
                Exercise.id,
                Exercise.name,
                Exercise.dose,
                Exercise.media_file_id,
                Exercise.media_kind,
            )
            .join(Routine, col(Routine.id) == col(Exercise.routine_id))
            .join(Client, col(Client.id) == col(Routine.client_id))
            .where(
                col(Exercise.id) == exercise_id,
                col(Client.telegram_user_id) == user_id,
                col(Exercise.media_file_id).is_not(None),
            )
        )
    ).first()
    if row is None:
        return None
    exercise, name, dose, file_id, kind = row
    try:
        return ExerciseMedia(exercise, name, dose, file_id, MediaKind(kind))
    except ValueError:  # a kind this version doesn't know how to send
        return None
