"""/newclient: a therapist describes a routine and gets an invite link.

The steps live in the Dialog table (flow "newclient"), so a restart mid-way
loses nothing and a second replica can take the next message.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot.db import clients, dialogs
from bot.db.dialogs import DialogState
from bot.domain.types import Frequency
from bot.flows.guard import is_therapist, therapists_only
from bot.flows.invites import send_invite
from bot.flows.router import Audience, Router, dialog_of
from bot.flows.turn import Turn
from bot.views.callbacks import NEWCLIENT, Callback
from bot.views.newclient import frequency_keyboard, more_keyboard, times_keyboard

FLOW = "newclient"
MAX_LABEL = 64
MAX_NAME = 80
MAX_DOSE = 80
MAX_EXERCISES = 12
router = Router(FLOW)


@router.command("newclient", menu=Audience.THERAPISTS)
@therapists_only
async def newclient(turn: Turn) -> None:
    await turn.save(DialogState(FLOW, "label", {"exercises": []}))
    await turn.say(turn.t("newclient.ask_label"))


@router.step("label", "exercise_name", "more", "exercise_dose", "frequency", "times")
async def builder_typed(turn: Turn, state: DialogState, text: str) -> None:
    data = state.data
    texts, lang = turn.svc.texts, turn.lang
    markup: InlineKeyboardMarkup | None = None
    if state.step == "label":
        if not 0 < len(text) <= MAX_LABEL:
            await turn.say(turn.t("newclient.label_bad", max=MAX_LABEL))
            return
        data["label"] = text
        state.step = "exercise_name"
        reply = turn.t("newclient.ask_exercise", n=1)
    elif state.step in ("exercise_name", "more"):
        if len(data["exercises"]) >= MAX_EXERCISES:
            state.step = "frequency"
            reply = turn.t("newclient.too_many", max=MAX_EXERCISES)
            markup = frequency_keyboard(texts, lang)
        elif not 0 < len(text) <= MAX_NAME:
            await turn.say(turn.t("newclient.exercise_bad", max=MAX_NAME))
            return
        else:
            data["pending_name"] = text
            state.step = "exercise_dose"
            reply = turn.t("newclient.ask_dose", name=text)
    elif state.step == "exercise_dose":
        if not 0 < len(text) <= MAX_DOSE:
            await turn.say(turn.t("newclient.dose_bad", max=MAX_DOSE))
            return
        name = data.pop("pending_name")
        data["exercises"].append({"name": name, "dose": text})
        state.step = "more"
        reply = turn.t("newclient.added", name=name, dose=text)
        markup = more_keyboard(texts, lang)
    elif state.step == "frequency":
        reply = turn.t("newclient.ask_frequency", label=data["label"])
        markup = frequency_keyboard(texts, lang)
    else:
        reply, markup = turn.t("newclient.ask_times"), times_keyboard(texts, lang)
    await turn.save(state)
    await turn.say(reply, markup)


@router.button(NEWCLIENT)
async def builder_pressed(turn: Turn, callback: Callback) -> bool:
    """A builder button; False means it doesn't fit the current step (stale)."""
    state = await dialog_of(turn, FLOW)
    if state is None:
        return False
    action = callback.args[0] if callback.args else ""
    data = state.data
    texts, lang = turn.svc.texts, turn.lang
    if state.step == "more" and action == "add":
        state.step = "exercise_name"
        reply, markup = turn.t("newclient.ask_exercise", n=len(data["exercises"]) + 1), None
    elif state.step == "more" and action == "done":
        state.step = "frequency"
        reply = turn.t("newclient.ask_frequency", label=data["label"])
        markup = frequency_keyboard(texts, lang)
    elif state.step == "frequency" and action == "daily":
        await _finish(turn, state, Frequency.DAILY, None)
        return True
    elif state.step == "frequency" and action == "weekly":
        state.step = "times"
        reply, markup = turn.t("newclient.ask_times"), times_keyboard(texts, lang)
    elif state.step == "times" and action == "t" and (n := callback.int_arg(1)) in range(1, 7):
        await _finish(turn, state, Frequency.WEEKLY, n)
        return True
    else:
        return False
    await turn.answer(close=True)
    await turn.save(state)
    await turn.say(reply, markup)
    return True


async def _finish(
    turn: Turn, state: DialogState, frequency: Frequency, times_per_week: int | None
) -> None:
    await turn.answer(close=True)
    if not await is_therapist(turn):  # removed by an admin while building
        await turn.end_dialog()
        await turn.say(turn.t("therapists.only"))
        return
    specs = [clients.ExerciseSpec(e["name"], e["dose"]) for e in state.data["exercises"]]
    async with turn.svc.db.transaction() as session:
        therapist = await clients.ensure_therapist(
            session, turn.user.id, turn.user.full_name, turn.lang, turn.now
        )
        _client, invite, token = await clients.create_client_with_invite(
            session,
            therapist,
            state.data["label"],
            specs,
            frequency,
            times_per_week,
            turn.now,
            turn.svc.settings.invite_ttl,
        )
        await dialogs.clear(session, turn.user.id)
    assert invite.id is not None
    await send_invite(
        turn, "newclient.invite", state.data["label"], token, invite.id, invite.expires_at
    )
