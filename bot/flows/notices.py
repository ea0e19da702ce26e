"""Telling therapists, briefly and in their own language, what their client changed."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from telegram.error import TelegramError

from bot.db.pauses import Notice
from bot.flows.turn import Turn

log = logging.getLogger(__name__)


async def tell_therapists(
    turn: Turn,
    notices: Sequence[Notice],
    key: str,
    values: Callable[[str], dict[str, Any]] = lambda _lang: {},
) -> None:
    """Each therapist hears about their own client; `values` fills in words per language.

    Called after the client has had their answer: a therapist who blocked the bot
    must not turn the client's finished request into an error message.
    """
    for notice in notices:
        text = turn.svc.texts.get(
            notice.therapist_language, key, label=notice.label, **values(notice.therapist_language)
        )
        try:
            await turn.tell(notice.therapist_user_id, text)
        except TelegramError as exc:
            log.warning("could not tell a therapist (%s): %s", key, type(exc).__name__)
