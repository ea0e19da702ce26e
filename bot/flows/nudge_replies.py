"""Answers to nudges: buttons and typed words, each recorded once and answered kindly."""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from telegram.error import BadRequest

from bot.db import nudges as store
from bot.db.models import Client, Nudge
from bot.db.nudges import AnsweredNudge, ReplyOutcome, ReplyResult
from bot.domain.replies import parse_reply
from bot.domain.types import Feeling, ReplyKind
from bot.flows import followups
from bot.flows.router import Router
from bot.flows.turn import Turn, edit_quietly
from bot.views.callbacks import FEEL, FEELING_CODES, LATER, REPLY, REPLY_CODES, Callback
from bot.views.nudges import feeling_keyboard, later_keyboard, recorded_text, reply_keyboard
from bot.views.pause import welcome_back

RENUDGE_AFTER = timedelta(hours=1)
# Offer "this evening" only while there is a sensible gap before it.
EVENING_MIN_GAP = timedelta(minutes=30)
_REFUSALS = {ReplyOutcome.NOT_YOURS: "reply.not_yours", ReplyOutcome.UNKNOWN: "reply.stale"}
# No dialog: answers to nudges can come at any time, whatever else is going on.
router = Router()


def _zone(timezone: str | None) -> ZoneInfo:
    return ZoneInfo(timezone or "UTC")


def _evening(turn: Turn, lang: str, timezone: str | None) -> datetime | None:
    local_now = turn.now.astimezone(_zone(timezone))
    evening = turn.svc.texts.slot_times(lang)["evening"]
    candidate = local_now.replace(hour=evening.hour, minute=evening.minute, second=0, microsecond=0)
    return candidate if candidate - local_now >= EVENING_MIN_GAP else None


@router.button(REPLY)
async def answer_pressed(turn: Turn, callback: Callback) -> None:
    nudge_id = callback.int_arg(0)
    kind = REPLY_CODES.get(callback.args[1]) if len(callback.args) > 1 else None
    if nudge_id is None or kind is None:
        await turn.answer(turn.t("reply.stale"))
        return
    request = store.ReplyRequest(nudge_id, turn.user.id, kind, "button", turn.now)
    result = await turn.svc.writer.submit(store.record_replies, request)
    await _after_record(turn, result, kind)


async def answer_typed(turn: Turn, text: str) -> None:
    """Typed answers like "did it" go to the most recent unanswered nudge."""
    kind_name = parse_reply(text, turn.svc.texts.reply_words(turn.lang))
    if kind_name is None:
        await turn.say(turn.t("reply.not_understood"))
        return
    kind = ReplyKind(kind_name)
    async with turn.svc.db.transaction() as session:
        nudge = await store.latest_open_nudge(session, turn.user.id, turn.now)
        result = (
            await store.record_reply(
                await session.connection(),
                store.ReplyRequest(nudge.id, turn.user.id, kind, "text", turn.now),
            )
            if nudge is not None and nudge.id is not None
            else None
        )
    if result is None:
        await turn.say(turn.t("reply.nothing_open"))
        return
    await _after_record(turn, result, kind)


async def _after_record(turn: Turn, result: ReplyResult, kind: ReplyKind) -> None:
    """Tell the person what happened: refused, already noted, or noted plus kind words."""
    pressed = turn.update.callback_query
    if result.outcome in _REFUSALS:
        key = _REFUSALS[result.outcome]
        await (turn.answer(turn.t(key)) if pressed else turn.say(turn.t(key)))
        return
    nudge = result.nudge
    assert nudge is not None
    lang = nudge.language or turn.lang
    texts = turn.svc.texts
    if result.outcome is not ReplyOutcome.RECORDED:
        shown = ReplyKind(nudge.outcome) if nudge.outcome else ReplyKind.LATER
        already = texts.get(
            lang, "reply.already", answer=texts.get(lang, f"nudge.recorded_{shown.value}")
        )
        if pressed:
            await turn.answer(already, close=nudge.outcome is not None)
        else:
            await turn.say(already)
        return
    message = pressed.message if pressed else None
    if pressed is not None and message is not None and getattr(message, "text", None):
        await turn.answer()
        on_renudge = message.message_id == nudge.renudge_message_id
        keep = (
            reply_keyboard(texts, lang, nudge.nudge_id, renudge=True)
            if kind is ReplyKind.LATER and not on_renudge
            else None
        )
        await edit_quietly(pressed, recorded_text(texts, lang, message.text, kind), keep)
        if on_renudge:
            await _close_nudge_buttons(turn, nudge, lang, kind)
    else:
        if pressed:
            await turn.answer()
        await _close_nudge_buttons(turn, nudge, lang, kind)
    async with followups.around_answer(turn, nudge, kind) as nudge:  # welcome back, offers
        await _acknowledge(turn, kind, nudge)


async def _close_nudge_buttons(
    turn: Turn, nudge: AnsweredNudge, lang: str, kind: ReplyKind
) -> None:
    """Take the answered nudge's buttons away (re-nudge too); after "Later" keep final answers."""
    if nudge.chat_id is None or nudge.message_id is None:
        return
    keep = (
        reply_keyboard(turn.svc.texts, lang, nudge.nudge_id, renudge=True)
        if kind is ReplyKind.LATER
        else None
    )
    for message_id, markup in ((nudge.message_id, keep), (nudge.renudge_message_id, None)):
        if message_id is None:
            continue
        with contextlib.suppress(BadRequest):
            await turn.context.bot.edit_message_reply_markup(
                nudge.chat_id, message_id, reply_markup=markup
            )


async def _acknowledge(turn: Turn, kind: ReplyKind, nudge: AnsweredNudge) -> None:
    """The kind words after a newly recorded answer, plus the follow-up question if any."""
    lang, texts = nudge.language or turn.lang, turn.svc.texts
    welcome = welcome_back(texts, lang) if nudge.welcome_back else ""
    if kind is ReplyKind.LATER:
        evening = _evening(turn, lang, nudge.timezone)
        label = texts.format_time(lang, evening.time()) if evening else None
        markup = later_keyboard(texts, lang, nudge.nudge_id, label)
        await turn.say(welcome + texts.get(lang, "reply.later"), markup)
        return
    words = welcome + texts.get(lang, f"reply.{kind.value}")
    if kind in (ReplyKind.DONE, ReplyKind.SOME):
        # One message, not two: the kind words and the "how did it feel?" question.
        markup = feeling_keyboard(texts, lang, nudge.nudge_id)
        await turn.say(f"{words}\n\n{texts.get(lang, 'reply.ask_feeling')}", markup)
        return
    await turn.say(words)


@router.button(LATER)
async def later_pressed(turn: Turn, callback: Callback) -> None:
    nudge_id = callback.int_arg(0)
    choice = callback.args[1] if len(callback.args) > 1 else ""
    if nudge_id is None or choice not in ("h", "e", "x"):
        await turn.answer(turn.t("reply.stale"))
        return
    if choice == "x":
        await turn.answer(close=True)
        await turn.say(turn.t("reply.later_none"))
        return
    async with turn.svc.db.transaction() as session:
        nudge = await session.get(Nudge, nudge_id)
        client = await session.get(Client, nudge.client_id) if nudge else None
        at: datetime | None = None
        if client is None or client.telegram_user_id != turn.user.id:
            outcome = ReplyOutcome.NOT_YOURS
        else:
            at = (
                turn.now + RENUDGE_AFTER
                if choice == "h"
                else _evening(turn, turn.lang, client.timezone)
            )
            outcome = (
                await store.schedule_renudge(session, nudge_id, turn.user.id, at)
                if at is not None
                else ReplyOutcome.UNKNOWN
            )
    if outcome is ReplyOutcome.NOT_YOURS:
        await turn.answer(turn.t("reply.not_yours"))
        return
    if outcome is not ReplyOutcome.RECORDED or at is None or client is None:
        await turn.answer(turn.t("reply.stale"), close=True)
        return
    await turn.answer(close=True)
    local = at.astimezone(_zone(client.timezone)).time()
    await turn.say(turn.t("reply.later_set", time=turn.svc.texts.format_time(turn.lang, local)))
    if turn.svc.poke_scheduler is not None:
        turn.svc.poke_scheduler()


@router.button(FEEL)
async def feeling_pressed(turn: Turn, callback: Callback) -> None:
    nudge_id = callback.int_arg(0)
    feeling = FEELING_CODES.get(callback.args[1]) if len(callback.args) > 1 else None
    if nudge_id is None or feeling is None:
        await turn.answer(turn.t("reply.stale"))
        return
    async with turn.svc.db.transaction() as session:
        result = await store.record_feeling(session, nudge_id, turn.user.id, feeling)
    if result.outcome in _REFUSALS:
        await turn.answer(turn.t("reply.not_yours"))
        return
    if result.outcome is not ReplyOutcome.RECORDED:
        await turn.answer(turn.t("reply.stale"), close=True)
        return
    await turn.answer()
    asked = getattr(turn.query.message, "text", None) or turn.t("reply.ask_feeling")
    await edit_quietly(turn.query, f"{asked} {turn.t(f'buttons.feel_{feeling.value}')}")
    client, therapist = result.client, result.therapist
    assert client is not None
    if feeling in (Feeling.PAINFUL, Feeling.HARD) and therapist is not None:
        texts, tlang = turn.svc.texts, therapist.language
        stamp = turn.now.astimezone(_zone(client.timezone))
        when = f"{stamp.date().isoformat()} {texts.format_time(tlang, stamp.time())}"
        await turn.tell(
            therapist.telegram_user_id,
            texts.get(tlang, f"therapist.alert_{feeling.value}", label=client.label, time=when),
        )
        await turn.say(turn.t(f"reply.feeling_{feeling.value}", therapist=therapist.display_name))
        return
    await turn.say(turn.t("reply.feeling_thanks"))
