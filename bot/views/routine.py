"""What /routine and "Show me" look like: the exercises, their notes, their media."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton
from telegram.constants import MessageLimit

from bot.db.models import Exercise
from bot.domain.types import MediaKind
from bot.texts import Texts
from bot.views.callbacks import SHOW, encode

MAX_TEXT = MessageLimit.MAX_TEXT_LENGTH
MAX_CAPTION = MessageLimit.CAPTION_LENGTH
MAX_NOTE = 600  # one exercise's notes in the routine message; the rest is in the caption
MAX_BUTTON_NAME = 40  # Telegram cuts long buttons anyway; keep the start of the name


def media_kind(exercise: Exercise) -> MediaKind | None:
    """The kind of the exercise's photo or video, or None without (usable) media."""
    if not exercise.media_file_id:
        return None
    try:
        return MediaKind(exercise.media_kind or "")
    except ValueError:
        return None


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else f"{text[: limit - 1].rstrip()}…"


def routine_messages(
    texts: Texts, lang: str, therapist: str, exercises: Sequence[Exercise]
) -> list[str]:
    """The routine as one message (more only if a long one would pass Telegram's limit)."""
    lines = [texts.get(lang, "routine.title", therapist=therapist), ""]
    for index, exercise in enumerate(exercises, start=1):
        line = texts.get(lang, "routine.exercise", n=index, name=exercise.name, dose=exercise.dose)
        if (kind := media_kind(exercise)) is not None:
            line = f"{line} {texts.get(lang, f'routine.mark_{kind.value}')}"
        lines.append(line)
        if exercise.notes:
            lines.append(texts.get(lang, "routine.note", notes=clip(exercise.notes, MAX_NOTE)))
    lines.append("")
    if any(media_kind(exercise) for exercise in exercises):
        lines.append(texts.get(lang, "routine.media_below"))
    lines.append(texts.get(lang, "routine.outro", therapist=therapist))
    return _pack(lines, MAX_TEXT)


def _pack(lines: list[str], limit: int) -> list[str]:
    """Whole lines into as few messages as fit."""
    messages: list[str] = []
    current = ""
    for line in lines:
        line = clip(line, limit)
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            messages.append(current)
            candidate = line
        current = candidate
    if current.strip():
        messages.append(current)
    return messages


def media_caption(texts: Texts, lang: str, name: str, dose: str, notes: str | None = None) -> str:
    caption = texts.get(lang, "routine.caption", name=name, dose=dose)
    if notes:
        caption = f"{caption}\n{notes}"
    return clip(caption, MAX_CAPTION)


def show_me_rows(
    texts: Texts, lang: str, shows: Sequence[tuple[int, str]]
) -> list[list[InlineKeyboardButton]]:
    """One "Show me" button per exercise with a photo or video, each on its own row."""
    return [
        [
            InlineKeyboardButton(
                texts.get(lang, "buttons.show_me", name=clip(name, MAX_BUTTON_NAME)),
                callback_data=encode(SHOW, exercise_id),
            )
        ]
        for exercise_id, name in shows
    ]
