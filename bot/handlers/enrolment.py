"""A client joins: /start <token> → consent → time zone → time → days → confirmation.

Nothing about the person is stored until they agree; the dialog row only holds
which invite they opened.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.db import clients, dialogs
from bot.db.clients import InviteState
from bot.db.dialogs import DialogState
from bot.db.models import Client, Frequency, ReminderSlot, Therapist
from bot.domain.schedule import EVERY_DAY, mask_to_weekdays, weekdays_to_mask
from bot.domain.timeparse import parse_time_of_day
from bot.domain.timezones import resolve_timezone
from bot.domain.tokens import looks_like_token
from bot.handlers.context import Turn, edit_quietly
from bot.texts import Texts
from bot.views.callbacks import CONSENT, DAYS, TIME, ZONE, Callback, encode

FLOW = "enrol"
MAX_ZONE_CHOICES = 6
SLOT_WORDS = ("morning", "midday", "evening")

_INVITE_PROBLEMS = {
    InviteState.UNKNOWN: "start.invite_unknown",
    InviteState.USED: "start.invite_used",
    InviteState.EXPIRED: "start.invite_expired",
    InviteState.REVOKED: "start.invite_revoked",
}


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    turn = Turn.of(update, context)
    if turn is None:
        return
    token = context.args[0] if context.args else ""
    if not token:
        await turn.say(turn.t("start.about", name=turn.user.first_name))
        return
    if not looks_like_token(token):
        await turn.say(turn.t("start.invite_unknown"))
        return
    async with turn.svc.db.transaction() as session:
        check = await clients.check_invite(session, token, turn.user.id, turn.now)
        if check.state is InviteState.OK:
            assert check.invite is not None and check.therapist is not None
            state = DialogState(
                FLOW,
                "consent",
                {"invite_id": check.invite.id, "therapist": check.therapist.display_name},
            )
            await dialogs.save(session, turn.user.id, state, turn.now)
    therapist = check.therapist.display_name if check.therapist else ""
    if check.state is InviteState.ALREADY_JOINED:
        await turn.say(turn.t("start.already_joined", therapist=therapist))
        return
    if check.state is not InviteState.OK:
        await turn.say(turn.t(_INVITE_PROBLEMS[check.state]))
        return
    await turn.say(turn.t("start.greeting", name=turn.user.first_name, therapist=therapist))
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(turn.t("buttons.agree"), callback_data=encode(CONSENT, "y")),
                InlineKeyboardButton(turn.t("buttons.decline"), callback_data=encode(CONSENT, "n")),
            ]
        ]
    )
    await turn.say(turn.t("start.consent", therapist=therapist), markup)


def _slot_keyboard(turn: Turn) -> InlineKeyboardMarkup:
    words = turn.svc.texts.slot_times(turn.lang)
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    turn.t(
                        f"buttons.slot_{word}",
                        time=turn.svc.texts.format_time(turn.lang, words[word]),
                    ),
                    callback_data=encode(TIME, words[word].strftime("%H%M")),
                )
            ]
            for word in SLOT_WORDS
        ]
    )


def _days_keyboard(turn: Turn, chosen: list[int]) -> InlineKeyboardMarkup:
    names = turn.svc.texts.raw(turn.lang, "meta.weekdays_short")
    day_buttons = [
        InlineKeyboardButton(
            ("✓ " if day in chosen else "") + names[day], callback_data=encode(DAYS, day)
        )
        for day in range(7)
    ]
    done = InlineKeyboardButton(turn.t("buttons.days_done"), callback_data=encode(DAYS, "ok"))
    return InlineKeyboardMarkup([day_buttons[:4], day_buttons[4:], [done]])


async def on_text(turn: Turn, state: DialogState, text: str) -> None:
    if state.step == "consent":
        await turn.say(turn.t("start.consent", therapist=state.data["therapist"]))
    elif state.step == "zone":
        zones = resolve_timezone(text, turn.svc.cities)[:MAX_ZONE_CHOICES]
        if not zones:
            await turn.say(turn.t("enrol.timezone_unknown", text=text[:40]))
        elif len(zones) == 1:
            await _zone_chosen(turn, state, zones[0])
        else:
            state.data["zone_options"] = zones
            await turn.save(state)
            markup = InlineKeyboardMarkup(
                [
                    [InlineKeyboardButton(zone, callback_data=encode(ZONE, index))]
                    for index, zone in enumerate(zones)
                ]
            )
            await turn.say(turn.t("enrol.timezone_choose"), markup)
    elif state.step == "time":
        texts, words = turn.svc.texts, turn.svc.texts.time_words(turn.lang)
        at = parse_time_of_day(text, words) or parse_time_of_day(
            texts.strip_time_suffix(turn.lang, text), words
        )
        if at is None:
            await turn.say(turn.t("enrol.time_unknown", text=text[:40]))
        else:
            await _time_chosen(turn, state, at)
    else:
        await turn.say(
            turn.t("enrol.days_needed"), _days_keyboard(turn, state.data.get("days", []))
        )


async def _zone_chosen(turn: Turn, state: DialogState, zone: str) -> None:
    state.step = "time"
    state.data["zone"] = zone
    state.data.pop("zone_options", None)
    await turn.save(state)
    await turn.say(turn.t("enrol.ask_time", zone=zone), _slot_keyboard(turn))


async def _time_chosen(turn: Turn, state: DialogState, at: time) -> None:
    state.data["time"] = at.strftime("%H:%M")
    if state.data.get("frequency") == Frequency.WEEKLY:
        state.step = "days"
        state.data.setdefault("days", [])
        await turn.save(state)
        await turn.say(
            turn.t("enrol.ask_days", n=state.data.get("times_per_week")),
            _days_keyboard(turn, state.data["days"]),
        )
        return
    await _complete(turn, state, EVERY_DAY)


async def on_button(turn: Turn, state: DialogState, callback: Callback) -> bool:
    """Handle an enrolment button; False means it doesn't fit the current step (stale)."""
    arg = callback.args[0] if callback.args else ""
    if callback.prefix == CONSENT and state.step == "consent" and arg in ("y", "n"):
        await turn.answer(close=True)
        if arg == "y":
            await _consented(turn, state)
        else:
            await turn.end_dialog()
            await turn.say(turn.t("start.declined"))
        return True
    if callback.prefix == ZONE and state.step == "zone":
        index = callback.int_arg(0)
        options = state.data.get("zone_options", [])
        if index is None or index >= len(options):
            return False
        await turn.answer(close=True)
        await _zone_chosen(turn, state, options[index])
        return True
    if callback.prefix == TIME and state.step == "time":
        at = parse_time_of_day(arg, {}) if len(arg) == 4 else None
        if at is None:
            return False
        await turn.answer(close=True)
        await _time_chosen(turn, state, at)
        return True
    if callback.prefix == DAYS and state.step == "days":
        return await _days_button(turn, state, callback)
    return False


async def _days_button(turn: Turn, state: DialogState, callback: Callback) -> bool:
    chosen: list[int] = state.data.setdefault("days", [])
    if callback.args and callback.args[0] == "ok":
        if not chosen:
            await turn.answer(turn.t("enrol.days_needed"))
            return True
        await turn.answer(close=True)
        await _complete(turn, state, weekdays_to_mask(chosen))
        return True
    day = callback.int_arg(0)
    if day is None or day > 6:
        return False
    if day in chosen:
        chosen.remove(day)
    else:
        chosen.append(day)
    chosen.sort()
    await turn.save(state)
    await turn.answer()
    await edit_quietly(turn.query, markup=_days_keyboard(turn, chosen))
    return True


async def _consented(turn: Turn, state: DialogState) -> None:
    chat = turn.update.effective_chat
    assert chat is not None
    async with turn.svc.db.transaction() as session:
        client = await clients.redeem_invite(
            session,
            state.data["invite_id"],
            turn.user.id,
            chat.id,
            turn.user.first_name,
            turn.lang,
            turn.now,
        )
        if client is None:
            await dialogs.clear(session, turn.user.id)
        else:
            assert client.id is not None
            routine, _exercises = await clients.routine_for(session, client.id)
            state.step = "zone"
            state.data.update(
                client_id=client.id,
                frequency=routine.frequency,
                times_per_week=routine.times_per_week,
            )
            await dialogs.save(session, turn.user.id, state, turn.now)
    await turn.say(turn.t("enrol.ask_timezone" if client else "start.invite_used"))


def describe_schedule(texts: Texts, lang: str, slot: ReminderSlot) -> str:
    """'every day at 7:30 pm (Europe/Berlin)' in the reader's language."""
    at = texts.format_time(lang, time.fromisoformat(slot.local_time))
    if slot.weekdays == EVERY_DAY:
        return texts.get(lang, "enrol.schedule_daily", time=at, zone=slot.timezone)
    days = texts.format_weekdays(lang, mask_to_weekdays(slot.weekdays))
    return texts.get(lang, "enrol.schedule_days", days=days, time=at, zone=slot.timezone)


def _first_day_phrase(turn: Turn, first: datetime, today: date) -> str:
    if first.date() == today:
        return turn.t("enrol.first_today")
    if (first.date() - today).days == 1:
        return turn.t("enrol.first_tomorrow")
    weekday = turn.svc.texts.raw(turn.lang, "meta.weekdays_short")[first.weekday()]
    return turn.t("enrol.first_on", weekday=weekday, date=first.date().isoformat())


async def _complete(turn: Turn, state: DialogState, weekdays: int) -> None:
    zone = state.data["zone"]
    at = time.fromisoformat(state.data["time"])
    async with turn.svc.db.transaction() as session:
        slot = await clients.activate_schedule(
            session, state.data["client_id"], zone, at, weekdays, turn.now
        )
        client = await session.get(Client, state.data["client_id"])
        therapist = await session.get(Therapist, client.therapist_id) if client else None
        await dialogs.clear(session, turn.user.id)
    tz = ZoneInfo(zone)
    first = _first_day_phrase(turn, slot.next_due_at.astimezone(tz), turn.now.astimezone(tz).date())
    when = turn.svc.texts.format_time(turn.lang, at)
    if weekdays == EVERY_DAY:
        confirm = turn.t("enrol.confirm_daily", time=when, zone=zone, first=first)
    else:
        days = turn.svc.texts.format_weekdays(turn.lang, mask_to_weekdays(weekdays))
        confirm = turn.t("enrol.confirm_days", days=days, time=when, zone=zone, first=first)
    await turn.say(f"{confirm}\n\n{turn.t('enrol.confirm_tail')}")
    if turn.svc.poke_scheduler is not None:
        turn.svc.poke_scheduler()
    if therapist is not None and client is not None:
        schedule = describe_schedule(turn.svc.texts, therapist.language, slot)
        await turn.tell(
            therapist.telegram_user_id,
            turn.svc.texts.get(
                therapist.language, "enrol.therapist_joined", label=client.label, schedule=schedule
            ),
        )
