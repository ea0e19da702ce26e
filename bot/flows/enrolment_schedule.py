"""Joining, after the yes: the questions that settle when nudges come, and the confirmation.

The handlers live in `bot/flows/enrolment.py`; this is what they continue with.
A setup left half-way (/cancel, or just walking away) is never a dead end: the
client row exists with consent and no reminder, the chosen zone is kept on it,
and `/start` or the invite link again resumes at the zone or the time question.
"""

from __future__ import annotations

from datetime import time

from telegram import InlineKeyboardMarkup, ReplyKeyboardRemove

from bot.db import clients, dialogs, schedules
from bot.db.dialogs import DialogState
from bot.db.models import Client, ReminderSlot, Therapist
from bot.db.schedules import PendingSetup
from bot.domain.schedule import EVERY_DAY, mask_to_weekdays
from bot.domain.types import Frequency
from bot.flows import picking
from bot.flows.turn import Turn
from bot.views.callbacks import DAYS, TIME
from bot.views.enrolment import consent_keyboard, days_keyboard, slot_keyboard
from bot.views.picking import twice_keyboard

FLOW = "enrol"


def _twice(state: DialogState) -> bool:
    return state.data.get("frequency") == Frequency.TWICE_DAILY


def _times(state: DialogState) -> list[str]:
    """Times chosen so far, "HH:MM"; rows saved before twice-a-day kept one "time"."""
    if "times" not in state.data and "time" in state.data:
        state.data["times"] = [state.data.pop("time")]
    times: list[str] = state.data.setdefault("times", [])
    return times


async def zone_chosen(turn: Turn, state: DialogState, zone: str) -> None:
    state.step = "time"
    state.data["zone"] = zone
    state.data.pop("zone_options", None)
    async with turn.svc.db.transaction() as session:
        await schedules.remember_zone(session, state.data["client_id"], zone)
        await dialogs.save(session, turn.user.id, state, turn.now)
    await picking.zone_settled(turn, zone)
    await ask_time(turn, state)


async def ask_time(turn: Turn, state: DialogState) -> None:
    """One time for most routines; for twice a day, the usual morning and evening first."""
    texts, lang = turn.svc.texts, turn.lang
    slots = slot_keyboard(texts, lang, TIME)
    if not _twice(state):
        await turn.say(turn.t("timing.ask_time"), slots)
    elif _times(state):
        await turn.say(turn.t("timing.ask_second"), slots)
    elif state.data.get("own_times"):
        await turn.say(turn.t("timing.ask_first"), slots)
    else:
        usual = texts.slot_times(lang)
        first, second = usual["morning"], usual["evening"]
        question = turn.t(
            "timing.ask_twice",
            first=texts.format_time(lang, first),
            second=texts.format_time(lang, second),
        )
        await turn.say(question, twice_keyboard(texts, lang, first, second, TIME))


async def own_times(turn: Turn, state: DialogState) -> None:
    state.data["own_times"] = True
    await turn.save(state)
    await ask_time(turn, state)


async def times_chosen(turn: Turn, state: DialogState, chosen: list[time]) -> None:
    """A time (or, from "yes, that suits me", both times of a twice-a-day routine)."""
    times = _times(state)
    for at in chosen:
        text = at.strftime("%H:%M")
        if _twice(state) and text in times:
            await turn.say(turn.t("timing.same_time"), slot_keyboard(turn.svc.texts, turn.lang))
            return
        times.append(text)
    if _twice(state) and len(times) < 2:
        await turn.save(state)
        await ask_time(turn, state)
        return
    if state.data.get("frequency") == Frequency.WEEKLY:
        state.step = "days"
        state.data.setdefault("days", [])
        await turn.save(state)
        await turn.say(ask_days_text(turn, state), days_markup(turn, state))
        return
    await complete(turn, state, EVERY_DAY)


def ask_days_text(turn: Turn, state: DialogState) -> str:
    return turn.t("enrol.ask_days", n=state.data.get("times_per_week"))


def days_markup(turn: Turn, state: DialogState) -> InlineKeyboardMarkup:
    return days_keyboard(turn.svc.texts, turn.lang, state.data.get("days", []), DAYS)


async def complete(turn: Turn, state: DialogState, weekdays: int) -> None:
    """Start the reminders, say exactly when they come, and tell the therapist."""
    zone = state.data["zone"]
    times = [time.fromisoformat(text) for text in _times(state)]
    async with turn.svc.db.transaction() as session:
        slots = await clients.activate_schedule(
            session, state.data["client_id"], zone, times, weekdays, turn.now
        )
        client = await session.get(Client, state.data["client_id"])
        therapist = await session.get(Therapist, client.therapist_id) if client else None
        await dialogs.clear(session, turn.user.id)
    await turn.say(f"{_confirmation(turn, slots, weekdays)}\n\n{turn.t('enrol.confirm_tail')}")
    if turn.svc.poke_scheduler is not None:
        turn.svc.poke_scheduler()
    if therapist is not None and client is not None:
        schedule = picking.describe_schedule(turn.svc.texts, therapist.language, slots)
        await turn.tell(
            therapist.telegram_user_id,
            turn.svc.texts.get(
                therapist.language, "enrol.therapist_joined", label=client.label, schedule=schedule
            ),
        )


def _confirmation(turn: Turn, slots: list[ReminderSlot], weekdays: int) -> str:
    texts, lang = turn.svc.texts, turn.lang
    zone = slots[0].timezone
    first = picking.soonest(slots)
    due = picking.local_due(first)
    today = turn.now.astimezone(due.tzinfo).date()
    day = picking.day_phrase(turn, due.date(), today)
    times = [texts.format_time(lang, time.fromisoformat(slot.local_time)) for slot in slots]
    if len(slots) > 1:
        return turn.t(
            "timing.confirm_twice",
            first=times[0],
            second=times[-1],
            zone=zone,
            day=day,
            time=texts.format_time(lang, due.time()),
        )
    if weekdays == EVERY_DAY:
        return turn.t("enrol.confirm_daily", time=times[0], zone=zone, first=day)
    days = texts.format_weekdays(lang, mask_to_weekdays(weekdays))
    return turn.t("enrol.confirm_days", days=days, time=times[0], zone=zone, first=day)


# -- half-way: pausing and picking up again -------------------------------------------------


async def pause(turn: Turn, state: DialogState) -> None:
    """/cancel while joining. Before the yes nothing was kept; after it, say it is paused."""
    await turn.end_dialog()
    key = "timing.setup_paused" if "client_id" in state.data else "start.declined"
    await turn.say(turn.t(key), ReplyKeyboardRemove())


async def resume(turn: Turn) -> bool:
    """Pick up a setup left half-way, from /start or the invite link; False if there is none.

    An open dialog continues at its question; a paused one (no dialog, a client
    who agreed but has no reminder) starts again at the time if the zone is
    known, else at the zone.
    """
    async with turn.svc.db.transaction() as session:
        state = await dialogs.load(session, turn.user.id)
        pending = await schedules.pending_setup(session, turn.user.id)
        if (state is None or state.flow != FLOW) and pending is not None:
            state = _state_for(pending)
            await dialogs.save(session, turn.user.id, state, turn.now)
        elif state is not None and state.flow != FLOW:
            state = None
    if state is None:
        return False
    if "client_id" in state.data:
        await turn.say(turn.t("timing.resume"))
    await ask_again(turn, state)
    return True


def _state_for(pending: PendingSetup) -> DialogState:
    client, routine = pending.client, pending.routine
    data = {
        "client_id": client.id,
        "frequency": routine.frequency,
        "times_per_week": routine.times_per_week,
        "therapist": pending.therapist_name,
    }
    if client.timezone:
        return DialogState(FLOW, "time", {**data, "zone": client.timezone})
    return DialogState(FLOW, "zone", data)


async def ask_again(turn: Turn, state: DialogState) -> None:
    """The question of the step the person is at, as if they had just reached it."""
    if state.step == "consent":
        markup = consent_keyboard(turn.svc.texts, turn.lang)
        await turn.say(turn.t("start.consent", therapist=state.data["therapist"]), markup)
    elif state.step == "zone":
        await picking.ask_zone(turn)
    elif state.step == "days":
        await turn.say(ask_days_text(turn, state), days_markup(turn, state))
    else:
        await ask_time(turn, state)
