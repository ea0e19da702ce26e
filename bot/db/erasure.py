"""Erasing a person: every row about them, in one transaction, on both engines.

"Removal really deletes": no soft-delete flag, no anonymised leftovers. Rows go
children first, because both engines enforce the foreign keys (SQLite with
PRAGMA foreign_keys=ON). A therapist's own row is theirs, not the client's, and
stays; so does a therapist row for a person who is also a therapist.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Table, delete
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db import invites, leases, person_settings
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
    await erase_clients(session, [client.id for client, _t in pairs if client.id is not None])
    statements = (
        # Invite links this person opened, should any belong to a record not theirs.
        delete(Invite).where(col(Invite.used_by) == user_id),
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


@dataclass(frozen=True)
class Removed:
    """A client their therapist removed, and whom to tell (a client who joined)."""

    label: str
    chat_id: int | None  # None: they never joined, so there is nobody to tell
    language: str
    therapist: str


async def remove_client(session: AsyncSession, therapist_id: int, client_id: int) -> Removed | None:
    """A therapist deletes one of their own clients, as thoroughly as the client's own
    erasure; None for anyone else's client and for no one's."""
    pair = await invites.own_pair(session, therapist_id, client_id)
    if pair is None:
        return None
    client, therapist = pair
    user_id = client.telegram_user_id
    language = client.language
    if user_id is not None:
        language = await person_settings.chosen_language(session, user_id) or language
    removed = Removed(client.label, client.chat_id, language, therapist.display_name)
    await erase_clients(session, [client_id])
    if user_id is not None and not await _known_otherwise(session, user_id):
        # Nothing else here is about this person: their half-done conversation and
        # their own choices go too, as with their own erasure.
        await session.exec(delete(Dialog).where(col(Dialog.telegram_user_id) == user_id))  # type: ignore[call-overload]
        await person_settings.forget(session, user_id)
    return removed


async def _known_otherwise(session: AsyncSession, user_id: int) -> bool:
    """Whether the person is still a client of someone here, or a therapist."""
    other = await session.exec(select(Client.id).where(col(Client.telegram_user_id) == user_id))
    if other.first() is not None:
        return True
    therapist = await session.exec(
        select(Therapist.id).where(col(Therapist.telegram_user_id) == user_id)
    )
    return therapist.first() is not None


async def erase_clients(session: AsyncSession, ids: list[int]) -> None:
    """Delete client records and everything hanging off them, children first.

    The one deletion behind a client's own erasure and a therapist's removal of a
    client (who may never have joined, so has no Telegram user to go by).
    """
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
        delete(Invite).where(col(Invite.client_id).in_(ids)),
        # The client: the therapist's label, first name, chat, language, consent.
        delete(Client).where(col(Client.id).in_(ids)),
    )
    for statement in statements:
        await session.exec(statement)  # type: ignore[call-overload]


async def _delete(session: AsyncSession, table: Table, condition: object) -> None:
    await session.exec(delete(table).where(condition))  # type: ignore[call-overload,arg-type]
