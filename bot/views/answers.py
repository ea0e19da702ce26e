"""What follows an answer looks like: exercise ticks, barrier choices, the therapist's alert."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.types import Barrier, Concern
from bot.texts import Texts
from bot.views.callbacks import BARRIER, BARRIER_CODE_OF, TICK, encode

# Two short barriers to a row reads well on a phone.
BARRIERS_PER_ROW = 2


def ticks_keyboard(
    texts: Texts, lang: str, nudge_id: int, names: list[str], done: set[int]
) -> InlineKeyboardMarkup:
    """One toggle per exercise, edited in place as they are tapped."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.get(
                        lang,
                        "buttons.tick_on" if position in done else "buttons.tick_off",
                        name=name,
                    ),
                    callback_data=encode(TICK, nudge_id, position),
                )
            ]
            for position, name in enumerate(names, start=1)
        ]
    )


def barrier_keyboard(texts: Texts, lang: str, nudge_id: int) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(
            texts.get(lang, f"buttons.barrier_{barrier.value}"),
            callback_data=encode(BARRIER, nudge_id, BARRIER_CODE_OF[barrier]),
        )
        for barrier in Barrier
    ]
    return InlineKeyboardMarkup(
        [buttons[i : i + BARRIERS_PER_ROW] for i in range(0, len(buttons), BARRIERS_PER_ROW)]
    )


def concern_alert_text(
    texts: Texts,
    lang: str,
    concern: Concern,
    *,
    label: str,
    when: str,
    exercises: list[str],
    words: str | None,
) -> str:
    """The therapist's alert: who, when, which routine, and what the client said."""
    text = texts.get(
        lang, f"answers.alert_{concern.value}", label=label, time=when, routine=", ".join(exercises)
    )
    if words:
        text = f"{text}\n{texts.get(lang, 'answers.alert_words', words=words)}"
    return text
