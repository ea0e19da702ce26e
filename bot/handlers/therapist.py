"""/newclient: a therapist describes a routine and gets an invite link.

The steps live in the Dialog table (flow "newclient"), so a restart mid-way
loses nothing and a second replica can take the next message.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.db import clients, dialogs
from bot.db.dialogs import DialogState
from bot.db.models import Frequency
from bot.handlers.context import Services, edit_quietly, say, services
from bot.views.callbacks import NEWCLIENT, Callback, encode

FLOW = "newclient"
MAX_LABEL = 64
MAX_NAME = 80
MAX_DOSE = 80
MAX_EXERCISES = 12


def _more_keyboard(svc: Services, lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    svc.texts.get(lang, "buttons.add_exercise"),
                    callback_data=encode(NEWCLIENT, "add"),
                ),
                InlineKeyboardButton(
                    svc.texts.get(lang, "buttons.exercises_done"),
                    callback_data=encode(NEWCLIENT, "done"),
                ),
            ]
        ]
    )


def _frequency_keyboard(svc: Services, lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    svc.texts.get(lang, "buttons.freq_daily"),
                    callback_data=encode(NEWCLIENT, "daily"),
                ),
                InlineKeyboardButton(
                    svc.texts.get(lang, "buttons.freq_weekly"),
                    callback_data=encode(NEWCLIENT, "weekly"),
                ),
            ]
        ]
    )


def _times_keyboard(svc: Services, lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    svc.texts.get(lang, "buttons.times_per_week", n=n),
                    callback_data=encode(NEWCLIENT, "t", n),
                )
                for n in range(first, first + 3)
            ]
            for first in (1, 4)
        ]
    )


async def newclient(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    user = update.effective_user
    if user is None:
        return
    lang = svc.lang(user)
    async with svc.db.transaction() as session:
        allowed = svc.is_admin(user.id) or (
            await clients.therapist_by_user(session, user.id) is not None
        )
        if allowed:
            await dialogs.save(
                session, user.id, DialogState(FLOW, "label", {"exercises": []}), svc.clock.now()
            )
    key = "newclient.ask_label" if allowed else "newclient.not_allowed"
    await say(update, context, svc.texts.get(lang, key))


async def on_text(
    update: Update, context: ContextTypes.DEFAULT_TYPE, state: DialogState, text: str
) -> None:
    svc = services(context)
    user = update.effective_user
    assert user is not None
    lang = svc.lang(user)
    t = svc.texts
    data = state.data
    reply: str
    markup: InlineKeyboardMarkup | None = None
    if state.step == "label":
        if not 0 < len(text) <= MAX_LABEL:
            await say(update, context, t.get(lang, "newclient.label_bad", max=MAX_LABEL))
            return
        data["label"] = text
        state.step = "exercise_name"
        reply = t.get(lang, "newclient.ask_exercise", n=1)
    elif state.step in ("exercise_name", "more"):
        if len(data["exercises"]) >= MAX_EXERCISES:
            state.step = "frequency"
            reply = t.get(lang, "newclient.too_many", max=MAX_EXERCISES)
            markup = _frequency_keyboard(svc, lang)
        elif not 0 < len(text) <= MAX_NAME:
            await say(update, context, t.get(lang, "newclient.exercise_bad", max=MAX_NAME))
            return
        else:
            data["pending_name"] = text
            state.step = "exercise_dose"
            reply = t.get(lang, "newclient.ask_dose", name=text)
    elif state.step == "exercise_dose":
        if not 0 < len(text) <= MAX_DOSE:
            await say(update, context, t.get(lang, "newclient.dose_bad", max=MAX_DOSE))
            return
        name = data.pop("pending_name")
        data["exercises"].append({"name": name, "dose": text})
        state.step = "more"
        reply = t.get(lang, "newclient.added", name=name, dose=text)
        markup = _more_keyboard(svc, lang)
    elif state.step == "frequency":
        reply, markup = (
            t.get(lang, "newclient.ask_frequency", label=data["label"]),
            _frequency_keyboard(svc, lang),
        )
    else:
        reply, markup = t.get(lang, "newclient.ask_times"), _times_keyboard(svc, lang)
    async with svc.db.transaction() as session:
        await dialogs.save(session, user.id, state, svc.clock.now())
    await say(update, context, reply, markup)


async def on_button(
    update: Update, context: ContextTypes.DEFAULT_TYPE, state: DialogState, callback: Callback
) -> bool:
    """Handle a /newclient button; False means it doesn't fit the current step (stale)."""
    svc = services(context)
    query = update.callback_query
    user = update.effective_user
    assert query is not None and user is not None
    lang = svc.lang(user)
    t = svc.texts
    action = callback.args[0] if callback.args else ""
    data = state.data
    if state.step == "more" and action == "add":
        state.step = "exercise_name"
        reply, markup = t.get(lang, "newclient.ask_exercise", n=len(data["exercises"]) + 1), None
    elif state.step == "more" and action == "done":
        state.step = "frequency"
        reply = t.get(lang, "newclient.ask_frequency", label=data["label"])
        markup = _frequency_keyboard(svc, lang)
    elif state.step == "frequency" and action == "daily":
        await _finish(update, context, state, Frequency.DAILY, None)
        return True
    elif state.step == "frequency" and action == "weekly":
        state.step = "times"
        reply, markup = t.get(lang, "newclient.ask_times"), _times_keyboard(svc, lang)
    elif state.step == "times" and action == "t" and (n := callback.int_arg(1)) in range(1, 7):
        await _finish(update, context, state, Frequency.WEEKLY, n)
        return True
    else:
        return False
    await query.answer()
    await edit_quietly(query)
    async with svc.db.transaction() as session:
        await dialogs.save(session, user.id, state, svc.clock.now())
    await say(update, context, reply, markup)
    return True


async def _finish(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    state: DialogState,
    frequency: Frequency,
    times_per_week: int | None,
) -> None:
    svc = services(context)
    query = update.callback_query
    user = update.effective_user
    assert query is not None and user is not None
    lang = svc.lang(user)
    now = svc.clock.now()
    specs = [clients.ExerciseSpec(e["name"], e["dose"]) for e in state.data["exercises"]]
    async with svc.db.transaction() as session:
        therapist = await clients.ensure_therapist(session, user.id, user.full_name, lang, now)
        _client, invite, token = await clients.create_client_with_invite(
            session,
            therapist,
            state.data["label"],
            specs,
            frequency,
            times_per_week,
            now,
            svc.settings.invite_ttl,
        )
        await dialogs.clear(session, user.id)
    await query.answer()
    await edit_quietly(query)
    link = f"https://t.me/{context.bot.username}?start={token}"
    expires = invite.expires_at.date().isoformat()
    await say(
        update,
        context,
        svc.texts.get(
            lang, "newclient.invite", label=state.data["label"], link=link, expires=expires
        ),
    )
