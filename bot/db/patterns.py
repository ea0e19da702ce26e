"""Pattern offers, made once each, and moving a reminder when the client says yes.

A moved slot keeps its id: occurrences are unique per (slot, local date), and the
new next-due instant passes over local dates that already have an occurrence, so
a move never gives a day two nudges.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_
from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db import schedules
from bot.db.models import Client, Nudge, PatternOffer, ReminderSlot, Reply
from bot.domain.patterns import Answered, PatternKind, Suggestion, apply_to_days
from bot.domain.types import NudgeStatus

HISTORY = 21  # occurrences read: three weeks of a daily routine
# While an offer waits for an answer this long, no other is made.
ONE_AT_A_TIME = timedelta(days=7)


@dataclass(frozen=True)
class SlotHistory:
    slot: ReminderSlot
    other_times: list[time]  # the client's other reminder times
    answers: list[Answered]  # newest first


async def slot_history(session: AsyncSession, slot_id: int) -> SlotHistory | None:
    slot = await session.get(ReminderSlot, slot_id)
    if slot is None or not slot.active:
        return None
    zone = ZoneInfo(slot.timezone)
    rows = await session.exec(
        select(Nudge.local_date, Nudge.outcome, Nudge.later_at, Reply.at)  # type: ignore[call-overload]
        .outerjoin(
            Reply,
            and_(col(Reply.nudge_id) == col(Nudge.id), col(Reply.kind) == col(Nudge.outcome)),
        )
        .where(col(Nudge.slot_id) == slot_id, col(Nudge.status) == NudgeStatus.SENT)
        .order_by(col(Nudge.local_date).desc())
        .limit(HISTORY)
    )
    answers = [
        Answered(day, outcome, later is not None, at.astimezone(zone).time() if at else None)
        for day, outcome, later, at in rows
    ]
    others = await session.exec(
        select(ReminderSlot.local_time).where(
            col(ReminderSlot.client_id) == slot.client_id,
            col(ReminderSlot.active).is_(True),
            col(ReminderSlot.id) != slot_id,
        )
    )
    return SlotHistory(slot, [time.fromisoformat(t) for t in others], answers)


async def remember_offer(
    session: AsyncSession, slot: ReminderSlot, suggestion: Suggestion, now: datetime
) -> PatternOffer | None:
    """Record that this offer is being made; None if it was made before (or another waits)."""
    made = await session.exec(
        select(PatternOffer).where(
            or_(
                and_(col(PatternOffer.slot_id) == slot.id, col(PatternOffer.key) == suggestion.key),
                and_(
                    col(PatternOffer.client_id) == slot.client_id,
                    col(PatternOffer.answer).is_(None),
                    col(PatternOffer.offered_at) > now - ONE_AT_A_TIME,
                ),
            )
        )
    )
    if made.first() is not None or slot.id is None:
        return None
    offer = PatternOffer(
        client_id=slot.client_id,
        slot_id=slot.id,
        key=suggestion.key,
        kind=suggestion.kind,
        local_time=suggestion.local_time.strftime("%H:%M") if suggestion.local_time else None,
        weekday=suggestion.weekday,
        to_weekday=suggestion.to_weekday,
        offered_at=now,
    )
    session.add(offer)
    await session.flush()
    return offer


def suggestion_of(offer: PatternOffer) -> Suggestion:
    return Suggestion(
        PatternKind(offer.kind),
        offer.key,
        local_time=time.fromisoformat(offer.local_time) if offer.local_time else None,
        weekday=offer.weekday,
        to_weekday=offer.to_weekday,
    )


class OfferAnswer(StrEnum):
    ACCEPTED = "accepted"
    DECLINED = "declined"
    GONE = "gone"  # someone else's, unknown, answered before, or its reminder is gone


async def answer_offer(
    session: AsyncSession, offer_id: int, user_id: int, yes: bool, now: datetime
) -> tuple[OfferAnswer, Suggestion | None]:
    """Record the client's answer once; on yes, move the reminder as offered."""
    row = (
        await session.exec(
            select(PatternOffer, ReminderSlot)  # type: ignore[call-overload]
            .join(Client, col(Client.id) == col(PatternOffer.client_id))
            .join(ReminderSlot, col(ReminderSlot.id) == col(PatternOffer.slot_id))
            .where(col(PatternOffer.id) == offer_id, col(Client.telegram_user_id) == user_id)
        )
    ).first()
    if row is None:
        return OfferAnswer.GONE, None
    offer, slot = row
    result = await session.exec(
        update(PatternOffer)  # type: ignore[call-overload]
        .where(col(PatternOffer.id) == offer_id, col(PatternOffer.answer).is_(None))
        .values(answer="yes" if yes else "no", answered_at=now)
    )
    if result.rowcount != 1 or (yes and not slot.active):
        return OfferAnswer.GONE, None
    suggestion = suggestion_of(offer)
    if not yes:
        return OfferAnswer.DECLINED, suggestion
    if suggestion.kind is PatternKind.MOVE_TIME:
        await move_reminder(session, slot, now, local_time=suggestion.local_time)
    else:
        await move_reminder(session, slot, now, weekdays=apply_to_days(suggestion, slot.weekdays))
    return OfferAnswer.ACCEPTED, suggestion


async def move_reminder(
    session: AsyncSession,
    slot: ReminderSlot,
    now: datetime,
    *,
    local_time: time | None = None,
    weekdays: int | None = None,
) -> ReminderSlot:
    """Change a slot's time or days in place, as /time does (`schedules.move`): its next
    nudge falls on a day without one."""
    moved = await schedules.move(
        session, slot.client_id, now, slot_id=slot.id, local_time=local_time, weekdays=weekdays
    )
    return moved[0].slot if moved else slot
