"""A client joins: /start <token> → consent → time zone → time → days → confirmation.

Nothing about the person is stored until they agree; the dialog row only holds
which invite they opened.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from bot.db import clients, dialogs
from bot.db.clients import InviteState
from bot.db.dialogs import DialogState
from bot.db.models import Client, ReminderSlot, Therapist
from bot.domain.schedule import EVERY_DAY, mask_to_weekdays, weekdays_to_mask
from bot.domain.timeparse import parse_time_of_day
from bot.domain.timezones import resolve_timezone
from bot.domain.tokens import looks_like_token
from bot.domain.types import Frequency
from bot.flows import therapists
from bot.flows.router import Audience, Router, dialog_of
from bot.flows.stop import comeback_note
from bot.flows.turn import Turn, edit_quietly
from bot.texts import Texts
from bot.views.callbacks import CONSENT, DAYS, TIME, ZONE, Callback
from bot.views.enrolment import consent_keyboard, days_keyboard, slot_keyboard, zone_keyboard

FLOW = "enrol"
MAX_ZONE_CHOICES = 6
router = Router(FLOW)

_INVITE_PROBLEMS = {
    InviteState.UNKNOWN: "start.invite_unknown",
    InviteState.USED: "start.invite_used",
    InviteState.EXPIRED: "start.invite_expired",
    InviteState.REVOKED: "start.invite_revoked",
}


@router.command("start", menu=Audience.EVERYONE)
async def start(turn: Turn) -> None:
    """/start <token> from an invite link; a bare /start says what the bot is."""
    args = turn.context.args
    token = args[0] if args else ""
    if not token:
        note = await comeback_note(turn)
        await turn.say(note or turn.t("start.about", name=turn.user.first_name))
        await therapists.refresh_menu(turn)
        return
    if not looks_like_token(token):
        await turn.say(turn.t("start.invite_unknown"))
        return
    if await therapists.join_by_link(turn, token):  # a colleague's invite, not a client's
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
        note = await comeback_note(turn)
        await turn.say(note or turn.t("start.already_joined", therapist=therapist))
        return
    if check.state is not InviteState.OK:
        await turn.say(turn.t(_INVITE_PROBLEMS[check.state]))
        return
    await turn.say(turn.t("start.greeting", name=turn.user.first_name, therapist=therapist))
    markup = consent_keyboard(turn.svc.texts, turn.lang)
    await turn.say(turn.t("start.consent", therapist=therapist), markup)


@router.step("consent")
async def consent_typed(turn: Turn, state: DialogState, text: str) -> None:
    """Consent is a button press; typing instead gets the question again."""
    await turn.say(
        turn.t("start.consent", therapist=state.data["therapist"]),
        consent_keyboard(turn.svc.texts, turn.lang),
    )


@router.step("zone")
async def zone_typed(turn: Turn, state: DialogState, text: str) -> None:
    zones = resolve_timezone(text, turn.svc.cities)[:MAX_ZONE_CHOICES]
    if not zones:
        await turn.say(turn.t("enrol.timezone_unknown", text=text[:40]))
    elif len(zones) == 1:
        await _zone_chosen(turn, state, zones[0])
    else:
        state.data["zone_options"] = zones
        await turn.save(state)
        await turn.say(turn.t("enrol.timezone_choose"), zone_keyboard(zones))


@router.step("time")
async def time_typed(turn: Turn, state: DialogState, text: str) -> None:
    texts, words = turn.svc.texts, turn.svc.texts.time_words(turn.lang)
    at = parse_time_of_day(text, words) or parse_time_of_day(
        texts.strip_time_suffix(turn.lang, text), words
    )
    if at is None:
        await turn.say(turn.t("enrol.time_unknown", text=text[:40]))
    else:
        await _time_chosen(turn, state, at)


@router.step("days")
async def days_typed(turn: Turn, state: DialogState, text: str) -> None:
    await turn.say(
        turn.t("enrol.days_needed"),
        days_keyboard(turn.svc.texts, turn.lang, state.data.get("days", [])),
    )


async def _zone_chosen(turn: Turn, state: DialogState, zone: str) -> None:
    state.step = "time"
    state.data["zone"] = zone
    state.data.pop("zone_options", None)
    await turn.save(state)
    await turn.say(turn.t("enrol.ask_time", zone=zone), slot_keyboard(turn.svc.texts, turn.lang))


async def _time_chosen(turn: Turn, state: DialogState, at: time) -> None:
    state.data["time"] = at.strftime("%H:%M")
    if state.data.get("frequency") == Frequency.WEEKLY:
        state.step = "days"
        state.data.setdefault("days", [])
        await turn.save(state)
        await turn.say(
            turn.t("enrol.ask_days", n=state.data.get("times_per_week")),
            days_keyboard(turn.svc.texts, turn.lang, state.data["days"]),
        )
        return
    await _complete(turn, state, EVERY_DAY)


@router.button(CONSENT)
async def consent_pressed(turn: Turn, callback: Callback) -> bool:
    state = await dialog_of(turn, FLOW)
    arg = callback.args[0] if callback.args else ""
    if state is None or state.step != "consent" or arg not in ("y", "n"):
        return False
    await turn.answer(close=True)
    if arg == "y":
        await _consented(turn, state)
    else:
        await turn.end_dialog()
        await turn.say(turn.t("start.declined"))
    return True


@router.button(ZONE)
async def zone_pressed(turn: Turn, callback: Callback) -> bool:
    state = await dialog_of(turn, FLOW)
    index = callback.int_arg(0)
    options = state.data.get("zone_options", []) if state is not None else []
    if state is None or state.step != "zone" or index is None or index >= len(options):
        return False
    await turn.answer(close=True)
    await _zone_chosen(turn, state, options[index])
    return True


@router.button(TIME)
async def slot_pressed(turn: Turn, callback: Callback) -> bool:
    state = await dialog_of(turn, FLOW)
    arg = callback.args[0] if callback.args else ""
    at = parse_time_of_day(arg, {}) if len(arg) == 4 else None
    if state is None or state.step != "time" or at is None:
        return False
    await turn.answer(close=True)
    await _time_chosen(turn, state, at)
    return True


@router.button(DAYS)
async def day_pressed(turn: Turn, callback: Callback) -> bool:
    state = await dialog_of(turn, FLOW)
    if state is None or state.step != "days":
        return False
    return await _days_button(turn, state, callback)


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
    await edit_quietly(turn.query, markup=days_keyboard(turn.svc.texts, turn.lang, chosen))
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
