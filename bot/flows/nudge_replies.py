"""Answers to nudges: buttons and typed words, each recorded once and answered kindly.

What follows an answer (how it felt, which exercises, what got in the way) is in
after_answer.py, and the choices after "Later" in later.py.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup

from bot.db import answers
from bot.db import nudges as store
from bot.db.dialogs import DialogState
from bot.db.nudges import AnsweredNudge, ReplyOutcome, ReplyResult
from bot.domain.replies import find_concern, normalise, parse_reply
from bot.domain.types import Concern, ReplyKind
from bot.flows import followups
from bot.flows.concerns import raise_concern
from bot.flows.router import Router
from bot.flows.turn import Turn, edit_quietly
from bot.views.answers import barrier_keyboard, ticks_keyboard
from bot.views.callbacks import REPLY, REPLY_CODES, Callback
from bot.views.nudges import feeling_keyboard, later_keyboard, recorded_text, reply_keyboard
from bot.views.pause import welcome_back

# Offer "this evening" only while there is a sensible gap before it.
EVENING_MIN_GAP = timedelta(minutes=30)
# Someone else's nudge and one that does not exist get the very same words, so a
# forged button can't learn which ids exist.
REFUSED = "reply.stale"
_REFUSALS = (ReplyOutcome.NOT_YOURS, ReplyOutcome.UNKNOWN)
# A question asked after an answer (a time, a few words) expires after this long:
# then typed text is an answer again.
STEP_TTL = timedelta(hours=2)
# No dialog: answers to nudges can come at any time, whatever else is going on.
router = Router()
TypedFallback = Callable[[Turn, str], Awaitable[None]]


def zone_of(timezone: str | None) -> ZoneInfo:
    return ZoneInfo(timezone or "UTC")


def evening_of(turn: Turn, lang: str, timezone: str | None) -> datetime | None:
    local_now = turn.now.astimezone(zone_of(timezone))
    evening = turn.svc.texts.slot_times(lang)["evening"]
    candidate = local_now.replace(hour=evening.hour, minute=evening.minute, second=0, microsecond=0)
    return candidate if candidate - local_now >= EVENING_MIN_GAP else None


@router.button(REPLY)
async def answer_pressed(turn: Turn, callback: Callback) -> None:
    if (parsed := callback.id_and_code(REPLY_CODES)) is None:
        await turn.answer(turn.t(REFUSED))
        return
    nudge_id, kind = parsed
    request = store.ReplyRequest(nudge_id, turn.user.id, kind, "button", turn.now)
    result = await turn.svc.writer.submit(store.record_replies, request)
    await _after_record(turn, result, kind)


async def answer_typed(turn: Turn, text: str, otherwise: TypedFallback | None = None) -> None:
    """Typed answers like "did it" go to the most recent unanswered nudge; "it hurt"
    goes to the therapist at once. Text that is neither goes to `otherwise` (the free
    text handler offers to pass it on), else hears that it wasn't understood."""
    kind_name = parse_reply(text, turn.svc.texts.reply_words(turn.lang))
    concern = find_concern(text, turn.svc.texts.pain_words(turn.lang))
    if concern is not None:
        await _concern_typed(turn, text, Concern(concern), kind_name)
        return
    if kind_name is None:
        if otherwise is not None:
            await otherwise(turn, text)
        else:
            await turn.say(turn.t("reply.not_understood"))
        return
    kind = ReplyKind(kind_name)
    result = await _record_typed(turn, kind)
    if result is None:
        await turn.say(turn.t("reply.nothing_open"))
        return
    await _after_record(turn, result, kind)


async def _record_typed(turn: Turn, kind: ReplyKind) -> ReplyResult | None:
    async with turn.svc.db.transaction() as session:
        nudge = await store.latest_open_nudge(session, turn.user.id, turn.now)
        if nudge is None or nudge.id is None:
            return None
        return await store.record_reply(
            await session.connection(),
            store.ReplyRequest(nudge.id, turn.user.id, kind, "text", turn.now),
        )


async def _concern_typed(turn: Turn, text: str, concern: Concern, kind_name: str | None) -> None:
    """ "done, but my knee hurts": the answer is noted too, with how it felt."""
    async with turn.svc.db.transaction() as session:
        client = await answers.current_client(session, turn.user.id)
    if client is None or client.id is None:
        await turn.say(turn.t("reply.not_understood"))
        return
    kind = ReplyKind(kind_name) if kind_name else None
    if kind is not None and kind in store.FINAL_KINDS:
        result = await _record_typed(turn, kind)
        if result is not None and result.nudge is not None:
            lang = result.nudge.language or turn.lang
            await _close_nudge_buttons(turn, result.nudge, lang, kind)
            if result.outcome is ReplyOutcome.RECORDED and kind is ReplyKind.NOT_TODAY:
                await _close_rest_of_day(turn, result.nudge.nudge_id)
    async with turn.svc.db.transaction() as session:
        nudge = await answers.recent_nudge(session, turn.user.id, turn.now)
        if nudge is not None and nudge.id is not None:
            await store.record_feeling(session, nudge.id, turn.user.id, concern.value)
    nudge_id = nudge.id if nudge is not None and nudge.client_id == client.id else None
    await raise_concern(turn, client.id, nudge_id, concern, "text", text)


async def step_gives_way(
    turn: Turn, state: DialogState, text: str, *, hears_pain: bool = False
) -> bool:
    """A question asked after an answer yields to what is plainly something else.

    Past its time, or when the text is an answer ("done") or says it hurt (unless
    the step `hears_pain` itself), the dialog ends and the text is read as any
    typed message.
    """
    until = state.data.get("until")
    expired = until is None or turn.now >= datetime.fromisoformat(until)
    texts = turn.svc.texts
    plain_answer = normalise(text) in texts.reply_words(turn.lang)
    hurts = not hears_pain and find_concern(text, texts.pain_words(turn.lang)) is not None
    if not (expired or plain_answer or hurts):
        return False
    await turn.end_dialog()
    await answer_typed(turn, text)
    return True


def step_state(flow: str, step: str, nudge_id: int, now: datetime) -> DialogState:
    return DialogState(flow, step, {"nudge": nudge_id, "until": (now + STEP_TTL).isoformat()})


async def _after_record(turn: Turn, result: ReplyResult, kind: ReplyKind) -> None:
    """Tell the person what happened: refused, already noted, or noted plus kind words."""
    pressed = turn.update.callback_query
    if result.outcome in _REFUSALS:
        await (turn.answer(turn.t(REFUSED)) if pressed else turn.say(turn.t(REFUSED)))
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
            await _final_answers(turn, lang, nudge)
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


async def _final_answers(turn: Turn, lang: str, nudge: AnsweredNudge) -> InlineKeyboardMarkup:
    """After "Later" the nudge keeps its final answers (and "Skip" where it fits)."""
    async with turn.svc.db.transaction() as session:
        several = await answers.active_slot_count(session, nudge.client_id) > 1
    return reply_keyboard(turn.svc.texts, lang, nudge.nudge_id, renudge=True, skip=several)


async def _close_nudge_buttons(
    turn: Turn, nudge: AnsweredNudge, lang: str, kind: ReplyKind
) -> None:
    """Take the answered nudge's buttons away (re-nudge too); after "Later" keep final answers."""
    if nudge.chat_id is None or nudge.message_id is None:
        return
    keep = await _final_answers(turn, lang, nudge) if kind is ReplyKind.LATER else None
    for message_id, markup in ((nudge.message_id, keep), (nudge.renudge_message_id, None)):
        if message_id is not None:
            await turn.set_buttons(message_id, markup, chat_id=nudge.chat_id)


async def _close_rest_of_day(turn: Turn, nudge_id: int) -> int:
    """ "Not today" closes the day's other nudges; how many there were."""
    async with turn.svc.db.transaction() as session:
        closed = await answers.close_day(session, nudge_id, turn.now)
    for message in closed.messages:
        await turn.set_buttons(message.message_id, chat_id=message.chat_id)
    return closed.occurrences


async def _acknowledge(turn: Turn, kind: ReplyKind, nudge: AnsweredNudge) -> None:
    """The kind words after a newly recorded answer, plus the optional question that fits."""
    lang, texts = nudge.language or turn.lang, turn.svc.texts
    welcome = welcome_back(texts, lang) if nudge.welcome_back else ""
    if kind is ReplyKind.LATER:
        evening = evening_of(turn, lang, nudge.timezone)
        label = texts.format_time(lang, evening.time()) if evening else None
        markup = later_keyboard(texts, lang, nudge.nudge_id, label)
        await turn.say(welcome + texts.get(lang, "reply.later"), markup)
        return
    words = welcome + texts.get(lang, f"reply.{kind.value}")
    if kind is ReplyKind.NOT_TODAY:
        if await _close_rest_of_day(turn, nudge.nudge_id):
            words = f"{words} {texts.get(lang, 'answers.rest_of_day')}"
        ask = texts.get(lang, "answers.ask_barrier")
        await turn.say(f"{words}\n\n{ask}", barrier_keyboard(texts, lang, nudge.nudge_id))
        return
    if kind is ReplyKind.SOME:
        async with turn.svc.db.transaction() as session:
            names = await answers.exercise_names(session, nudge.client_id)
        if len(names) > 1:
            ticks = ticks_keyboard(texts, lang, nudge.nudge_id, names, set())
            await turn.say(f"{words}\n\n{texts.get(lang, 'answers.ask_ticks')}", ticks)
            words = ""
    if kind in (ReplyKind.DONE, ReplyKind.SOME):
        # One message where it can be: the kind words and the "how did it feel?" question.
        markup = feeling_keyboard(texts, lang, nudge.nudge_id)
        ask = texts.get(lang, "reply.ask_feeling")
        await turn.say(f"{words}\n\n{ask}" if words else ask, markup)
        return
    await turn.say(words)
