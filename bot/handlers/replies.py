"""Answers to nudges: buttons and typed words, each recorded once and answered kindly."""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.db import nudges as store
from bot.db.models import Client, Feeling, Nudge, ReplyKind
from bot.db.nudges import ReplyOutcome
from bot.domain.replies import parse_reply
from bot.handlers.context import Services, edit_quietly, say, services
from bot.views.callbacks import FEELING_CODES, REPLY_CODES, Callback
from bot.views.nudges import feeling_keyboard, later_keyboard, recorded_text, reply_keyboard

RENUDGE_AFTER = timedelta(hours=1)
# Offer "this evening" only while there is a sensible gap before it.
EVENING_MIN_GAP = timedelta(minutes=30)


def _evening(svc: Services, lang: str, client: Client, now: datetime) -> datetime | None:
    zone = ZoneInfo(client.timezone or "UTC")
    local_now = now.astimezone(zone)
    evening = svc.texts.time_words(lang)["evening"]
    candidate = local_now.replace(hour=evening.hour, minute=evening.minute, second=0, microsecond=0)
    return candidate if candidate - local_now >= EVENING_MIN_GAP else None


async def _acknowledge(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    kind: ReplyKind,
    nudge: Nudge,
    client: Client,
) -> None:
    """The kind words after a newly recorded answer, plus the follow-up question if any."""
    svc = services(context)
    lang = client.language
    t = svc.texts
    assert nudge.id is not None
    if kind is ReplyKind.LATER:
        evening = _evening(svc, lang, client, svc.clock.now())
        label = t.format_time(lang, evening.time()) if evening else None
        await say(
            update, context, t.get(lang, "reply.later"), later_keyboard(t, lang, nudge.id, label)
        )
        return
    await say(update, context, t.get(lang, f"reply.{kind.value}"))
    if kind in (ReplyKind.DONE, ReplyKind.SOME):
        await say(
            update, context, t.get(lang, "reply.ask_feeling"), feeling_keyboard(t, lang, nudge.id)
        )


async def _update_nudge_message(
    context: ContextTypes.DEFAULT_TYPE, svc: Services, nudge: Nudge, lang: str, kind: ReplyKind
) -> None:
    """Take the answered nudge's buttons away (re-nudge too); after "Later" keep final answers."""
    if nudge.chat_id is None or nudge.message_id is None or nudge.id is None:
        return
    markup = (
        reply_keyboard(svc.texts, lang, nudge.id, renudge=True) if kind is ReplyKind.LATER else None
    )
    for message_id, keep in ((nudge.message_id, markup), (nudge.renudge_message_id, None)):
        if message_id is None:
            continue
        with contextlib.suppress(BadRequest):
            await context.bot.edit_message_reply_markup(
                nudge.chat_id, message_id, reply_markup=keep
            )


async def on_reply_button(
    update: Update, context: ContextTypes.DEFAULT_TYPE, callback: Callback
) -> None:
    svc = services(context)
    query = update.callback_query
    user = update.effective_user
    assert query is not None and user is not None
    lang = svc.lang(user)
    nudge_id = callback.int_arg(0)
    kind = REPLY_CODES.get(callback.args[1]) if len(callback.args) > 1 else None
    if nudge_id is None or kind is None:
        await query.answer(svc.texts.get(lang, "reply.stale"))
        return
    async with svc.db.transaction() as session:
        result = await store.record_reply(
            session, nudge_id, user.id, kind, "button", svc.clock.now()
        )
    await _after_record(update, context, result, kind, pressed_text=_message_text(update))


def _message_text(update: Update) -> str | None:
    query = update.callback_query
    message = query.message if query else None
    return getattr(message, "text", None)


async def _after_record(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    result: store.ReplyResult,
    kind: ReplyKind,
    pressed_text: str | None,
) -> None:
    svc = services(context)
    query = update.callback_query
    user = update.effective_user
    lang = svc.lang(user)
    t = svc.texts
    if result.outcome in (ReplyOutcome.NOT_YOURS, ReplyOutcome.UNKNOWN):
        key = "reply.not_yours" if result.outcome is ReplyOutcome.NOT_YOURS else "reply.stale"
        if query:
            await query.answer(t.get(lang, key))
        else:
            await say(update, context, t.get(lang, key))
        return
    nudge, client = result.nudge, result.client
    assert nudge is not None and client is not None and nudge.id is not None
    lang = client.language
    if result.outcome is not ReplyOutcome.RECORDED:
        shown = ReplyKind(nudge.outcome) if nudge.outcome else ReplyKind.LATER
        answer = t.get(lang, f"nudge.recorded_{shown.value}")
        if query:
            await query.answer(t.get(lang, "reply.already", answer=answer))
            if nudge.outcome:
                await edit_quietly(query)
        else:
            await say(update, context, t.get(lang, "reply.already", answer=answer))
        return
    if query:
        await query.answer()
    if pressed_text is not None and query is not None and query.message is not None:
        is_renudge = query.message.message_id == nudge.renudge_message_id
        keep = (
            reply_keyboard(t, lang, nudge.id, renudge=True)
            if kind is ReplyKind.LATER and not is_renudge
            else None
        )
        await edit_quietly(query, recorded_text(t, lang, pressed_text, kind), keep)
        if is_renudge:
            await _update_nudge_message(context, svc, nudge, lang, kind)
    else:
        await _update_nudge_message(context, svc, nudge, lang, kind)
    await _acknowledge(update, context, kind, nudge, client)


async def on_later_button(
    update: Update, context: ContextTypes.DEFAULT_TYPE, callback: Callback
) -> None:
    svc = services(context)
    query = update.callback_query
    user = update.effective_user
    assert query is not None and user is not None
    lang = svc.lang(user)
    t = svc.texts
    nudge_id = callback.int_arg(0)
    choice = callback.args[1] if len(callback.args) > 1 else ""
    if nudge_id is None or choice not in ("h", "e", "x"):
        await query.answer(t.get(lang, "reply.stale"))
        return
    now = svc.clock.now()
    if choice == "x":
        await query.answer()
        await edit_quietly(query)
        await say(update, context, t.get(lang, "reply.later_none"))
        return
    async with svc.db.transaction() as session:
        nudge = await session.get(Nudge, nudge_id)
        client = await session.get(Client, nudge.client_id) if nudge else None
        if client is None or client.telegram_user_id != user.id:
            outcome, at = ReplyOutcome.NOT_YOURS, None
        else:
            at = now + RENUDGE_AFTER if choice == "h" else _evening(svc, lang, client, now)
            outcome = (
                await store.schedule_renudge(session, nudge_id, user.id, at)
                if at is not None
                else ReplyOutcome.UNKNOWN
            )
    if outcome is ReplyOutcome.NOT_YOURS:
        await query.answer(t.get(lang, "reply.not_yours"))
        return
    if outcome is not ReplyOutcome.RECORDED or at is None or client is None:
        await query.answer(t.get(lang, "reply.stale"))
        await edit_quietly(query)
        return
    await query.answer()
    await edit_quietly(query)
    local = at.astimezone(ZoneInfo(client.timezone or "UTC"))
    await say(
        update, context, t.get(lang, "reply.later_set", time=t.format_time(lang, local.time()))
    )
    if svc.poke_scheduler is not None:
        svc.poke_scheduler()


async def on_feeling_button(
    update: Update, context: ContextTypes.DEFAULT_TYPE, callback: Callback
) -> None:
    svc = services(context)
    query = update.callback_query
    user = update.effective_user
    assert query is not None and user is not None
    lang = svc.lang(user)
    t = svc.texts
    nudge_id = callback.int_arg(0)
    feeling = FEELING_CODES.get(callback.args[1]) if len(callback.args) > 1 else None
    if nudge_id is None or feeling is None:
        await query.answer(t.get(lang, "reply.stale"))
        return
    async with svc.db.transaction() as session:
        result = await store.record_feeling(session, nudge_id, user.id, feeling)
    if result.outcome in (ReplyOutcome.NOT_YOURS, ReplyOutcome.UNKNOWN):
        await query.answer(t.get(lang, "reply.not_yours"))
        return
    if result.outcome is not ReplyOutcome.RECORDED:
        await query.answer(t.get(lang, "reply.stale"))
        await edit_quietly(query)
        return
    await query.answer()
    await edit_quietly(
        query, f"{t.get(lang, 'reply.ask_feeling')} {t.get(lang, f'buttons.feel_{feeling.value}')}"
    )
    client, therapist = result.client, result.therapist
    assert client is not None
    therapist_name = therapist.display_name if therapist else ""
    if feeling in (Feeling.PAINFUL, Feeling.HARD) and therapist is not None:
        tlang = therapist.language
        stamp = svc.clock.now().astimezone(ZoneInfo(client.timezone or "UTC"))
        await context.bot.send_message(
            therapist.telegram_user_id,
            t.get(
                tlang,
                f"therapist.alert_{feeling.value}",
                label=client.label,
                time=f"{stamp.date().isoformat()} {t.format_time(tlang, stamp.time())}",
            ),
        )
        await say(
            update, context, t.get(lang, f"reply.feeling_{feeling.value}", therapist=therapist_name)
        )
        return
    await say(update, context, t.get(lang, "reply.feeling_thanks"))


async def on_free_text(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    """Typed answers like "did it" go to the most recent unanswered nudge."""
    svc = services(context)
    user = update.effective_user
    assert user is not None
    lang = svc.lang(user)
    kind_name = parse_reply(text, svc.texts.reply_words(lang))
    if kind_name is None:
        await say(update, context, svc.texts.get(lang, "reply.not_understood"))
        return
    kind = ReplyKind(kind_name)
    now = svc.clock.now()
    async with svc.db.transaction() as session:
        nudge = await store.latest_open_nudge(session, user.id, now)
        result = (
            await store.record_reply(session, nudge.id, user.id, kind, "text", now)
            if nudge is not None and nudge.id is not None
            else None
        )
    if result is None:
        await say(update, context, svc.texts.get(lang, "reply.nothing_open"))
        return
    await _after_record(update, context, result, kind, pressed_text=None)
