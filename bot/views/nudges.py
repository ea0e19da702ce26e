"""What a nudge, and the answers around it, look like."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.db.nudges import NudgeContent
from bot.domain.types import Feeling, ReplyKind
from bot.texts import Texts
from bot.views.callbacks import FEEL, FEELING_CODE_OF, LATER, REPLY, REPLY_CODE_OF, encode
from bot.views.routine import show_me_rows


def nudge_text(texts: Texts, content: NudgeContent, renudge: bool) -> str:
    lang = content.language
    name = content.first_name or ""
    intro = texts.get(lang, "nudge.renudge_intro" if renudge else "nudge.intro", name=name)
    lines = [
        texts.get(lang, "nudge.exercise_line", n=index, name=ex_name, dose=dose)
        for index, (ex_name, dose) in enumerate(content.exercises, start=1)
    ]
    outro = texts.get(lang, "nudge.renudge_outro" if renudge else "nudge.outro")
    return "\n".join([intro, "", *lines, "", outro]).replace(" ,", ",")


def reply_keyboard(
    texts: Texts,
    lang: str,
    nudge_id: int,
    *,
    renudge: bool,
    shows: Sequence[tuple[int, str]] = (),
) -> InlineKeyboardMarkup:
    """Done / Some of it / Later / Not today; a re-nudge drops "Later" (it is one-off).

    Below them, a "Show me" row per exercise with a photo or video (`shows`).
    """

    def button(kind: ReplyKind) -> InlineKeyboardButton:
        return InlineKeyboardButton(
            texts.get(lang, f"buttons.{kind.value}"),
            callback_data=encode(REPLY, nudge_id, REPLY_CODE_OF[kind]),
        )

    second_row = (
        [button(ReplyKind.NOT_TODAY)]
        if renudge
        else [
            button(ReplyKind.LATER),
            button(ReplyKind.NOT_TODAY),
        ]
    )
    answers = [[button(ReplyKind.DONE), button(ReplyKind.SOME)], second_row]
    return InlineKeyboardMarkup([*answers, *show_me_rows(texts, lang, shows)])


def recorded_text(texts: Texts, lang: str, original: str, kind: ReplyKind) -> str:
    return f"{original}\n\n{texts.get(lang, f'nudge.recorded_{kind.value}')}"


def later_keyboard(
    texts: Texts, lang: str, nudge_id: int, evening_label: str | None
) -> InlineKeyboardMarkup:
    rows = [
        [
            InlineKeyboardButton(
                texts.get(lang, "buttons.later_hour"), callback_data=encode(LATER, nudge_id, "h")
            )
        ]
    ]
    if evening_label:
        rows.append(
            [
                InlineKeyboardButton(
                    texts.get(lang, "buttons.later_evening", time=evening_label),
                    callback_data=encode(LATER, nudge_id, "e"),
                )
            ]
        )
    rows.append(
        [
            InlineKeyboardButton(
                texts.get(lang, "buttons.later_none"), callback_data=encode(LATER, nudge_id, "x")
            )
        ]
    )
    return InlineKeyboardMarkup(rows)


def feeling_keyboard(texts: Texts, lang: str, nudge_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.get(lang, f"buttons.feel_{feeling.value}"),
                    callback_data=encode(FEEL, nudge_id, FEELING_CODE_OF[feeling]),
                )
                for feeling in Feeling
            ]
        ]
    )
