"""Settling when nudges come: time zone, time of day and days, for joining and for /time.

Not a flow of its own: the two flows that ask these questions call in here with
their own button letters and decide what happens once an answer is settled. Each
helper answers the person itself and returns the settled value, or None while the
question is still open (a proposal to confirm, a choice among places, a toggle).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from telegram import ReplyKeyboardRemove

from bot.db.dialogs import DialogState
from bot.db.models import ReminderSlot
from bot.domain.schedule import EVERY_DAY, mask_to_weekdays
from bot.domain.timeparse import read_time
from bot.domain.timezones import resolve_timezone
from bot.flows.turn import Turn, edit_quietly
from bot.services.locating import zone_at
from bot.texts import Texts
from bot.views.callbacks import Callback
from bot.views.enrolment import days_keyboard, zone_keyboard
from bot.views.picking import (
    days_differ_keyboard,
    nearby_keyboard,
    proposal_keyboard,
    time_arg,
    zone_reply_keyboard,
)

MAX_ZONE_CHOICES = 6
# A button press that fits no question: the dispatcher answers it as stale.
STALE = False


# -- time zone ------------------------------------------------------------------------------


async def ask_zone(turn: Turn, question: str = "timing.ask_timezone") -> None:
    """The question (a client's, about their nudges, unless another is named), with a
    reply keyboard: share my location, or a common place."""
    await turn.say(turn.t(question), zone_reply_keyboard(turn.svc.texts, turn.lang))


async def zone_typed(turn: Turn, state: DialogState, text: str, prefix: str) -> str | None:
    zones = resolve_timezone(text, turn.svc.cities)[:MAX_ZONE_CHOICES]
    if not zones:
        await turn.say(turn.t("enrol.timezone_unknown", text=text[:40]))
        return None
    if len(zones) == 1:
        return zones[0]
    state.data["zone_options"] = zones
    await turn.save(state)
    await turn.say(turn.t("enrol.timezone_choose"), zone_keyboard(zones, prefix))
    return None


async def zone_located(turn: Turn, latitude: float, longitude: float) -> str | None:
    """The zone at a shared location. The coordinates end here: not saved, not logged."""
    zone = await zone_at(latitude, longitude)
    if zone is None:
        await turn.say(turn.t("timing.location_unknown"))
    return zone


async def zone_pressed(turn: Turn, state: DialogState, callback: Callback) -> str | None:
    """One of the places offered for an ambiguous name; None when the press doesn't fit."""
    index = callback.int_arg(0)
    options = state.data.get("zone_options", [])
    if index is None or index >= len(options):
        return None
    await turn.answer(close=True)
    return str(options[index])


async def zone_settled(turn: Turn, zone: str) -> None:
    """Say which zone it is and what time it is there, and take the reply keyboard away."""
    local_now = turn.svc.texts.format_time(turn.lang, turn.now.astimezone(ZoneInfo(zone)).time())
    await turn.say(turn.t("timing.zone_set", zone=zone, time=local_now), ReplyKeyboardRemove())


# -- time of day ----------------------------------------------------------------------------


async def time_typed(turn: Turn, text: str, prefix: str) -> time | None:
    """A typed time; a part of the day or an open half of it gets a proposal instead."""
    texts = turn.svc.texts
    reading = read_time(text, texts.time_vocabulary(turn.lang))
    if reading is None:
        await turn.say(turn.t("enrol.time_unknown", text=text[:40]))
        return None
    if reading.certain is not None:
        return reading.certain
    shown = [texts.format_time(turn.lang, at) for at in reading.candidates]
    question = (
        turn.t("timing.propose", time=shown[0])
        if reading.vague
        else turn.t("timing.which_half", am=shown[0], pm=shown[-1])
    )
    await turn.say(question, proposal_keyboard(texts, turn.lang, reading, prefix))
    return None


async def time_pressed(turn: Turn, callback: Callback, prefix: str) -> time | bool | None:
    """A time button: "0730" settles it, "m:0800" (pick another) edits in nearby times.

    Returns the time, None when the question stays open, or STALE for data that
    is no time button at all.
    """
    args = callback.args
    if len(args) == 2 and args[0] == "m" and (center := time_arg(args[1])) is not None:
        await turn.answer()
        markup = nearby_keyboard(turn.svc.texts, turn.lang, center, prefix)
        await edit_quietly(turn.query, turn.t("timing.pick_nearby"), markup)
        return None
    at = time_arg(args[0]) if len(args) == 1 else None
    if at is None:
        return STALE
    await turn.answer(close=True)
    return at


# -- days -----------------------------------------------------------------------------------


async def days_pressed(
    turn: Turn, state: DialogState, callback: Callback, prefix: str, wanted: int, ask: str
) -> list[int] | bool | None:
    """Toggle a day (edited in place), or settle the days.

    When the number picked is not the routine's `wanted` count, the bot asks
    gently whether to keep them; it never refuses. `ask` is the flow's question,
    shown again after "change them". Returns the days once settled, None while
    open, STALE for data that fits no button here.
    """
    texts, lang = turn.svc.texts, turn.lang
    chosen: list[int] = state.data.setdefault("days", [])
    action = callback.args[0] if callback.args else ""
    if action in ("ok", "keep"):
        if not chosen:
            await turn.answer(turn.t("enrol.days_needed"))
            return None
        if action == "ok" and len(chosen) != wanted:
            await turn.answer()
            days = texts.format_weekdays(lang, chosen)
            question = turn.t("timing.days_differ", days=days, n=wanted)
            await edit_quietly(turn.query, question, days_differ_keyboard(texts, lang, prefix))
            return None
        await turn.answer(close=True)
        return list(chosen)
    if action == "change":
        await turn.answer()
        await edit_quietly(turn.query, ask, days_keyboard(texts, lang, chosen, prefix))
        return None
    day = callback.int_arg(0)
    if day is None or day > 6:
        return STALE
    if day in chosen:
        chosen.remove(day)
    else:
        chosen.append(day)
    chosen.sort()
    await turn.save(state)
    await turn.answer()
    await edit_quietly(turn.query, markup=days_keyboard(texts, lang, chosen, prefix))
    return None


# -- saying when ----------------------------------------------------------------------------


def describe_schedule(texts: Texts, lang: str, slots: ReminderSlot | Sequence[ReminderSlot]) -> str:
    """'every day at 7:30 pm (Europe/Berlin)', or two times for twice-a-day routines."""
    slots = [slots] if isinstance(slots, ReminderSlot) else sorted(slots, key=_slot_time)
    first = slots[0]
    times = [texts.format_time(lang, _slot_time(slot)) for slot in slots]
    if len(slots) > 1:
        return texts.get(
            lang, "timing.schedule_twice", first=times[0], second=times[-1], zone=first.timezone
        )
    if first.weekdays == EVERY_DAY:
        return texts.get(lang, "enrol.schedule_daily", time=times[0], zone=first.timezone)
    days = texts.format_weekdays(lang, mask_to_weekdays(first.weekdays))
    return texts.get(lang, "enrol.schedule_days", days=days, time=times[0], zone=first.timezone)


def day_phrase(turn: Turn, when: date, today: date) -> str:
    """'today', 'tomorrow' or 'Wed, 2026-11-25'."""
    if when == today:
        return turn.t("enrol.first_today")
    if (when - today).days == 1:
        return turn.t("enrol.first_tomorrow")
    weekday = turn.svc.texts.raw(turn.lang, "meta.weekdays_short")[when.weekday()]
    return turn.t("enrol.first_on", weekday=weekday, date=when.isoformat())


def soonest(slots: Sequence[ReminderSlot]) -> ReminderSlot:
    return min(slots, key=lambda slot: slot.next_due_at)


def local_due(slot: ReminderSlot) -> datetime:
    return slot.next_due_at.astimezone(ZoneInfo(slot.timezone))


def next_phrase(turn: Turn, slot: ReminderSlot) -> str:
    """'today at 7:30 pm': when this slot's next nudge comes, on the client's clock."""
    due = local_due(slot)
    today = turn.now.astimezone(ZoneInfo(slot.timezone)).date()
    return turn.t(
        "timing.next_at",
        day=day_phrase(turn, due.date(), today),
        time=turn.svc.texts.format_time(turn.lang, due.time()),
    )


def _slot_time(slot: ReminderSlot) -> time:
    return time.fromisoformat(slot.local_time)
