"""What the follow-up, the question after a quiet spell and the welcome back look like."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.texts import Texts
from bot.views.callbacks import QUIET, QUIET_CARRY_ON, QUIET_PAUSE, QUIET_TIME, encode

QUIET_CHOICES = {QUIET_PAUSE: "pause", QUIET_TIME: "time", QUIET_CARRY_ON: "carry_on"}


def followup_text(texts: Texts, lang: str, name: str) -> str:
    return texts.get(lang, "followups.followup", name=name).replace(" ,", ",")


def quiet_question(
    texts: Texts, lang: str, spell_id: int, name: str
) -> tuple[str, InlineKeyboardMarkup]:
    """Pause, another time, or carry on: one button each, one row each (phones are narrow)."""
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.get(lang, f"buttons.quiet_{choice}"),
                    callback_data=encode(QUIET, spell_id, code),
                )
            ]
            for code, choice in QUIET_CHOICES.items()
        ]
    )
    return texts.get(lang, "followups.quiet_ask", name=name).replace(" ,", ","), markup
