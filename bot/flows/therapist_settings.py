"""A therapist's /settings: their language, time zone and the weekly digest.

/settings shows this to a therapist (bot/flows/settings.py hands over); a
therapist who is also someone's client reaches their client settings with a
button here ("My settings as a client"). Every button acts on the presser's own
row only, so forged data can change nothing of anyone else's; a non-therapist's
press is refused as stale. Buttons set explicit values (never "toggle").
"""

from __future__ import annotations

from datetime import time

from bot.db import clients, digests, person_settings
from bot.db.dialogs import DialogState
from bot.flows import picking
from bot.flows.guard import therapists_only
from bot.flows.language import publish_menu
from bot.flows.router import Router, dialog_at
from bot.flows.turn import Turn, edit_quietly
from bot.views import settings as client_view
from bot.views.callbacks import THERAPIST_SETTINGS, Callback
from bot.views.therapist_settings import (
    AS_CLIENT,
    BACK,
    CLOSE,
    DIGEST,
    LANGUAGE,
    OFF,
    ON,
    PICK_LANGUAGE,
    TIME,
    TIME_PREFIX,
    WEEKDAY,
    ZONE,
    ZONE_PREFIX,
    TherapistChoices,
    language_keyboard,
    settings_view,
    time_keyboard,
    weekday_keyboard,
)

FLOW = "therapist_settings"
router = Router(FLOW)


async def _choices(turn: Turn, **change: object) -> TherapistChoices:
    """The presser's own choices, after applying `change` (if any) to their row."""
    async with turn.svc.db.transaction() as session:
        if change:
            therapist = await digests.change(
                session, turn.user.id, turn.user.full_name, turn.lang, turn.now, **change
            )
        else:
            therapist = await clients.therapist_by_user(session, turn.user.id)
        also_client = bool(await clients.clients_of_user(session, turn.user.id))
    if therapist is None:  # an admin with no client yet: the defaults
        return TherapistChoices(turn.lang, None, False, 0, "08:00", also_client)
    return TherapistChoices(
        turn.lang,
        therapist.timezone,
        therapist.digest_enabled,
        therapist.digest_weekday,
        therapist.digest_time,
        also_client,
    )


async def show(turn: Turn) -> None:
    """/settings for a therapist."""
    await turn.say(*settings_view(turn.svc.texts, turn.lang, await _choices(turn)))


async def _redraw(turn: Turn, saved: bool, **change: object) -> None:
    choices = await _choices(turn, **change)
    await turn.answer(turn.t("tsettings.saved") if saved else None)
    await edit_quietly(turn.query, *settings_view(turn.svc.texts, turn.lang, choices))


@router.button(THERAPIST_SETTINGS)
@therapists_only
async def setting_pressed(turn: Turn, callback: Callback) -> bool:
    what, *args = callback.args or ("",)
    value = args[0] if len(args) == 1 else None
    if not args and what in (BACK, LANGUAGE, WEEKDAY, TIME, ZONE, AS_CLIENT, CLOSE):
        return await _open(turn, what)
    if what == DIGEST and value in (ON, OFF):
        await _redraw(turn, True, digest_enabled=value == ON)
    elif what == WEEKDAY and value is not None and value.isdigit() and int(value) < 7:
        await _redraw(turn, True, digest_weekday=int(value))
    elif what == PICK_LANGUAGE and value in turn.svc.texts.languages:
        await _language_chosen(turn, value)
    elif what == TIME and args:
        at = await picking.time_pressed(turn, Callback(TIME_PREFIX, tuple(args)), TIME_PREFIX)
        if isinstance(at, time):
            await turn.end_dialog()
            await _time_chosen(turn, at, edit=True)
        return at is not picking.STALE
    elif what == ZONE and value is not None:
        state = await dialog_at(turn, FLOW, "zone")
        zone = (
            await picking.zone_pressed(turn, state, Callback(ZONE_PREFIX, (value,)))
            if state
            else None
        )
        if zone is None:
            return False
        await _zone_chosen(turn, zone)
    else:
        return False
    return True


async def _open(turn: Turn, what: str) -> bool:
    """A button without a value: open its question (in place), go back, or close."""
    texts, lang = turn.svc.texts, turn.lang
    if what == BACK:
        await turn.end_dialog()
        await _redraw(turn, False)
    elif what == LANGUAGE:
        await turn.answer()
        await edit_quietly(turn.query, turn.t("language.choose"), language_keyboard(texts, lang))
    elif what == WEEKDAY:
        choices = await _choices(turn)
        await turn.answer()
        markup = weekday_keyboard(texts, lang, choices.weekday)
        await edit_quietly(turn.query, turn.t("tsettings.ask_weekday"), markup)
    elif what == TIME:
        await turn.save(DialogState(FLOW, "time", {}))
        await turn.answer()
        await edit_quietly(turn.query, turn.t("tsettings.ask_time"), time_keyboard(texts, lang))
    elif what == ZONE:
        await turn.save(DialogState(FLOW, "zone", {}))
        await turn.answer(close=True)
        await picking.ask_zone(turn, "tsettings.ask_timezone")
    elif what == AS_CLIENT:
        async with turn.svc.db.transaction() as session:
            prefs = await person_settings.preferences(session, turn.user.id)
        await turn.answer()
        await edit_quietly(turn.query, *client_view.settings_view(texts, lang, prefs))
    else:  # CLOSE
        await turn.end_dialog()
        await turn.answer(close=True)
    return True


async def _language_chosen(turn: Turn, code: str) -> None:
    async with turn.svc.db.transaction() as session:
        await person_settings.choose_language(session, turn.user.id, code, turn.now)
    if turn.svc.languages is not None:
        turn.svc.languages.remember(turn.user.id, code)
    turn.lang = code  # the rest of this turn speaks the new language already
    await _redraw(turn, True)
    await publish_menu(turn)


@router.step("time")
async def time_typed(turn: Turn, state: DialogState, text: str) -> None:
    if (at := await picking.time_typed(turn, text, TIME_PREFIX)) is not None:
        await turn.end_dialog()
        await _time_chosen(turn, at, edit=False)


async def _time_chosen(turn: Turn, at: time, *, edit: bool) -> None:
    choices = await _choices(turn, digest_time=at.strftime("%H:%M"))
    view = settings_view(turn.svc.texts, turn.lang, choices)
    if edit:
        await edit_quietly(turn.query, *view)
    else:
        await turn.say(*view)


@router.step("zone")
async def zone_typed(turn: Turn, state: DialogState, text: str) -> None:
    if (zone := await picking.zone_typed(turn, state, text, ZONE_PREFIX)) is not None:
        await _zone_chosen(turn, zone)


@router.location("zone")
async def location_shared(
    turn: Turn, state: DialogState, latitude: float, longitude: float
) -> None:
    """Only the zone the location lies in is used; the coordinates are not kept."""
    if (zone := await picking.zone_located(turn, latitude, longitude)) is not None:
        await _zone_chosen(turn, zone)


async def _zone_chosen(turn: Turn, zone: str) -> None:
    await turn.end_dialog()
    choices = await _choices(turn, timezone=zone)
    await picking.zone_settled(turn, zone)  # says the zone and its time; the keyboard goes
    await turn.say(*settings_view(turn.svc.texts, turn.lang, choices))
