"""/templates: the therapist's saved routines, each with rename and delete."""

from __future__ import annotations

import json
from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.db.models import RoutineTemplate
from bot.texts import Texts
from bot.views.callbacks import TEMPLATES, encode
from bot.views.routine import MAX_TEXT, clip

RENAME, DELETE, SURE, KEEP = "r", "d", "y", "n"
MAX_LISTED = 30


def _button(label: str, *args: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=encode(TEMPLATES, *args))


def template_list(
    texts: Texts, lang: str, saved: Sequence[RoutineTemplate]
) -> tuple[str, InlineKeyboardMarkup | None]:
    if not saved:
        return texts.get(lang, "templates.none"), None
    lines = [texts.get(lang, "templates.title"), ""]
    rows = []
    for n, row in enumerate(saved[:MAX_LISTED], start=1):
        count = len(json.loads(row.snapshot).get("exercises", []))
        lines.append(texts.get(lang, "templates.line", n=n, name=row.name, count=count))
        rows.append(
            [
                _button(texts.get(lang, "buttons.template_rename", n=n), RENAME, row.id),
                _button(texts.get(lang, "buttons.template_delete", n=n), DELETE, row.id),
            ]
        )
    lines += ["", texts.get(lang, "templates.outro")]
    return clip("\n".join(lines), MAX_TEXT), InlineKeyboardMarkup(rows)


def confirm_delete(texts: Texts, lang: str, template_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [_button(texts.get(lang, "buttons.template_keep"), KEEP, template_id)],
            [_button(texts.get(lang, "buttons.template_delete_yes"), SURE, template_id)],
        ]
    )
