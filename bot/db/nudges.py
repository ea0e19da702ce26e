"""Claiming due reminders, recording deliveries, and recording answers exactly once.

Every state change here is a conditional UPDATE or a unique INSERT, so double taps,
two dispatcher runs or two replicas can race without double-recording anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col, func, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import Client, Exercise, Nudge, ReminderSlot, Reply, Routine, Therapist
from bot.db.pauses import take_welcome_back
from bot.domain.quiet import end_of_local_day
from bot.domain.schedule import next_due, occurrence_local_date
from bot.domain.types import NO_REPLY, ClientStatus, NudgeStatus, ReplyKind

FINAL_KINDS = frozenset({ReplyKind.DONE, ReplyKind.SOME, ReplyKind.SKIPPED, ReplyKind.NOT_TODAY})
# How many stale occurrences of one slot we record individually after downtime
# before jumping ahead; keeps a week-long outage from writing a row per day per client.
_MAX_STALE_RECORDS = 7


_NUDGE = Nudge.__table__  # type: ignore[attr-defined]
_SLOT = ReminderSlot.__table__  # type: ignore[attr-defined]
_CLIENT = Client.__table__  # type: ignore[attr-defined]


def _insert_occurrences(dialect: str) -> Any:
    """INSERT … ON CONFLICT DO NOTHING: a second claim of an occurrence is a no-op."""
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(_NUDGE).on_conflict_do_nothing(index_elements=["slot_id", "local_date"])


_ADVANCE_SLOT = (
    update(_SLOT)
    .where(_SLOT.c.id == bindparam("b_id"), _SLOT.c.next_due_at == bindparam("b_old"))
    .values(next_due_at=bindparam("b_new"), updated_at=bindparam("b_now"))
)


@dataclass(frozen=True)
class ClaimResult:
    claimed: int
    expired: int
    slots_advanced: int


async def claim_due(
    session: AsyncSession, now: datetime, grace: timedelta, limit: int = 500
) -> ClaimResult:
    """Turn due slots into nudge rows and move each slot to its next occurrence.

    Occurrences older than the grace window (the bot was down) are recorded as
    expired instead of being sent late. The (slot, local date) unique key makes a
    second claim of the same occurrence a no-op, and the slot only advances if
    nobody advanced it meanwhile. Core statements in bulk: this is the hot path
    of a burst, and the ORM's per-object bookkeeping would dominate it.
    """
    query = (
        select(
            _SLOT.c.id,
            _SLOT.c.client_id,
            _SLOT.c.local_time,
            _SLOT.c.weekdays,
            _SLOT.c.timezone,
            _SLOT.c.next_due_at,
        )
        .join(_CLIENT, _CLIENT.c.id == _SLOT.c.client_id)
        .where(
            _SLOT.c.active.is_(True),
            _SLOT.c.next_due_at <= now,
            _CLIENT.c.status == ClientStatus.ACTIVE,
            _CLIENT.c.reachable.is_(True),
        )
        .order_by(_SLOT.c.next_due_at)
        .limit(limit)
        .with_for_update(skip_locked=True, of=_SLOT)
    )
    conn = await session.connection()
    slots = (await conn.execute(query)).all()
    occurrences: list[dict[str, Any]] = []
    advances: list[dict[str, Any]] = []
    expired = 0
    for slot_id, client_id, local_text, weekdays, zone_name, old_due in slots:
        zone = ZoneInfo(zone_name)
        local_time = time.fromisoformat(local_text)

        def occurrence(due: datetime, status: NudgeStatus) -> dict[str, Any]:
            day = occurrence_local_date(due, local_time, zone)  # noqa: B023
            return {
                "slot_id": slot_id,  # noqa: B023 (used at once, inside this iteration)
                "client_id": client_id,  # noqa: B023
                "local_date": day,
                "due_at": due,
                "status": status,
                "claimed_at": now,
                "attempts": 0,
                "attempt_log": "",
                # An unanswered day closes as "no reply" then (bot/db/followups.py).
                "closes_at": (
                    end_of_local_day(day, zone) if status is NudgeStatus.CLAIMED else None  # noqa: B023
                ),
            }

        due = old_due
        stale_recorded = 0
        while due < now - grace:
            if stale_recorded < _MAX_STALE_RECORDS:
                occurrences.append(occurrence(due, NudgeStatus.EXPIRED))
                expired += 1
                stale_recorded += 1
                due = next_due(local_time, weekdays, zone, due)
            else:
                due = next_due(local_time, weekdays, zone, now - grace)
        if due <= now:
            occurrences.append(occurrence(due, NudgeStatus.CLAIMED))
            due = next_due(local_time, weekdays, zone, due)
        advances.append({"b_id": slot_id, "b_old": old_due, "b_new": due, "b_now": now})
    if not slots:
        return ClaimResult(0, 0, 0)
    dialect = conn.dialect.name
    if occurrences:
        await conn.execute(_insert_occurrences(dialect), occurrences)
    result = await conn.execute(_ADVANCE_SLOT, advances)
    # asyncpg reports no row count for an executemany (-1): then count what we advanced,
    # which under FOR UPDATE nobody else can have moved meanwhile.
    advanced = result.rowcount if result.rowcount >= 0 else len(advances)
    return ClaimResult(len(occurrences) - expired, expired, advanced)


async def ready_to_send(
    session: AsyncSession,
    now: datetime,
    grace: timedelta,
    lease: timedelta,
    exclude: set[int],
    limit: int = 500,
) -> list[int]:
    """Claimed nudges a sender may take now, in due order.

    Also settles what crashes and downtime left behind: a claimed nudge that has
    grown older than the grace window expires, and an attempt whose sender went
    quiet for longer than the lease is marked unconfirmed, not resent.
    """
    await session.exec(
        update(Nudge)  # type: ignore[call-overload]
        .where(col(Nudge.status) == NudgeStatus.CLAIMED, col(Nudge.due_at) < now - grace)
        .values(status=NudgeStatus.EXPIRED)
    )
    await session.exec(
        update(Nudge)  # type: ignore[call-overload]
        .where(col(Nudge.status) == NudgeStatus.SENDING, col(Nudge.attempt_at) <= now - lease)
        .values(status=NudgeStatus.UNCONFIRMED)
    )
    query = (
        select(Nudge.id)
        .where(
            col(Nudge.status) == NudgeStatus.CLAIMED,
            col(Nudge.due_at) <= now,
            col(Nudge.retry_at).is_(None) | (col(Nudge.retry_at) <= now),
        )
        .order_by(col(Nudge.due_at), col(Nudge.id))
        .limit(limit + len(exclude))
    )
    ids = [nudge_id for nudge_id in await session.exec(query) if nudge_id not in exclude]
    return ids[:limit]


async def claim_renudges(session: AsyncSession, now: datetime, limit: int = 500) -> list[int]:
    query = (
        select(Nudge.id)
        .where(
            col(Nudge.renudge_at) <= now,
            col(Nudge.renudge_claimed_at).is_(None),
            col(Nudge.outcome).is_(None),
        )
        .order_by(col(Nudge.renudge_at))
        .limit(limit)
    )
    claimed: list[int] = []
    for nudge_id in list(await session.exec(query)):
        result = await session.exec(
            update(Nudge)  # type: ignore[call-overload]
            .where(col(Nudge.id) == nudge_id, col(Nudge.renudge_claimed_at).is_(None))
            .values(renudge_claimed_at=now)
        )
        if result.rowcount == 1:
            claimed.append(nudge_id)
    return claimed


async def next_wake(session: AsyncSession) -> datetime | None:
    """The earliest instant anything may need sending, for arming the scheduler."""
    slot_due = (
        await session.exec(
            select(func.min(ReminderSlot.next_due_at))
            .join(Client, col(Client.id) == col(ReminderSlot.client_id))
            .where(
                col(ReminderSlot.active).is_(True),
                col(Client.status) == ClientStatus.ACTIVE,
                col(Client.reachable).is_(True),
            )
        )
    ).one()
    renudge_due = (
        await session.exec(
            select(func.min(Nudge.renudge_at)).where(
                col(Nudge.renudge_claimed_at).is_(None), col(Nudge.outcome).is_(None)
            )
        )
    ).one()
    candidates = [value for value in (slot_due, renudge_due) if value is not None]
    return min(candidates) if candidates else None


@dataclass(frozen=True)
class NudgeContent:
    """Everything needed to write one nudge message, loaded in a single pass."""

    nudge_id: int
    client_id: int
    chat_id: int
    first_name: str
    language: str
    exercises: list[tuple[str, str]]
    due_at: datetime | None = None  # when the occurrence was due (lateness metric)
    # (exercise id, name) of each exercise with a photo or video: a "Show me" button each.
    shows: list[tuple[int, str]] = field(default_factory=list)
    skippable: bool = False  # more than one slot a day: "Skip this one" is offered


async def load_contents(session: AsyncSession, nudge_ids: list[int]) -> list[NudgeContent]:
    if not nudge_ids:
        return []
    rows = await session.exec(
        select(
            Nudge.id,
            Client.id,
            Client.chat_id,
            Client.first_name,
            Client.language,
            Routine.id,
            Nudge.due_at,
        )
        .join(Client, col(Client.id) == col(Nudge.client_id))
        .join(Routine, col(Routine.client_id) == col(Client.id))
        .where(col(Nudge.id).in_(nudge_ids))
    )
    base = list(rows)
    routine_ids = {row[5] for row in base}
    exercises: dict[int, list[tuple[str, str]]] = {rid: [] for rid in routine_ids}
    shows: dict[int, list[tuple[int, str]]] = {rid: [] for rid in routine_ids}
    for routine_id, exercise_id, name, dose, media in await session.exec(
        select(
            Exercise.routine_id, Exercise.id, Exercise.name, Exercise.dose, Exercise.media_file_id
        )
        .where(col(Exercise.routine_id).in_(routine_ids))
        .order_by(col(Exercise.routine_id), col(Exercise.position))
    ):
        exercises[routine_id].append((name, dose))
        if media is not None and exercise_id is not None:
            shows[routine_id].append((exercise_id, name))
    client_ids = {row[1] for row in base}
    several = set(
        await session.exec(
            select(ReminderSlot.client_id)
            .where(col(ReminderSlot.client_id).in_(client_ids), col(ReminderSlot.active).is_(True))
            .group_by(col(ReminderSlot.client_id))
            .having(func.count() > 1)
        )
    )
    order = {nudge_id: index for index, nudge_id in enumerate(nudge_ids)}
    contents = [
        NudgeContent(
            nudge_id=nudge_id,
            client_id=client_id,
            chat_id=chat_id,
            first_name=first_name or "",
            language=language,
            exercises=exercises[routine_id],
            due_at=due_at,
            shows=shows[routine_id],
            skippable=client_id in several,
        )
        for nudge_id, client_id, chat_id, first_name, language, routine_id, due_at in base
        if chat_id is not None
    ]
    contents.sort(key=lambda content: order[content.nudge_id])
    return contents


class ReplyOutcome(StrEnum):
    RECORDED = "recorded"
    ALREADY = "already"  # the same answer was recorded before (double tap)
    CLOSED = "closed"  # a different final answer exists
    NOT_YOURS = "not_yours"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class AnsweredNudge:
    """What a handler needs to answer a reply, read in one joined query."""

    nudge_id: int
    client_id: int
    outcome: str | None
    chat_id: int | None
    message_id: int | None
    renudge_message_id: int | None
    language: str | None  # None on the fast path: answer in the presser's language
    timezone: str | None
    welcome_back: bool = False  # the first answer after a pause: greet them back


@dataclass(frozen=True)
class ReplyResult:
    outcome: ReplyOutcome
    nudge: AnsweredNudge | None = None


_REPLY = Reply.__table__  # type: ignore[attr-defined]
_ANSWERED = select(
    _NUDGE.c.id,
    _NUDGE.c.client_id,
    _NUDGE.c.outcome,
    _NUDGE.c.chat_id,
    _NUDGE.c.message_id,
    _NUDGE.c.renudge_message_id,
    _CLIENT.c.language,
    _CLIENT.c.timezone,
    _CLIENT.c.telegram_user_id,
).join(_CLIENT, _CLIENT.c.id == _NUDGE.c.client_id)


async def _owned_nudge(
    session: AsyncSession | AsyncConnection, nudge_id: int, user_id: int
) -> tuple[ReplyOutcome | None, AnsweredNudge | None]:
    """The nudge if it belongs to this person; a forged or stale id gets a refusal."""
    conn = await session.connection() if isinstance(session, AsyncSession) else session
    row = (await conn.execute(_ANSWERED.where(_NUDGE.c.id == nudge_id))).first()
    if row is None:
        return ReplyOutcome.UNKNOWN, None
    if row.telegram_user_id != user_id:
        return ReplyOutcome.NOT_YOURS, None
    return None, AnsweredNudge(*row[:8])


def _answer_guard(nudge_id: int, user_id: int, *, late: bool = False) -> Any:
    """UPDATE of an unanswered nudge that belongs to this person, and nobody else's.

    `late`: a day closed as "no reply" still takes a final answer tapped on its
    nudge afterwards (done the evening before, tapped the next morning, counts).
    """
    owner = select(_CLIENT.c.id).where(_CLIENT.c.telegram_user_id == user_id)
    open_ = _NUDGE.c.outcome.is_(None)
    return update(_NUDGE).where(
        _NUDGE.c.id == nudge_id,
        or_(open_, _NUDGE.c.outcome == NO_REPLY) if late else open_,
        _NUDGE.c.client_id.in_(owner.scalar_subquery()),
    )


@dataclass(frozen=True)
class ReplyRequest:
    nudge_id: int
    user_id: int
    kind: ReplyKind
    source: str  # "button" or "text"
    now: datetime


async def record_replies(conn: AsyncConnection, items: list[ReplyRequest]) -> list[ReplyResult]:
    """Bulk form for the batched writer: many people's presses share one commit."""
    return [await record_reply(conn, item) for item in items]


async def record_reply(conn: AsyncConnection, request: ReplyRequest) -> ReplyResult:
    """Record an answer once. One conditional UPDATE, which also checks ownership, is
    the arbiter, so double taps, stale or forged buttons and concurrent updates can't
    record anything twice. Core statements, because this runs for every press."""
    nudge_id, user_id, kind, now = request.nudge_id, request.user_id, request.kind, request.now
    if kind in FINAL_KINDS:
        guard = _answer_guard(nudge_id, user_id, late=True).values(outcome=kind)
    else:
        guard = _answer_guard(nudge_id, user_id).where(_NUDGE.c.later_at.is_(None))
        guard = guard.values(later_at=now)
    row = (await conn.execute(guard.returning(*_ANSWERED.selected_columns[:6]))).first()
    if row is None:
        # The rare path: say why nothing was recorded.
        refusal, nudge = await _owned_nudge(conn, nudge_id, user_id)
        if refusal or nudge is None or nudge.outcome == NO_REPLY:
            # "Later" for a day that has closed is as stale as a button can be.
            return ReplyResult(refusal or ReplyOutcome.UNKNOWN)
        if nudge.outcome is not None and nudge.outcome != kind:
            return ReplyResult(ReplyOutcome.CLOSED, nudge)
        return ReplyResult(ReplyOutcome.ALREADY, nudge)
    await conn.execute(
        _REPLY.insert().values(
            nudge_id=nudge_id,
            client_id=row.client_id,
            kind=kind,
            source=request.source,
            at=now,
        )
    )
    zone = None
    if kind is ReplyKind.LATER:  # only "later" needs the zone, to offer "this evening"
        zone = (
            await conn.execute(select(_CLIENT.c.timezone).where(_CLIENT.c.id == row.client_id))
        ).scalar_one()
    welcome = await take_welcome_back(conn, row.client_id)
    return ReplyResult(ReplyOutcome.RECORDED, AnsweredNudge(*row, None, zone, welcome))


async def schedule_renudge(
    session: AsyncSession, nudge_id: int, user_id: int, at: datetime
) -> ReplyOutcome:
    refusal, _nudge = await _owned_nudge(session, nudge_id, user_id)
    if refusal:
        return refusal
    result = await session.exec(
        update(Nudge)  # type: ignore[call-overload]
        .where(
            col(Nudge.id) == nudge_id,
            col(Nudge.renudge_at).is_(None),
            col(Nudge.outcome).is_(None),
        )
        .values(renudge_at=at)
    )
    return ReplyOutcome.RECORDED if result.rowcount == 1 else ReplyOutcome.ALREADY


@dataclass(frozen=True)
class FeelingResult:
    outcome: ReplyOutcome
    client: Client | None = None
    therapist: Therapist | None = None


async def record_feeling(
    session: AsyncSession, nudge_id: int, user_id: int, feeling: str
) -> FeelingResult:
    refusal, nudge = await _owned_nudge(session, nudge_id, user_id)
    if refusal or nudge is None:
        return FeelingResult(refusal or ReplyOutcome.UNKNOWN)
    client = await session.get(Client, nudge.client_id)
    assert client is not None
    result = await session.exec(
        update(Reply)  # type: ignore[call-overload]
        .where(
            col(Reply.nudge_id) == nudge_id,
            col(Reply.kind).in_([ReplyKind.DONE, ReplyKind.SOME]),
            col(Reply.feeling).is_(None),
        )
        .values(feeling=feeling)
    )
    therapist = await session.get(Therapist, client.therapist_id)
    outcome = ReplyOutcome.RECORDED if result.rowcount == 1 else ReplyOutcome.ALREADY
    return FeelingResult(outcome, client, therapist)


async def latest_open_nudge(session: AsyncSession, user_id: int, now: datetime) -> Nudge | None:
    """The nudge a typed "done" most plausibly answers: sent in the last day, unanswered."""
    result = await session.exec(
        select(Nudge)
        .join(Client, col(Client.id) == col(Nudge.client_id))
        .where(
            col(Client.telegram_user_id) == user_id,
            col(Nudge.status) == NudgeStatus.SENT,
            col(Nudge.outcome).is_(None),
            col(Nudge.sent_at) >= now - timedelta(hours=24),
        )
        .order_by(col(Nudge.due_at).desc())
        .limit(1)
    )
    return result.first()
