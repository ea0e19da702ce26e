"""The routine builder, shared by /newclient and "Edit routine": exercises one by one
(name, dose, then notes and/or a photo or video), a review screen, how often.

The draft lives in the Dialog row (flow "builder"), so a restart mid-way loses
nothing. `data["mode"]` says what saving does: "new" creates the client and its
invite (bot/flows/routine_save.py), "edit" changes a client's routine in place.
"""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardMarkup, Message

from bot.db import templates
from bot.db.dialogs import DialogState
from bot.domain.builder import Draft, moved
from bot.domain.types import Frequency, MediaKind
from bot.flows import routine_save
from bot.flows.guard import own_therapist_id, therapists_only
from bot.flows.router import Router, dialog_of
from bot.flows.turn import Turn, edit_quietly
from bot.views import builder as view
from bot.views.callbacks import BUILDER, Callback

FLOW = "builder"
MAX_LABEL = 64
MAX_NAME = 80
MAX_DOSE = 80
MAX_NOTES = 800
MAX_EXERCISES = 12
MAX_TEMPLATE_NAME = 64
router = Router(FLOW)


def new_state(label_first: bool, data: dict[str, Any]) -> DialogState:
    data.setdefault("exercises", [])
    return DialogState(FLOW, "label" if label_first else "review", data)


def _exercises(state: DialogState) -> list[Draft]:
    exercises: list[Draft] = state.data.setdefault("exercises", [])
    return exercises


def _editing(state: DialogState) -> int | None:
    index = state.data.get("editing")
    return index if isinstance(index, int) else None


# ---- typed text at each step ----------------------------------------------------------


async def label_refused(turn: Turn, text: str) -> bool:
    """A client's name too long (or empty) to show: the therapist is asked again."""
    if 0 < len(text) <= MAX_LABEL:
        return False
    await turn.say(turn.t("newclient.label_bad", max=MAX_LABEL))
    return True


@router.step("label")
async def label_typed(turn: Turn, state: DialogState, text: str) -> None:
    if await label_refused(turn, text):
        return
    state.data["label"] = text
    if _exercises(state):  # from a template: straight to the review
        await show_review(turn, state)
        return
    await ask_name(turn, state)


@router.step("name", "more")
async def name_typed(turn: Turn, state: DialogState, text: str) -> None:
    if _editing(state) is None and len(_exercises(state)) >= MAX_EXERCISES:
        await turn.say(turn.t("builder.too_many", max=MAX_EXERCISES))
        await show_review(turn, state)
        return
    if not 0 < len(text) <= MAX_NAME:
        await turn.say(turn.t("newclient.exercise_bad", max=MAX_NAME))
        return
    pending = state.data.setdefault("pending", {})
    pending["name"] = text
    await ask_dose(turn, state)


@router.step("dose")
async def dose_typed(turn: Turn, state: DialogState, text: str) -> None:
    if not 0 < len(text) <= MAX_DOSE:
        await turn.say(turn.t("newclient.dose_bad", max=MAX_DOSE))
        return
    state.data["pending"]["dose"] = text
    await ask_extras(turn, state)


@router.step("extras")
async def notes_typed(turn: Turn, state: DialogState, text: str) -> None:
    if len(text) > MAX_NOTES:
        await turn.say(turn.t("builder.notes_bad", max=MAX_NOTES))
        return
    state.data["pending"]["notes"] = text
    state.data["got"] = True
    await turn.save(state)
    await turn.say(turn.t("builder.notes_noted"), _extras_keyboard(turn, state))


@router.attachment("extras")
async def media_sent(turn: Turn, state: DialogState, message: Message) -> None:
    """A photo or video for the exercise; its caption, if any, becomes the notes."""
    if message.photo:
        file_id, kind = message.photo[-1].file_id, MediaKind.PHOTO
    elif message.video is not None:
        file_id, kind = message.video.file_id, MediaKind.VIDEO
    else:
        await turn.say(turn.t("builder.extras_expects"), _extras_keyboard(turn, state))
        return
    pending = state.data["pending"]
    pending["media"], pending["kind"] = file_id, kind.value
    if message.caption and len(message.caption) <= MAX_NOTES:
        pending["notes"] = message.caption
    state.data["got"] = True
    await turn.save(state)
    key = "builder.video_kept" if kind is MediaKind.VIDEO else "builder.photo_kept"
    await turn.say(turn.t(key), _extras_keyboard(turn, state))


@router.step("review", "frequency", "times")
async def typed_at_buttons(turn: Turn, state: DialogState, text: str) -> None:
    await turn.say(turn.t("builder.use_buttons"))


@router.step("template_name")
async def template_named(turn: Turn, state: DialogState, text: str) -> None:
    if not 0 < len(text) <= MAX_TEMPLATE_NAME:
        await turn.say(turn.t("builder.template_name_bad", max=MAX_TEMPLATE_NAME))
        return
    therapist_id = await own_therapist_id(turn)
    if therapist_id is None:  # an admin with nothing saved yet: their row comes first
        therapist_id = await routine_save.therapist_row(turn)
    snapshot = {
        "frequency": state.data.get("frequency"),
        "times_per_week": state.data.get("times"),
        "exercises": [{k: v for k, v in e.items() if k != "id"} for e in _exercises(state)],
    }
    async with turn.svc.db.transaction() as session:
        await templates.create(session, therapist_id, text, snapshot, turn.now)
    await turn.say(turn.t("builder.template_saved", name=text))
    await show_review(turn, state)


@router.attachment("label", "name", "more", "dose", "review", "frequency", "times", "template_name")
async def not_now(turn: Turn, state: DialogState, message: Message) -> None:
    """A photo (or sticker, location, ...) where the builder wants something else: say
    what this step needs, in the builder's words."""
    media = bool(message.photo) or message.video is not None
    first = turn.t("builder.media_later") if media else turn.t("builder.text_please")
    await turn.say(f"{first} {turn.t(f'builder.expect_{state.step}')}")


# ---- questions ------------------------------------------------------------------------


async def ask_name(turn: Turn, state: DialogState) -> None:
    state.step = "name"
    index = _editing(state)
    markup: InlineKeyboardMarkup | None = None
    if index is None:
        state.data["pending"] = {}
        question = turn.t("newclient.ask_exercise", n=len(_exercises(state)) + 1)
    else:
        current = state.data["pending"]["name"]
        question = turn.t("builder.ask_new_name", n=index + 1, name=current)
        markup = view.keep_keyboard(turn.svc.texts, turn.lang, current)
    await turn.save(state)
    await turn.say(question, markup)


async def ask_dose(turn: Turn, state: DialogState) -> None:
    state.step = "dose"
    pending = state.data["pending"]
    markup = None
    if _editing(state) is not None:
        markup = view.keep_keyboard(turn.svc.texts, turn.lang, pending["dose"])
    await turn.save(state)
    await turn.say(turn.t("newclient.ask_dose", name=pending["name"]), markup)


async def ask_extras(turn: Turn, state: DialogState) -> None:
    state.step = "extras"
    state.data["got"] = False
    await turn.save(state)
    await turn.say(
        turn.t("builder.ask_extras", name=state.data["pending"]["name"]),
        _extras_keyboard(turn, state),
    )


def _extras_keyboard(turn: Turn, state: DialogState) -> InlineKeyboardMarkup:
    return view.extras_keyboard(
        turn.svc.texts,
        turn.lang,
        editing=_editing(state) is not None,
        got=bool(state.data.get("got")),
    )


async def show_review(turn: Turn, state: DialogState) -> None:
    """The review screen as a new message; later changes edit this one in place."""
    state.step = "review"
    state.data.pop("editing", None)
    state.data.pop("pending", None)
    text, markup = _review(turn, state)
    sent = await turn.say(text, markup)
    state.data["review"] = sent.message_id if sent is not None else None
    await turn.save(state)


def _review(turn: Turn, state: DialogState) -> tuple[str, InlineKeyboardMarkup]:
    texts, lang, data = turn.svc.texts, turn.lang, state.data
    often = view.frequency_text(texts, lang, data.get("frequency"), data.get("times"))
    exercises = _exercises(state)
    text = view.review_text(texts, lang, data.get("label", ""), exercises, often)
    markup = view.review_keyboard(texts, lang, len(exercises), editing=data.get("mode") == "edit")
    return text, markup


async def _exercise_finished(turn: Turn, state: DialogState) -> None:
    """The pending exercise goes into the list: back to the review, or "another one?"."""
    pending: Draft = state.data.pop("pending")
    state.data.pop("got", None)
    index = _editing(state)
    exercises = _exercises(state)
    if index is not None and index < len(exercises):
        exercises[index] = pending
    else:
        exercises.append(pending)
    if index is not None or state.data.get("frequency") is not None:
        await show_review(turn, state)
        return
    state.step = "more"
    await turn.save(state)
    added = turn.t("newclient.added", name=pending["name"], dose=pending["dose"])
    await turn.say(added, view.more_keyboard(turn.svc.texts, turn.lang))


# ---- buttons --------------------------------------------------------------------------


@router.button(BUILDER)
@therapists_only
async def builder_pressed(turn: Turn, callback: Callback) -> bool:
    """One press in the builder; False (stale) when it does not fit the current step."""
    state = await dialog_of(turn, FLOW)
    action = callback.args[0] if callback.args else ""
    if state is None:
        return False
    if state.step == "review":
        return await _review_pressed(turn, state, action, callback.int_arg(1))
    handled = await _step_pressed(turn, state, action, callback)
    if handled:
        await turn.answer(close=True)
    return handled


async def _step_pressed(turn: Turn, state: DialogState, action: str, callback: Callback) -> bool:
    step, pending = state.step, state.data.get("pending") or {}
    if step == "name" and action == view.KEEP and _editing(state) is not None:
        await ask_dose(turn, state)
    elif step == "dose" and action == view.KEEP and _editing(state) is not None:
        await ask_extras(turn, state)
    elif step == "extras" and action in (view.SKIP, view.KEEP):
        await _exercise_finished(turn, state)
    elif step == "extras" and action == view.CLEAR:
        for key in ("notes", "media", "kind"):
            pending.pop(key, None)
        await _exercise_finished(turn, state)
    elif step == "more" and action == view.ADD:
        await ask_name(turn, state)
    elif step == "more" and action == view.ENOUGH:
        await _ask_frequency(turn, state)
    elif step == "frequency" and (frequency := view.FREQ_CODES.get(_arg(callback))):
        if frequency is Frequency.WEEKLY:
            state.step = "times"
            await turn.save(state)
            await turn.say(
                turn.t("newclient.ask_times"), view.times_keyboard(turn.svc.texts, turn.lang)
            )
        else:
            state.data["frequency"], state.data["times"] = frequency.value, None
            await show_review(turn, state)
    elif step == "times" and action == view.TIMES and callback.int_arg(1) in range(1, 7):
        state.data["frequency"], state.data["times"] = Frequency.WEEKLY.value, callback.int_arg(1)
        await show_review(turn, state)
    else:
        return False
    return True


def _arg(callback: Callback) -> str:
    return callback.args[1] if callback.args[0] == view.FREQ and len(callback.args) > 1 else ""


async def _ask_frequency(turn: Turn, state: DialogState) -> None:
    state.step = "frequency"
    await turn.save(state)
    question = turn.t("newclient.ask_frequency", label=state.data.get("label", ""))
    await turn.say(question, view.frequency_keyboard(turn.svc.texts, turn.lang))


async def _review_pressed(turn: Turn, state: DialogState, action: str, n: int | None) -> bool:
    """A button on the review screen: moves and removals edit it in place."""
    if turn.query.message is None or turn.query.message.message_id != state.data.get("review"):
        return False  # an older review message
    exercises = _exercises(state)
    index = n - 1 if n is not None and 0 < n <= len(exercises) else None
    if action in (view.UP, view.DOWN, view.REMOVE) and index is not None:
        if action == view.REMOVE:
            exercises.pop(index)
        elif not moved(exercises, index, -1 if action == view.UP else 1):
            return False
        await turn.save(state)
        await turn.answer()
        await edit_quietly(turn.query, *_review(turn, state))
        return True
    if action == view.EDIT and index is not None:
        state.data["editing"], state.data["pending"] = index, dict(exercises[index])
        await turn.answer(close=True)
        await ask_name(turn, state)
        return True
    if action == view.ADD:
        if len(exercises) >= MAX_EXERCISES:
            await turn.answer(turn.t("builder.too_many", max=MAX_EXERCISES))
            return True
        await turn.answer(close=True)
        await ask_name(turn, state)
        return True
    if action == view.OFTEN:
        await turn.answer(close=True)
        await _ask_frequency(turn, state)
        return True
    if action == view.TEMPLATE:
        await turn.answer(close=True)
        state.step = "template_name"
        await turn.save(state)
        await turn.say(turn.t("builder.ask_template_name"))
        return True
    if action == view.SAVE:
        return await _save(turn, state)
    return False


async def _save(turn: Turn, state: DialogState) -> bool:
    if not _exercises(state):
        await turn.answer(turn.t("builder.nothing_to_save"))
        return True
    if state.data.get("frequency") is None:
        await turn.answer(close=True)
        await _ask_frequency(turn, state)
        return True
    await turn.answer(close=True)
    if state.data.get("mode") == "edit":
        await routine_save.save_edit(turn, state)
    else:
        await routine_save.create(turn, state)
    return True
