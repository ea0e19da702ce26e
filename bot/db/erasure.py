"""Erasing a person: every row about them, in one transaction, on both engines.

"Removal really deletes": no soft-delete flag, no anonymised leftovers. Rows go
children first, because both engines enforce the foreign keys (SQLite with
PRAGMA foreign_keys=ON). A therapist's own row is theirs, not the client's, and
stays; so does a therapist row for a person who is also a therapist.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Table, delete
from sqlmodel import SQLModel, col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db import leases
from bot.db.models import (
    Client,
    Dialog,
    Exercise,
    Invite,
    Lease,
    Nudge,
    PersonSetting,
    ReminderSlot,
    Reply,
    Routine,
    RoutineVersion,
    Therapist,
)
from bot.db.pauses import Notice

_KNOWN = {
    model.__tablename__  # type: ignore[attr-defined]
    for model in (Reply, Nudge, ReminderSlot, RoutineVersion, Exercise, Routine, Invite, Client)
}


@dataclass(frozen=True)
class Erased:
    notices: list[Notice]  # tell each therapist their client left
    therapist: str  # the latest therapist's name, for the goodbye ("" for a stranger)


async def erase_person(session: AsyncSession, user_id: int) -> Erased:
    """Delete everything about one Telegram user; what is left mentions them nowhere."""
    pairs = list(
        await session.exec(
            select(Client, Therapist)
            .join(Therapist, col(Therapist.id) == col(Client.therapist_id))
            .where(col(Client.telegram_user_id) == user_id)
            .order_by(col(Client.joined_at).desc(), col(Client.id).desc())
        )
    )
    notices = [Notice(t.telegram_user_id, t.language, c.label) for c, t in pairs]
    ids = [client.id for client, _t in pairs]
    routines = select(Routine.id).where(col(Routine.client_id).in_(ids))
    # Tables other features add later that hang off a client (messages, barriers…) go
    # first, found by their client_id column, so a new table can't quietly keep
    # someone's data after they asked us to erase it.
    for table in reversed(SQLModel.metadata.sorted_tables):
        if table.name not in _KNOWN and "client_id" in table.c:
            await _delete(session, table, table.c.client_id.in_(ids))
    statements = (
        # Answers, with their times and how the exercises felt.
        delete(Reply).where(col(Reply.client_id).in_(ids)),
        # Every occurrence: when it came, which chat, what was answered.
        delete(Nudge).where(col(Nudge.client_id).in_(ids)),
        # When and where (time zone) they wanted nudges.
        delete(ReminderSlot).where(col(ReminderSlot.client_id).in_(ids)),
        # The routine made for them, with the therapist's notes, and its earlier versions.
        delete(RoutineVersion).where(
            col(RoutineVersion.routine_id).in_(routines.scalar_subquery())
        ),
        delete(Exercise).where(col(Exercise.routine_id).in_(routines.scalar_subquery())),
        delete(Routine).where(col(Routine.client_id).in_(ids)),
        # Their invite links (hashed) and the record of who opened them.
        delete(Invite).where(or_(col(Invite.client_id).in_(ids), col(Invite.used_by) == user_id)),
        # The client: the therapist's label, first name, chat, language, consent.
        delete(Client).where(col(Client.id).in_(ids)),
        # A conversation in progress (this very confirmation, for one).
        delete(Dialog).where(col(Dialog.telegram_user_id) == user_id),
        # The per-person lock named after their Telegram id.
        delete(Lease).where(col(Lease.name) == leases.person(user_id)),
        # Their own choices: language, follow-ups, quiet hours.
        delete(PersonSetting).where(col(PersonSetting.telegram_user_id) == user_id),
    )
    for statement in statements:
        await session.exec(statement)  # type: ignore[call-overload]
    therapist = pairs[0][1].display_name if pairs else ""
    return Erased(notices, therapist)


async def _delete(session: AsyncSession, table: Table, condition: object) -> None:
    await session.exec(delete(table).where(condition))  # type: ignore[call-overload,arg-type]
