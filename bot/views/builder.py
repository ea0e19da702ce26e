"""What the routine builder shows: the review screen and the builder's buttons.

The review is one message, edited in place as exercises move or go; it stays well
under Telegram's 4096 characters (12 exercises at most, names and doses capped).
"""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.builder import Draft
from bot.domain.types import Frequency
from bot.texts import Texts
from bot.views.callbacks import BUILDER, encode
from bot.views.routine import MAX_TEXT, clip

# Button actions (Tb:<action>[:<n>]); n is the exercise's 1-based place in the list.
SKIP, KEEP, CLEAR = "s", "k", "c"  # the notes-and-media step; keep or clear when editing
ADD, ENOUGH = "a", "e"  # another exercise; "that's all"
UP, DOWN, EDIT, REMOVE = "u", "d", "m", "x"
OFTEN, FREQ, TIMES = "f", "q", "n"  # ask how often; the answer (d, w, 2); N a week
TEMPLATE, SAVE = "t", "v"
FREQ_CODES = {"d": Frequency.DAILY, "w": Frequency.WEEKLY, "2": Frequency.TWICE_DAILY}


def _button(label: str, *args: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=encode(BUILDER, *args))


def frequency_text(texts: Texts, lang: str, frequency: str | None, times: int | None) -> str:
    if frequency == Frequency.WEEKLY and times:
        return texts.get(lang, "builder.often_weekly", n=times)
    if frequency == Frequency.TWICE_DAILY:
        return texts.get(lang, "builder.often_twice")
    if frequency == Frequency.DAILY:
        return texts.get(lang, "builder.often_daily")
    return texts.get(lang, "builder.often_unset")


def exercise_line(texts: Texts, lang: str, n: int, exercise: Draft) -> str:
    line = texts.get(lang, "builder.line", n=n, name=exercise["name"], dose=exercise["dose"])
    if exercise.get("notes"):
        line = f"{line} {texts.get(lang, 'builder.mark_notes')}"
    if exercise.get("media"):
        kind = exercise.get("kind") or "photo"
        line = f"{line} {texts.get(lang, f'routine.mark_{kind}')}"
    return line


def review_text(texts: Texts, lang: str, label: str, exercises: Sequence[Draft], often: str) -> str:
    lines = [texts.get(lang, "builder.review_title", label=label), ""]
    lines += [exercise_line(texts, lang, n, e) for n, e in enumerate(exercises, start=1)]
    if not exercises:
        lines.append(texts.get(lang, "builder.review_empty"))
    lines += ["", texts.get(lang, "builder.review_often", often=often), ""]
    lines.append(texts.get(lang, "builder.review_help"))
    return clip("\n".join(lines), MAX_TEXT)


def review_keyboard(texts: Texts, lang: str, count: int, *, editing: bool) -> InlineKeyboardMarkup:
    rows = []
    for n in range(1, count + 1):
        row = []
        if n > 1:
            row.append(_button(texts.get(lang, "buttons.builder_up", n=n), UP, n))
        if n < count:
            row.append(_button(texts.get(lang, "buttons.builder_down", n=n), DOWN, n))
        row.append(_button(texts.get(lang, "buttons.builder_edit", n=n), EDIT, n))
        row.append(_button(texts.get(lang, "buttons.builder_remove", n=n), REMOVE, n))
        rows.append(row)
    rows.append(
        [
            _button(texts.get(lang, "buttons.builder_add"), ADD),
            _button(texts.get(lang, "buttons.builder_often"), OFTEN),
        ]
    )
    save = "buttons.builder_save_changes" if editing else "buttons.builder_save"
    rows.append([_button(texts.get(lang, "buttons.builder_template"), TEMPLATE)])
    rows.append([_button(texts.get(lang, save), SAVE)])
    return InlineKeyboardMarkup(rows)


def extras_keyboard(texts: Texts, lang: str, *, editing: bool, got: bool) -> InlineKeyboardMarkup:
    """Skip (or Done once something came); when editing, keep or clear what was there."""
    if editing and not got:
        return InlineKeyboardMarkup(
            [
                [_button(texts.get(lang, "buttons.builder_keep"), KEEP)],
                [_button(texts.get(lang, "buttons.builder_clear"), CLEAR)],
            ]
        )
    key = "buttons.builder_extras_done" if got else "buttons.builder_skip"
    return InlineKeyboardMarkup([[_button(texts.get(lang, key), SKIP)]])


def keep_keyboard(texts: Texts, lang: str, current: str) -> InlineKeyboardMarkup:
    """While editing an exercise: keep its name or dose as it is."""
    label = texts.get(lang, "buttons.builder_keep_value", value=clip(current, 30))
    return InlineKeyboardMarkup([[_button(label, KEEP)]])


def more_keyboard(texts: Texts, lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                _button(texts.get(lang, "buttons.add_exercise"), ADD),
                _button(texts.get(lang, "buttons.exercises_done"), ENOUGH),
            ]
        ]
    )


def frequency_keyboard(texts: Texts, lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                _button(texts.get(lang, "buttons.freq_daily"), FREQ, "d"),
                _button(texts.get(lang, "buttons.freq_twice"), FREQ, "2"),
            ],
            [_button(texts.get(lang, "buttons.freq_weekly"), FREQ, "w")],
        ]
    )


def times_keyboard(texts: Texts, lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                _button(texts.get(lang, "buttons.times_per_week", n=n), TIMES, n)
                for n in range(f, f + 3)
            ]
            for f in (1, 4)
        ]
    )
