"""No answer: closing the day, the one follow-up, and quiet spells, for the engine's pass.

Each step is a conditional UPDATE or a claim, so a second pass, a restart or
another replica can run the same step without doing anything twice. Open days
are found through `nudge.closes_at`, which is only set until the day is closed,
so the pass never scans history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.orm import aliased
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import Client, Nudge, QuietSpell, Therapist
from bot.domain.quiet import QUIET_AFTER, PastOccurrence, is_quiet_spell
from bot.domain.types import NO_REPLY, ClientStatus, NudgeStatus

_NUDGE = Nudge.__table__  # type: ignore[attr-defined]
_SPELL = QuietSpell.__table__  # type: ignore[attr-defined]
_CLIENT = Client.__table__  # type: ignore[attr-defined]


async def close_days(session: AsyncSession, now: datetime) -> set[int]:
    """Record "no reply" for sent nudges whose local day ended without any answer.

    Returns the clients who got one, for the quiet-spell check. A nudge answered
    "Later" and never after is not "no reply": something was said.
    """
    conn = await session.connection()
    closed = await conn.execute(
        update(_NUDGE)
        .where(
            _NUDGE.c.closes_at <= now,
            _NUDGE.c.status == NudgeStatus.SENT,
            _NUDGE.c.outcome.is_(None),
            _NUDGE.c.later_at.is_(None),
        )
        .values(outcome=NO_REPLY)
        .returning(_NUDGE.c.client_id)
    )
    clients = set(closed.scalars())
    await conn.execute(update(_NUDGE).where(_NUDGE.c.closes_at <= now).values(closes_at=None))
    return clients


def _answered() -> object:
    return or_(
        _NUDGE.c.later_at.is_not(None),
        (_NUDGE.c.outcome.is_not(None)) & (_NUDGE.c.outcome != NO_REPLY),
    )


async def occurrences(
    session: AsyncSession,
    client_id: int,
    before: datetime | None = None,
    limit: int = QUIET_AFTER,
    *,
    decided: bool = False,
) -> list[PastOccurrence]:
    """The client's latest sent nudges (before `before`), newest first, answered or not.

    `decided`: only those whose day has been settled (answered, or closed as no reply).
    Today's nudge, sent and not answered yet, is not silence: counting it would start
    a quiet spell a day early whenever the next nudge goes out in the same pass that
    closes the day before.
    """
    conn = await session.connection()
    query = (
        select(_NUDGE.c.due_at, _answered())
        .where(_NUDGE.c.client_id == client_id, _NUDGE.c.status == NudgeStatus.SENT)
        .order_by(_NUDGE.c.due_at.desc())
        .limit(limit)
    )
    if decided:
        query = query.where(or_(_answered(), _NUDGE.c.outcome == NO_REPLY))
    if before is not None:
        query = query.where(_NUDGE.c.due_at < before)
    return [PastOccurrence(due, bool(answered)) for due, answered in await conn.execute(query)]


def _open_spell(client_id: object) -> object:
    return exists().where(_SPELL.c.client_id == client_id, _SPELL.c.ended_at.is_(None))


async def start_quiet_spells(session: AsyncSession, client_ids: set[int], now: datetime) -> int:
    """A spell for each of these clients whose latest nudges all went unanswered.

    Only the sender-lease holder closes days, and only the pass that closed a day
    gets its client here, so the check and the insert need no further claim.
    """
    conn = await session.connection()
    started = 0
    for client_id in sorted(client_ids):
        if not is_quiet_spell(await occurrences(session, client_id, decided=True)):
            continue
        if (await conn.execute(select(_open_spell(client_id)))).scalar():
            continue
        session.add(QuietSpell(client_id=client_id, started_at=now))
        started += 1
    return started


async def end_quiet_spell(session: AsyncSession, client_id: int, now: datetime) -> bool:
    """An answer ends the client's quiet spell, if they were in one: follow-ups resume."""
    result = await session.exec(
        update(QuietSpell)  # type: ignore[call-overload]
        .where(col(QuietSpell.client_id) == client_id, col(QuietSpell.ended_at).is_(None))
        .values(ended_at=now)
    )
    return bool(result.rowcount)


@dataclass(frozen=True)
class SpellNotice:
    """One message about a quiet spell: the question to the client, or the note to the therapist."""

    spell_id: int
    to_therapist: bool
    chat_id: int
    language: str
    label: str  # the client's label (for the therapist's note)
    first_name: str


async def claim_spell_notices(session: AsyncSession, now: datetime) -> list[SpellNotice]:
    """Claim the spells' unsent messages: each goes at most once, even across replicas."""
    rows = await session.exec(
        select(QuietSpell, Client, Therapist)  # type: ignore[call-overload]
        .join(Client, col(Client.id) == col(QuietSpell.client_id))
        .join(Therapist, col(Therapist.id) == col(Client.therapist_id))
        .where(
            col(QuietSpell.ended_at).is_(None),
            col(QuietSpell.asked_at).is_(None) | col(QuietSpell.told_at).is_(None),
        )
    )
    notices: list[SpellNotice] = []
    for spell, client, therapist in list(rows):
        for column, to_therapist in (("asked_at", False), ("told_at", True)):
            if getattr(spell, column) is not None or not await _claim(
                session, spell.id, column, now
            ):
                continue
            chat = therapist.telegram_user_id if to_therapist else client.chat_id
            reachable = client.status == ClientStatus.ACTIVE and client.reachable
            if chat is None or not (to_therapist or reachable):
                continue
            notices.append(
                SpellNotice(
                    spell_id=spell.id,
                    to_therapist=to_therapist,
                    chat_id=chat,
                    language=therapist.language if to_therapist else client.language,
                    label=client.label,
                    first_name=client.first_name or "",
                )
            )
    return notices


async def _claim(session: AsyncSession, spell_id: int, column: str, now: datetime) -> bool:
    result = await session.exec(
        update(QuietSpell)  # type: ignore[call-overload]
        .where(col(QuietSpell.id) == spell_id, getattr(QuietSpell, column).is_(None))
        .values({column: now})
    )
    return bool(result.rowcount == 1)


@dataclass(frozen=True)
class FollowupCandidate:
    nudge_id: int
    client_id: int
    chat_id: int | None
    message_id: int | None
    sent_at: datetime
    closes_at: datetime
    timezone: str
    language: str
    first_name: str
    quiet_spell: bool
    superseded: bool  # a newer nudge of the same client went out since
    away: bool  # paused, stopped or unreachable now: decided (skipped) all the same


def _pending_followup() -> list[object]:
    return [
        _NUDGE.c.closes_at.is_not(None),
        _NUDGE.c.status == NudgeStatus.SENT,
        _NUDGE.c.outcome.is_(None),
        _NUDGE.c.later_at.is_(None),
        _NUDGE.c.followup_claimed_at.is_(None),
    ]


async def followup_candidates(
    session: AsyncSession, now: datetime, after: timedelta, limit: int = 500
) -> list[FollowupCandidate]:
    """Unanswered nudges of open days sent at least `after` ago, not yet followed up.

    Every one of them gets decided (sent or skipped), whoever it belongs to now, so
    none stays pending and keeps the scheduler waking for it.
    """
    newer = aliased(Nudge)
    conn = await session.connection()
    superseded = exists().where(
        newer.client_id == _NUDGE.c.client_id,
        newer.due_at > _NUDGE.c.due_at,
        newer.status == NudgeStatus.SENT,
    )
    query = (
        select(
            _NUDGE.c.id,
            _NUDGE.c.client_id,
            _NUDGE.c.chat_id,
            _NUDGE.c.message_id,
            _NUDGE.c.sent_at,
            _NUDGE.c.closes_at,
            _CLIENT.c.timezone,
            _CLIENT.c.language,
            _CLIENT.c.first_name,
            _open_spell(_NUDGE.c.client_id),
            superseded,
            (_CLIENT.c.status == ClientStatus.ACTIVE) & _CLIENT.c.reachable.is_(True),
        )
        .join(_CLIENT, _CLIENT.c.id == _NUDGE.c.client_id)
        .where(*_pending_followup(), _NUDGE.c.sent_at <= now - after)
        .order_by(_NUDGE.c.sent_at)
        .limit(limit)
    )
    return [
        FollowupCandidate(
            nudge_id=row[0],
            client_id=row[1],
            chat_id=row[2],
            message_id=row[3],
            sent_at=row[4],
            closes_at=row[5],
            timezone=row[6] or "UTC",
            language=row[7],
            first_name=row[8] or "",
            quiet_spell=bool(row[9]),
            superseded=bool(row[10]),
            away=not row[11] or row[2] is None,
        )
        for row in await conn.execute(query)
    ]


async def claim_followup(session: AsyncSession, nudge_id: int, now: datetime) -> bool:
    """Decide a nudge's follow-up once (to send it, or to let it be): True if this call did."""
    result = await session.exec(
        update(Nudge)  # type: ignore[call-overload]
        .where(
            col(Nudge.id) == nudge_id,
            col(Nudge.followup_claimed_at).is_(None),
            col(Nudge.outcome).is_(None),
            col(Nudge.later_at).is_(None),
        )
        .values(followup_claimed_at=now)
    )
    return bool(result.rowcount == 1)


async def followup_sent(session: AsyncSession, nudge_id: int, message_id: int) -> None:
    await session.exec(
        update(Nudge)  # type: ignore[call-overload]
        .where(col(Nudge.id) == nudge_id)
        .values(followup_message_id=message_id)
    )


async def next_wake(session: AsyncSession, after: timedelta) -> datetime | None:
    """When the next day closes or the next follow-up falls due, for arming the scheduler."""
    conn = await session.connection()
    closes = (
        await conn.execute(
            select(func.min(_NUDGE.c.closes_at)).where(_NUDGE.c.closes_at.is_not(None))
        )
    ).scalar_one()
    sent = (
        await conn.execute(select(func.min(_NUDGE.c.sent_at)).where(*_pending_followup()))
    ).scalar_one()
    candidates = [value for value in (closes, sent + after if sent else None) if value]
    return min(candidates) if candidates else None


@dataclass(frozen=True)
class AnswerContext:
    """What the words around a just-recorded answer depend on, read in one go."""

    client_id: int
    slot_id: int
    later_before: bool  # "Later" had been said to this nudge before
    quiet_spell: bool  # the client is in a quiet spell (it ends now)
    earlier: list[PastOccurrence]  # the nudges before this one, newest first


async def answer_context(session: AsyncSession, nudge_id: int) -> AnswerContext | None:
    conn = await session.connection()
    row = (
        await conn.execute(
            select(
                _NUDGE.c.client_id,
                _NUDGE.c.slot_id,
                _NUDGE.c.due_at,
                _NUDGE.c.later_at,
                _open_spell(_NUDGE.c.client_id),
            ).where(_NUDGE.c.id == nudge_id)
        )
    ).first()
    if row is None:
        return None
    client_id, slot_id, due_at, later_at, spell = row
    earlier = await occurrences(session, client_id, before=due_at)
    return AnswerContext(client_id, slot_id, later_at is not None, bool(spell), earlier)


async def spell_owner_matches(session: AsyncSession, spell_id: int, user_id: int) -> bool:
    """Whether this quiet spell is the presser's own (a forged id gets the usual refusal)."""
    result = await session.exec(
        select(QuietSpell.id)  # type: ignore[call-overload]
        .join(Client, col(Client.id) == col(QuietSpell.client_id))
        .where(col(QuietSpell.id) == spell_id, col(Client.telegram_user_id) == user_id)
    )
    return result.first() is not None
