"""One client as their therapist sees them (the detail behind /clients): schedule,
invite, recent answers with how they felt and what got in the way, messages and
pain reports.

Scoped like every workspace read: `casefile` takes the therapist's id, and another
therapist's client reads exactly like a client that does not exist (None).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db import history, invites
from bot.db.models import (
    Client,
    ConcernReport,
    Exercise,
    Message,
    Nudge,
    QuietSpell,
    ReminderSlot,
    Reply,
    Routine,
    Therapist,
)
from bot.db.roster import MONTH, WEEK, Adherence, local_today, roster_status
from bot.domain import adherence
from bot.domain.types import InviteStatus, RosterStatus

RECENT_ANSWERS = 20
RECENT_MESSAGES = 10
RECENT_CONCERNS = 10


@dataclass(frozen=True)
class Answer:
    """One answered (or closed unanswered) occurrence, as the detail lists it."""

    local_date: date
    outcome: str
    feeling: str | None
    barrier: str | None
    barrier_note: str | None  # the client's own words for "something else"
    exercises: list[str]  # the exercises "some of it" covered, by name


@dataclass(frozen=True)
class Casefile:
    client: Client
    therapist: Therapist
    status: RosterStatus
    invite: InviteStatus | None
    routine: Routine | None
    exercises: list[Exercise]
    slots: list[ReminderSlot]  # active ones
    week: Adherence
    month: Adherence
    answers: list[Answer]  # newest first
    messages: list[Message]  # newest first
    concerns: list[ConcernReport]  # newest first


async def casefile(
    session: AsyncSession, therapist_id: int, client_id: int, now: datetime
) -> Casefile | None:
    pair = await invites.own_pair(session, therapist_id, client_id)
    if pair is None:
        return None
    client, therapist = pair
    routine = (await session.exec(select(Routine).where(Routine.client_id == client_id))).first()
    exercises: list[Exercise] = []
    if routine is not None:
        exercises = list(
            await session.exec(
                select(Exercise)
                .where(Exercise.routine_id == routine.id)
                .order_by(col(Exercise.position))
            )
        )
    slots = await session.exec(
        select(ReminderSlot)
        .where(ReminderSlot.client_id == client_id, col(ReminderSlot.active).is_(True))
        .order_by(col(ReminderSlot.local_time))
    )
    quiet = await session.exec(
        select(QuietSpell.id).where(
            QuietSpell.client_id == client_id, col(QuietSpell.ended_at).is_(None)
        )
    )
    occurrences = await history.occurrences(session, client_id)
    today = local_today(client.timezone, now)
    return Casefile(
        client=client,
        therapist=therapist,
        status=roster_status(client.status, client.reachable, quiet.first() is not None),
        invite=await invites.invite_status(session, therapist_id, client_id, now),
        routine=routine,
        exercises=exercises,
        slots=list(slots),
        week=Adherence(adherence.recent(occurrences, today, WEEK)),
        month=Adherence(adherence.recent(occurrences, today, MONTH)),
        answers=await _answers(session, client_id, exercises),
        messages=list(
            await session.exec(
                select(Message)
                .where(Message.client_id == client_id)
                .order_by(col(Message.created_at).desc(), col(Message.id).desc())
                .limit(RECENT_MESSAGES)
            )
        ),
        concerns=list(
            await session.exec(
                select(ConcernReport)
                .where(ConcernReport.client_id == client_id)
                .order_by(col(ConcernReport.at).desc(), col(ConcernReport.id).desc())
                .limit(RECENT_CONCERNS)
            )
        ),
    )


async def _answers(
    session: AsyncSession, client_id: int, exercises: list[Exercise]
) -> list[Answer]:
    nudges = list(
        await session.exec(
            select(Nudge)
            .where(Nudge.client_id == client_id, col(Nudge.outcome).is_not(None))
            .order_by(col(Nudge.local_date).desc(), col(Nudge.id).desc())
            .limit(RECENT_ANSWERS)
        )
    )
    feelings = dict(
        (
            await session.exec(
                select(Reply.nudge_id, Reply.feeling).where(
                    col(Reply.nudge_id).in_([n.id for n in nudges]),
                    col(Reply.feeling).is_not(None),
                )
            )
        ).all()
    )
    names = {exercise.position: exercise.name for exercise in exercises}
    return [
        Answer(
            nudge.local_date,
            nudge.outcome or "",
            feelings.get(nudge.id),
            nudge.barrier,
            nudge.barrier_note,
            [
                names.get(int(p), p)
                for p in (nudge.exercises_done or "").split(",")
                if p.strip().isdigit()
            ],
        )
        for nudge in nudges
    ]
