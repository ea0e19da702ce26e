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
from bot.db.models import Frequency, ReminderSlot
from bot.domain.schedule import EVERY_DAY, mask_to_weekdays, weekdays_to_mask
from bot.domain.timeparse import parse_time_of_day
from bot.domain.timezones import resolve_timezone
from bot.domain.tokens import looks_like_token
from bot.handlers.context import Services, edit_quietly, say, services
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
    svc = services(context)
    user = update.effective_user
    if user is None:
        return
    lang = svc.lang(user)
    t = svc.texts
    token = context.args[0] if context.args else ""
    if not token:
        await say(update, context, t.get(lang, "start.about", name=user.first_name))
        return
    if not looks_like_token(token):
        await say(update, context, t.get(lang, "start.invite_unknown"))
        return
    now = svc.clock.now()
    async with svc.db.transaction() as session:
        check = await clients.check_invite(session, token, user.id, now)
        if check.state is InviteState.OK:
            assert check.invite is not None and check.therapist is not None
            state = DialogState(
                FLOW,
                "consent",
                {
                    "invite_id": check.invite.id,
                    "therapist": check.therapist.display_name,
                },
            )
            await dialogs.save(session, user.id, state, now)
    if check.state is InviteState.ALREADY_JOINED:
        assert check.therapist is not None
        await say(
            update,
            context,
            t.get(lang, "start.already_joined", therapist=check.therapist.display_name),
        )
        return
    if check.state is not InviteState.OK:
        await say(update, context, t.get(lang, _INVITE_PROBLEMS[check.state]))
        return
    therapist = check.therapist.display_name if check.therapist else ""
    await say(
        update, context, t.get(lang, "start.greeting", name=user.first_name, therapist=therapist)
    )
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t.get(lang, "buttons.agree"), callback_data=encode(CONSENT, "y")
                ),
                InlineKeyboardButton(
                    t.get(lang, "buttons.decline"), callback_data=encode(CONSENT, "n")
                ),
            ]
        ]
    )
    await say(update, context, t.get(lang, "start.consent", therapist=therapist), markup)


def _slot_keyboard(svc: Services, lang: str) -> InlineKeyboardMarkup:
    words = svc.texts.time_words(lang)
    buttons = []
    for word in SLOT_WORDS:
        at = words[word]
        buttons.append(
            InlineKeyboardButton(
                svc.texts.get(lang, f"buttons.slot_{word}", time=svc.texts.format_time(lang, at)),
                callback_data=encode(TIME, at.strftime("%H%M")),
            )
        )
    return InlineKeyboardMarkup([[button] for button in buttons])


def _days_keyboard(svc: Services, lang: str, chosen: list[int]) -> InlineKeyboardMarkup:
    names = svc.texts.raw(lang, "meta.weekdays_short")
    day_buttons = [
        InlineKeyboardButton(
            ("✓ " if day in chosen else "") + names[day], callback_data=encode(DAYS, day)
        )
        for day in range(7)
    ]
    return InlineKeyboardMarkup(
        [
            day_buttons[:4],
            day_buttons[4:],
            [
                InlineKeyboardButton(
                    svc.texts.get(lang, "buttons.days_done"), callback_data=encode(DAYS, "ok")
                )
            ],
        ]
    )


async def _save(svc: Services, user_id: int, state: DialogState) -> None:
    async with svc.db.transaction() as session:
        await dialogs.save(session, user_id, state, svc.clock.now())


async def on_text(
    update: Update, context: ContextTypes.DEFAULT_TYPE, state: DialogState, text: str
) -> None:
    svc = services(context)
    user = update.effective_user
    assert user is not None
    lang = svc.lang(user)
    t = svc.texts
    if state.step == "consent":
        await say(update, context, t.get(lang, "start.consent", therapist=state.data["therapist"]))
    elif state.step == "zone":
        zones = resolve_timezone(text, svc.cities)
        if not zones:
            await say(update, context, t.get(lang, "enrol.timezone_unknown", text=text[:40]))
        elif len(zones) == 1:
            await _zone_chosen(update, context, state, zones[0])
        else:
            state.data["zone_options"] = zones[:MAX_ZONE_CHOICES]
            await _save(svc, user.id, state)
            markup = InlineKeyboardMarkup(
                [
                    [InlineKeyboardButton(zone, callback_data=encode(ZONE, index))]
                    for index, zone in enumerate(zones[:MAX_ZONE_CHOICES])
                ]
            )
            await say(update, context, t.get(lang, "enrol.timezone_choose"), markup)
    elif state.step == "time":
        at = parse_time_of_day(text, t.time_words(lang))
        if at is None:
            await say(update, context, t.get(lang, "enrol.time_unknown", text=text[:40]))
        else:
            await _time_chosen(update, context, state, at)
    else:
        await say(
            update,
            context,
            t.get(lang, "enrol.days_needed"),
            _days_keyboard(svc, lang, state.data.get("days", [])),
        )


async def _zone_chosen(
    update: Update, context: ContextTypes.DEFAULT_TYPE, state: DialogState, zone: str
) -> None:
    svc = services(context)
    user = update.effective_user
    assert user is not None
    lang = svc.lang(user)
    state.step = "time"
    state.data["zone"] = zone
    state.data.pop("zone_options", None)
    await _save(svc, user.id, state)
    await say(
        update, context, svc.texts.get(lang, "enrol.ask_time", zone=zone), _slot_keyboard(svc, lang)
    )


async def _time_chosen(
    update: Update, context: ContextTypes.DEFAULT_TYPE, state: DialogState, at: time
) -> None:
    svc = services(context)
    user = update.effective_user
    assert user is not None
    lang = svc.lang(user)
    state.data["time"] = at.strftime("%H:%M")
    if state.data.get("frequency") == Frequency.WEEKLY:
        state.step = "days"
        state.data.setdefault("days", [])
        await _save(svc, user.id, state)
        await say(
            update,
            context,
            svc.texts.get(lang, "enrol.ask_days", n=state.data.get("times_per_week")),
            _days_keyboard(svc, lang, state.data["days"]),
        )
        return
    await _complete(update, context, state, EVERY_DAY)


async def on_button(
    update: Update, context: ContextTypes.DEFAULT_TYPE, state: DialogState, callback: Callback
) -> bool:
    svc = services(context)
    query = update.callback_query
    user = update.effective_user
    assert query is not None and user is not None
    lang = svc.lang(user)
    arg = callback.args[0] if callback.args else ""
    if callback.prefix == CONSENT and state.step == "consent" and arg in ("y", "n"):
        await query.answer()
        await edit_quietly(query)
        if arg == "n":
            async with svc.db.transaction() as session:
                await dialogs.clear(session, user.id)
            await say(update, context, svc.texts.get(lang, "start.declined"))
        else:
            await _consented(update, context, state)
        return True
    if callback.prefix == ZONE and state.step == "zone":
        index = callback.int_arg(0)
        options = state.data.get("zone_options", [])
        if index is None or index >= len(options):
            return False
        await query.answer()
        await edit_quietly(query)
        await _zone_chosen(update, context, state, options[index])
        return True
    if callback.prefix == TIME and state.step == "time":
        at = parse_time_of_day(arg, {}) if len(arg) == 4 else None
        if at is None:
            return False
        await query.answer()
        await edit_quietly(query)
        await _time_chosen(update, context, state, at)
        return True
    if callback.prefix == DAYS and state.step == "days":
        chosen: list[int] = state.data.setdefault("days", [])
        if arg == "ok":
            if not chosen:
                await query.answer(svc.texts.get(lang, "enrol.days_needed"))
                return True
            await query.answer()
            await edit_quietly(query)
            await _complete(update, context, state, weekdays_to_mask(chosen))
            return True
        day = callback.int_arg(0)
        if day is None or day > 6:
            return False
        if day in chosen:
            chosen.remove(day)
        else:
            chosen.append(day)
        chosen.sort()
        await _save(svc, user.id, state)
        await query.answer()
        await edit_quietly(query, markup=_days_keyboard(svc, lang, chosen))
        return True
    return False


async def _consented(
    update: Update, context: ContextTypes.DEFAULT_TYPE, state: DialogState
) -> None:
    svc = services(context)
    user = update.effective_user
    chat = update.effective_chat
    assert user is not None and chat is not None
    lang = svc.lang(user)
    now = svc.clock.now()
    async with svc.db.transaction() as session:
        client = await clients.redeem_invite(
            session, state.data["invite_id"], user.id, chat.id, user.first_name, lang, now
        )
        if client is None:
            await dialogs.clear(session, user.id)
        else:
            assert client.id is not None
            routine, _exercises = await clients.routine_for(session, client.id)
            state.step = "zone"
            state.data.update(
                client_id=client.id,
                frequency=routine.frequency,
                times_per_week=routine.times_per_week,
            )
            await dialogs.save(session, user.id, state, now)
    if client is None:
        await say(update, context, svc.texts.get(lang, "start.invite_used"))
        return
    await say(update, context, svc.texts.get(lang, "enrol.ask_timezone"))


def describe_schedule(svc: Services, lang: str, slot: ReminderSlot) -> tuple[str, str]:
    """(when, zone) phrases for a slot in the reader's language."""
    at = svc.texts.format_time(lang, time.fromisoformat(slot.local_time))
    days = (
        ""
        if slot.weekdays == EVERY_DAY
        else svc.texts.format_weekdays(lang, mask_to_weekdays(slot.weekdays))
    )
    return at, days


def _first_day_phrase(svc: Services, lang: str, first: datetime, today: date) -> str:
    if first.date() == today:
        return svc.texts.get(lang, "enrol.first_today")
    if (first.date() - today).days == 1:
        return svc.texts.get(lang, "enrol.first_tomorrow")
    weekday = svc.texts.raw(lang, "meta.weekdays_short")[first.weekday()]
    return svc.texts.get(lang, "enrol.first_on", weekday=weekday, date=first.date().isoformat())


async def _complete(
    update: Update, context: ContextTypes.DEFAULT_TYPE, state: DialogState, weekdays: int
) -> None:
    svc = services(context)
    user = update.effective_user
    assert user is not None
    lang = svc.lang(user)
    t = svc.texts
    now = svc.clock.now()
    zone = state.data["zone"]
    at = time.fromisoformat(state.data["time"])
    async with svc.db.transaction() as session:
        slot = await clients.activate_schedule(
            session, state.data["client_id"], zone, at, weekdays, now
        )
        client = await session.get(clients.Client, state.data["client_id"])
        therapist = await session.get(clients.Therapist, client.therapist_id) if client else None
        await dialogs.clear(session, user.id)
    tz = ZoneInfo(zone)
    when, days = describe_schedule(svc, lang, slot)
    first = _first_day_phrase(svc, lang, slot.next_due_at.astimezone(tz), now.astimezone(tz).date())
    if days:
        confirm = t.get(lang, "enrol.confirm_days", days=days, time=when, zone=zone, first=first)
    else:
        confirm = t.get(lang, "enrol.confirm_daily", time=when, zone=zone, first=first)
    await say(update, context, f"{confirm}\n\n{t.get(lang, 'enrol.confirm_tail')}")
    if svc.poke_scheduler is not None:
        svc.poke_scheduler()
    if therapist is not None and client is not None:
        tlang = therapist.language
        t_when, t_days = describe_schedule(svc, tlang, slot)
        schedule = (
            t.get(tlang, "enrol.schedule_days", days=t_days, time=t_when, zone=zone)
            if t_days
            else t.get(tlang, "enrol.schedule_daily", time=t_when, zone=zone)
        )
        await context.bot.send_message(
            therapist.telegram_user_id,
            t.get(tlang, "enrol.therapist_joined", label=client.label, schedule=schedule),
        )
