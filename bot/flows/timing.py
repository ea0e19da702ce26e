"""/time: the client changes when nudges come (time, days or time zone), with buttons.

A change moves the existing reminder slots rather than replacing them, so if
today's nudge has not come yet it comes at the new time, and a day that already
had its nudge never gets a second one (`bot.db.schedules.move`). The therapist
is not told: when suits the client is the client's business.
"""

from __future__ import annotations

from datetime import time

from telegram import ReplyKeyboardRemove

from bot.db import dialogs, schedules
from bot.db.dialogs import DialogState
from bot.db.models import ReminderSlot
from bot.db.schedules import Moved
from bot.domain.schedule import mask_to_weekdays, weekdays_to_mask
from bot.domain.types import ClientStatus, Frequency
from bot.flows import picking
from bot.flows.enrolment_schedule import resume
from bot.flows.router import Audience, Router, dialog_at
from bot.flows.stop import comeback_note
from bot.flows.turn import Turn, edit_quietly
from bot.views.callbacks import TIMING, TIMING_DAYS, TIMING_TIME, TIMING_ZONE, Callback
from bot.views.enrolment import days_keyboard, slot_keyboard
from bot.views.timing import change_keyboard, which_keyboard

FLOW = "timing"
router = Router(FLOW)


@router.command("time", menu=Audience.CLIENTS)
async def change_when(turn: Turn) -> None:
    """Say when nudges come now and offer what can change."""
    async with turn.svc.db.transaction() as session:
        schedule = await schedules.schedule_of(session, turn.user.id)
        state = None
        if schedule is not None and schedule.slots:
            routine = await schedules.routine_of(session, schedule.client)
            state = _menu(
                schedule.client.id, schedule.slots, routine.frequency, routine.times_per_week
            )
            state.data["paused"] = schedule.client.status == ClientStatus.PAUSED
            await dialogs.save(session, turn.user.id, state, turn.now)
    if state is None or schedule is None:
        if not await resume(turn):  # joined half-way: finishing the setup comes first
            note = await comeback_note(turn)  # stopped: how to come back
            await turn.say(note or turn.t("timing.not_enrolled"))
        return
    described = picking.describe_schedule(turn.svc.texts, turn.lang, schedule.slots)
    if state.data["paused"]:  # no "next one" to promise during a break
        text = turn.t("timing.overview_paused", schedule=described)
    else:
        soonest = picking.soonest(schedule.slots)
        text = turn.t(
            "timing.overview", schedule=described, next=picking.next_phrase(turn, soonest)
        )
    await turn.say(text, change_keyboard(turn.svc.texts, turn.lang, days=state.data["weekly"]))


def _menu(
    client_id: int | None, slots: list[ReminderSlot], frequency: str, times_per_week: int | None
) -> DialogState:
    """What the buttons below the overview may change: these slots, and nothing else."""
    data = {
        "client_id": client_id,
        "slots": {str(slot.id): slot.local_time for slot in slots},
        "weekdays": slots[0].weekdays,
        "times_per_week": times_per_week or 7,
        "weekly": frequency == Frequency.WEEKLY,
    }
    return DialogState(FLOW, "menu", data)


@router.button(TIMING)
async def change_pressed(turn: Turn, callback: Callback) -> bool:
    """Time, days, zone or nothing; the question replaces the overview in place."""
    state = await dialog_at(turn, FLOW, "menu")
    action = callback.args[0] if callback.args else ""
    if state is None:
        return False
    texts, lang, slots = turn.svc.texts, turn.lang, state.data["slots"]
    if action == "t" and len(slots) > 1:
        await turn.answer()
        choices = [(int(i), time.fromisoformat(at)) for i, at in sorted(slots.items())]
        choices.sort(key=lambda choice: choice[1])
        markup = which_keyboard(texts, lang, choices)
        await edit_quietly(turn.query, turn.t("timing.ask_which"), markup)
        return True
    if action == "t" or (action == "s" and len(callback.args) == 2):
        slot_id = callback.args[1] if action == "s" else next(iter(slots))
        if slot_id not in slots:
            return False
        state.step, state.data["slot_id"] = "time", slot_id
        question, markup = turn.t("timing.ask_new_time"), slot_keyboard(texts, lang, TIMING_TIME)
    elif action == "d" and state.data["weekly"]:
        state.step, state.data["days"] = "days", mask_to_weekdays(state.data["weekdays"])
        question = _ask_days(turn, state)
        markup = days_keyboard(texts, lang, state.data["days"], TIMING_DAYS)
    elif action == "z":
        state.step = "zone"
        await turn.save(state)
        await turn.answer(close=True)
        await picking.ask_zone(turn)
        return True
    elif action == "x":
        await turn.end_dialog()
        await turn.answer()
        await edit_quietly(turn.query, await _kept_text(turn))
        return True
    else:
        return False
    await turn.save(state)
    await turn.answer()
    await edit_quietly(turn.query, question, markup)
    return True


def _ask_days(turn: Turn, state: DialogState) -> str:
    return turn.t("timing.ask_days", n=state.data["times_per_week"])


async def _kept_text(turn: Turn) -> str:
    async with turn.svc.db.transaction() as session:
        schedule = await schedules.schedule_of(session, turn.user.id)
    slots = schedule.slots if schedule is not None else []
    if not slots:
        return turn.t("timing.not_enrolled")
    return turn.t(
        "timing.kept", schedule=picking.describe_schedule(turn.svc.texts, turn.lang, slots)
    )


# -- time -----------------------------------------------------------------------------------


@router.step("time")
async def time_typed(turn: Turn, state: DialogState, text: str) -> None:
    if (at := await picking.time_typed(turn, text, TIMING_TIME)) is not None:
        await _time_chosen(turn, state, at)


@router.button(TIMING_TIME)
async def time_pressed(turn: Turn, callback: Callback) -> bool:
    state = await dialog_at(turn, FLOW, "time")
    if state is None:
        return False
    at = await picking.time_pressed(turn, callback, TIMING_TIME)
    if isinstance(at, time):
        await _time_chosen(turn, state, at)
    return at is not picking.STALE


async def _time_chosen(turn: Turn, state: DialogState, at: time) -> None:
    moving = state.data["slot_id"]
    others = [t for i, t in state.data["slots"].items() if i != moving]
    if at.strftime("%H:%M") in others:
        markup = slot_keyboard(turn.svc.texts, turn.lang, TIMING_TIME)
        await turn.say(turn.t("timing.same_as_other"), markup)
        return
    await _apply(turn, state, slot_id=int(moving), local_time=at)


# -- days -----------------------------------------------------------------------------------


@router.step("days")
async def days_typed(turn: Turn, state: DialogState, text: str) -> None:
    markup = days_keyboard(turn.svc.texts, turn.lang, state.data.get("days", []), TIMING_DAYS)
    await turn.say(turn.t("enrol.days_needed"), markup)


@router.button(TIMING_DAYS)
async def day_pressed(turn: Turn, callback: Callback) -> bool:
    state = await dialog_at(turn, FLOW, "days")
    if state is None:
        return False
    wanted = state.data["times_per_week"]
    days = await picking.days_pressed(
        turn, state, callback, TIMING_DAYS, wanted, _ask_days(turn, state)
    )
    if isinstance(days, list):
        await _apply(turn, state, weekdays=weekdays_to_mask(days))
    return days is not picking.STALE


# -- time zone ------------------------------------------------------------------------------


@router.step("zone")
async def zone_typed(turn: Turn, state: DialogState, text: str) -> None:
    if (zone := await picking.zone_typed(turn, state, text, TIMING_ZONE)) is not None:
        await _apply(turn, state, zone=zone)


@router.location("zone")
async def location_shared(
    turn: Turn, state: DialogState, latitude: float, longitude: float
) -> None:
    """Only the zone the location lies in is used; the coordinates are not kept."""
    if (zone := await picking.zone_located(turn, latitude, longitude)) is not None:
        await _apply(turn, state, zone=zone)


@router.button(TIMING_ZONE)
async def zone_pressed(turn: Turn, callback: Callback) -> bool:
    state = await dialog_at(turn, FLOW, "zone")
    zone = await picking.zone_pressed(turn, state, callback) if state else None
    if state is None or zone is None:
        return False
    await _apply(turn, state, zone=zone)
    return True


# -- the change -----------------------------------------------------------------------------


async def _apply(
    turn: Turn,
    state: DialogState,
    *,
    slot_id: int | None = None,
    local_time: time | None = None,
    weekdays: int | None = None,
    zone: str | None = None,
) -> None:
    async with turn.svc.db.transaction() as session:
        moved = await schedules.move(
            session,
            state.data["client_id"],
            turn.now,
            slot_id=slot_id,
            local_time=local_time,
            weekdays=weekdays,
            zone=zone,
        )
        schedule = await schedules.schedule_of(session, turn.user.id)
        await dialogs.clear(session, turn.user.id)
    markup = ReplyKeyboardRemove() if zone is not None else None
    if not moved or schedule is None:
        await turn.say(turn.t("reply.stale"), markup)
        return
    described = picking.describe_schedule(turn.svc.texts, turn.lang, schedule.slots)
    text = turn.t("timing.changed", schedule=described)
    if not state.data.get("paused"):
        text = f"{text}\n{_when_next(turn, moved)}"
    await turn.say(text, markup)
    if turn.svc.poke_scheduler is not None:
        turn.svc.poke_scheduler()


def _when_next(turn: Turn, moved: list[Moved]) -> str:
    """Today's at the new time, or (when today's already came) the next day's."""
    first = min(moved, key=lambda m: m.slot.next_due_at)
    due = picking.local_due(first.slot)
    when = picking.next_phrase(turn, first.slot)
    if len(moved) == 1 and first.passed_over:
        return turn.t("timing.next_after_today", next=when)
    if len(moved) == 1 and due.date() == turn.now.astimezone(due.tzinfo).date():
        return turn.t("timing.next_today", time=turn.svc.texts.format_time(turn.lang, due.time()))
    return turn.t("timing.next_plain", next=when)
