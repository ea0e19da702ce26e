"""/newclient's first question when the therapist has templates: from scratch, or which."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.db.models import RoutineTemplate
from bot.texts import Texts
from bot.views.callbacks import NEWCLIENT, encode
from bot.views.routine import clip

SCRATCH, TEMPLATE = "s", "t"
MAX_OFFERED = 20  # one button each; more than that is a list nobody reads on a phone


def start_keyboard(
    texts: Texts, lang: str, saved: Sequence[RoutineTemplate]
) -> InlineKeyboardMarkup:
    rows = [
        [
            InlineKeyboardButton(
                texts.get(lang, "buttons.builder_from_template", name=clip(row.name, 40)),
                callback_data=encode(NEWCLIENT, TEMPLATE, row.id),
            )
        ]
        for row in saved[:MAX_OFFERED]
    ]
    scratch = texts.get(lang, "buttons.builder_scratch")
    rows.insert(0, [InlineKeyboardButton(scratch, callback_data=encode(NEWCLIENT, SCRATCH))])
    return InlineKeyboardMarkup(rows)
