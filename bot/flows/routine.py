"""/routine, and "Show me" on a nudge: the client's exercises, notes, photos and videos."""

from __future__ import annotations

from telegram.error import BadRequest

from bot.db import clients, history, media
from bot.db.models import Exercise, Therapist
from bot.flows.router import Audience, Router
from bot.flows.turn import Turn
from bot.views.callbacks import SHOW, Callback
from bot.views.routine import media_caption, media_kind, routine_messages

router = Router()


@router.command("routine", menu=Audience.CLIENTS)
async def show_routine(turn: Turn) -> None:
    exercises: list[Exercise] = []
    therapist: Therapist | None = None
    async with turn.svc.db.transaction() as session:
        client = await history.joined_client(session, turn.user.id)
        if client is not None and client.id is not None:
            _routine, exercises = await clients.routine_for(session, client.id)
            therapist = await session.get(Therapist, client.therapist_id)
    if client is None or therapist is None:
        await turn.say(turn.t("routine.not_client"))
        return
    name = therapist.display_name
    if not exercises:
        await turn.say(turn.t("routine.empty", therapist=name))
        return
    texts, lang = turn.svc.texts, turn.lang
    for message in routine_messages(texts, lang, name, exercises):
        await turn.say(message)
    for exercise in exercises:
        if (kind := media_kind(exercise)) is not None and exercise.media_file_id:
            caption = media_caption(texts, lang, exercise.name, exercise.dose, exercise.notes)
            await _send(turn, kind, exercise.media_file_id, caption)


@router.button(SHOW)
async def show_exercise(turn: Turn, callback: Callback) -> None:
    """Checked against the person pressing: someone else's exercise, one that is gone
    and one without media get the same answer, and nothing changes."""
    exercise_id = callback.int_arg(0)
    shown = None
    if exercise_id is not None:
        async with turn.svc.db.transaction() as session:
            shown = await media.shown_to(session, exercise_id, turn.user.id)
    if shown is None:
        # Not dispatcher's stale answer: that would also take the nudge's buttons away.
        await turn.answer(turn.t("reply.stale"))
        return
    await turn.answer()
    caption = media_caption(turn.svc.texts, turn.lang, shown.name, shown.dose)
    await _send(turn, shown.kind, shown.file_id, caption)


async def _send(turn: Turn, kind: str, file_id: str, caption: str) -> None:
    try:
        await turn.send_media(kind, file_id, caption)
    except BadRequest:  # a file id Telegram no longer knows: say so, kindly
        await turn.say(turn.t("routine.media_unavailable"))
