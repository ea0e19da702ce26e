"""Pain, "too hard" or soreness: recorded, the therapist told at once, the client thanked.

Not a flow of its own: the feeling buttons, typed words and the "sore" barrier
all end here, so every path says the same thing and alerts the same way.
"""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from telegram.error import TelegramError

from bot.db import answers
from bot.domain.types import Concern
from bot.flows.turn import Turn
from bot.views.answers import concern_alert_text

log = logging.getLogger(__name__)
# What the client typed is kept and passed on up to this length (a message is 4096).
MAX_WORDS = 1000


async def raise_concern(
    turn: Turn,
    client_id: int,
    nudge_id: int | None,
    concern: Concern,
    source: str,
    words: str | None = None,
) -> None:
    """Record it, alert the therapist (protected from forwarding), and thank the client."""
    words = words[:MAX_WORDS] if words else None
    async with turn.svc.db.transaction() as session:
        alert = await answers.report_concern(
            session, client_id, nudge_id, concern, source, words, turn.now
        )
    if alert is None:
        await turn.say(turn.t("reply.feeling_thanks"))
        return
    texts, lang = turn.svc.texts, alert.therapist_language
    stamp = turn.now.astimezone(ZoneInfo(alert.timezone or "UTC"))
    when = f"{stamp.date().isoformat()} {texts.format_time(lang, stamp.time())}"
    text = concern_alert_text(
        texts,
        lang,
        concern,
        label=alert.label,
        when=when,
        exercises=alert.exercises,
        words=words,
    )
    try:
        await turn.tell(alert.therapist_user_id, text, protect=True)
    except TelegramError as exc:  # recorded all the same; the therapist sees it in the data
        log.warning("could not alert the therapist about a concern: %s", exc)
    await turn.say(turn.t(f"answers.{concern.value}_heard", therapist=alert.therapist_name))
