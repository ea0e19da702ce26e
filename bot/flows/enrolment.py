"""A client joins: /start <token> → consent → time zone → time → days → confirmation.

Nothing about the person is stored until they agree; the dialog row only holds
which invite they opened. What follows the yes is in `enrolment_schedule`.
"""

from __future__ import annotations

from datetime import time

from bot.db import clients, dialogs
from bot.db.clients import InviteState
from bot.db.dialogs import DialogState
from bot.domain.schedule import weekdays_to_mask
from bot.domain.tokens import looks_like_token
from bot.flows import picking, therapists
from bot.flows.enrolment_schedule import (
    FLOW,
    ask_days_text,
    complete,
    days_markup,
    own_times,
    resume,
    times_chosen,
    zone_chosen,
)
from bot.flows.picking import describe_schedule
from bot.flows.router import Audience, Router, dialog_at, dialog_of
from bot.flows.stop import comeback_note
from bot.flows.turn import Turn
from bot.views.callbacks import CONSENT, DAYS, TIME, ZONE, Callback
from bot.views.enrolment import consent_keyboard
from bot.views.picking import time_arg

__all__ = ["FLOW", "describe_schedule", "router"]
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
        if not await resume(turn):
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
        if not await resume(turn):  # joined, but the setup was left half-way
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
    if (zone := await picking.zone_typed(turn, state, text, ZONE)) is not None:
        await zone_chosen(turn, state, zone)


@router.location("zone")
async def location_shared(
    turn: Turn, state: DialogState, latitude: float, longitude: float
) -> None:
    """The location button: only the zone it lies in is kept, never the coordinates."""
    if (zone := await picking.zone_located(turn, latitude, longitude)) is not None:
        await zone_chosen(turn, state, zone)


@router.step("time")
async def time_typed(turn: Turn, state: DialogState, text: str) -> None:
    if (at := await picking.time_typed(turn, text, TIME)) is not None:
        await times_chosen(turn, state, [at])


@router.step("days")
async def days_typed(turn: Turn, state: DialogState, text: str) -> None:
    await turn.say(turn.t("enrol.days_needed"), days_markup(turn, state))


@router.button(CONSENT)
async def consent_pressed(turn: Turn, callback: Callback) -> bool:
    state = await dialog_of(turn, FLOW)
    arg = callback.args[0] if callback.args else ""
    if state is None or state.step != "consent" or arg not in ("y", "n", "m"):
        return False
    if arg == "m":
        # Tell me more: the whole /privacy text, then the same question again.
        await turn.answer(close=True)
        await turn.say(turn.t("privacy.text"))
        await consent_typed(turn, state, "")
        return True
    await turn.answer(close=True)
    if arg == "y":
        await _consented(turn, state)
    else:
        await turn.end_dialog()
        await turn.say(turn.t("start.declined"))
    return True


@router.button(ZONE)
async def zone_pressed(turn: Turn, callback: Callback) -> bool:
    state = await dialog_at(turn, FLOW, "zone")
    zone = await picking.zone_pressed(turn, state, callback) if state else None
    if state is None or zone is None:
        return False
    await zone_chosen(turn, state, zone)
    return True


@router.button(TIME)
async def time_pressed(turn: Turn, callback: Callback) -> bool:
    """A slot, a confirmed proposal, "pick another", or the twice-a-day choices."""
    state = await dialog_at(turn, FLOW, "time")
    if state is None:
        return False
    if callback.args == ("own",):
        await turn.answer(close=True)
        await own_times(turn, state)
        return True
    pair = [at for at in map(time_arg, callback.args) if at is not None]
    if len(pair) == 2:
        await turn.answer(close=True)
        await times_chosen(turn, state, pair)
        return True
    at = await picking.time_pressed(turn, callback, TIME)
    if isinstance(at, time):
        await times_chosen(turn, state, [at])
    return at is not picking.STALE


@router.button(DAYS)
async def day_pressed(turn: Turn, callback: Callback) -> bool:
    state = await dialog_at(turn, FLOW, "days")
    if state is None:
        return False
    wanted = state.data.get("times_per_week") or 7
    days = await picking.days_pressed(
        turn, state, callback, DAYS, wanted, ask_days_text(turn, state)
    )
    if days is picking.STALE:
        return False
    if isinstance(days, list):
        await complete(turn, state, weekdays_to_mask(days))
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
    if client is None:
        await turn.say(turn.t("start.invite_used"))
    else:
        await picking.ask_zone(turn)
