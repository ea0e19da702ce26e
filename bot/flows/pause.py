"""A break from nudges: /pause for a few days, a week, two, until a date or until
the client says, and /resume to end it at once.

A dated pause ends by itself at the start of the chosen local day (the sender
ends it, see `pauses.resume_elapsed`); nothing from the pause is sent late. The
therapist hears about each pause and resume.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from bot.db import dialogs, pauses
from bot.db.dialogs import DialogState
from bot.db.pauses import Standing
from bot.domain.dates import DateWords, check_resume_date, parse_date, start_of_day
from bot.domain.types import ClientStatus
from bot.flows.notices import tell_therapists
from bot.flows.router import Audience, Router
from bot.flows.stop import comeback_note
from bot.flows.turn import Turn
from bot.texts import Texts
from bot.views.callbacks import PAUSE, Callback
from bot.views.pause import DATE, NEVER_MIND, OPEN, PAUSE_DAYS, format_day, format_when
from bot.views.pause import pause_keyboard as keyboard

FLOW = "pause"
router = Router(FLOW)
_LENGTHS = {str(days): days for days in PAUSE_DAYS}


async def _standing(turn: Turn) -> Standing:
    async with turn.svc.db.transaction() as session:
        return await pauses.standing(session, turn.user.id)


def _today(turn: Turn, where: Standing) -> date:
    return turn.now.astimezone(ZoneInfo(where.zone)).date()


async def _not_running(turn: Turn, where: Standing, nothing_key: str) -> bool:
    """Say why there is nothing to pause or resume; False when there is something."""
    if where.status in pauses.RUNNING:
        return False
    await turn.say(await comeback_note(turn) or turn.t(nothing_key))
    return True


@router.command("pause", menu=Audience.CLIENTS)
async def ask_pause(turn: Turn) -> None:
    where = await _standing(turn)
    if await _not_running(turn, where, "pause.nothing"):
        return
    question = turn.t("pause.ask")
    if where.status is ClientStatus.PAUSED and where.paused_until is None:
        question = turn.t("pause.ask_paused_open")
    elif where.status is ClientStatus.PAUSED and where.paused_until is not None:
        day = where.paused_until.astimezone(ZoneInfo(where.zone)).date()
        question = turn.t("pause.ask_paused_until", date=format_day(turn.svc.texts, turn.lang, day))
    await turn.say(question, keyboard(turn.svc.texts, turn.lang))


@router.button(PAUSE)
async def length_chosen(turn: Turn, callback: Callback) -> bool:
    choice = callback.args[0] if callback.args else ""
    if choice not in (*_LENGTHS, DATE, OPEN, NEVER_MIND):
        return False
    await turn.answer(close=True)
    if choice == NEVER_MIND:
        await turn.say(turn.t("pause.cancelled"))
    elif choice == DATE:
        await turn.save(DialogState(FLOW, "date"))
        await turn.say(turn.t("pause.ask_date"))
    elif choice == OPEN:
        await _pause(turn, None)
    else:
        where = await _standing(turn)
        await _pause(turn, _today(turn, where) + timedelta(days=_LENGTHS[choice]))
    return True


@router.step("date")
async def date_typed(turn: Turn, state: DialogState, text: str) -> None:
    today = _today(turn, await _standing(turn))
    day = parse_date(text, today, date_words(turn.svc.texts, turn.lang))
    if day is None:
        await turn.say(turn.t("pause.date_unknown", text=text[:40]))
    elif (problem := check_resume_date(day, today)) is not None:
        await turn.say(turn.t(f"pause.date_{problem.value}"))
    else:
        await _pause(turn, day)


async def _pause(turn: Turn, day: date | None) -> None:
    """Pause until the start of `day` in the client's zone (None: until they say)."""
    async with turn.svc.db.transaction() as session:
        where = await pauses.standing(session, turn.user.id)
        until = start_of_day(day, ZoneInfo(where.zone)) if day is not None else None
        notices = (
            await pauses.pause(session, turn.user.id, until, turn.now)
            if where.status in pauses.RUNNING
            else []
        )
        await dialogs.clear(session, turn.user.id)
    if not notices:
        await turn.say(await comeback_note(turn) or turn.t("pause.nothing"))
        return
    texts = turn.svc.texts
    if day is None:
        await turn.say(turn.t("pause.paused_open"))
        await tell_therapists(turn, notices, "pause.therapist_paused_open")
    else:
        await turn.say(turn.t("pause.paused_until", date=format_day(texts, turn.lang, day)))
        await tell_therapists(
            turn,
            notices,
            "pause.therapist_paused_until",
            lambda lang: {"date": format_day(texts, lang, day)},
        )
    _poke(turn)  # the sender wakes when the pause ends


@router.command("resume", menu=Audience.CLIENTS)
async def resume(turn: Turn) -> None:
    async with turn.svc.db.transaction() as session:
        notices = await pauses.resume(session, turn.user.id, turn.now)
        where = await pauses.standing(session, turn.user.id)
    if not notices and await _not_running(turn, where, "pause.nothing_to_resume"):
        return
    when = ""
    if where.next_due is not None:
        local = where.next_due.astimezone(ZoneInfo(where.zone))
        when = format_when(turn.svc.texts, turn.lang, local, _today(turn, where))
    if not notices:
        await turn.say(turn.t("pause.not_paused", when=when))
        return
    await turn.say(turn.t("pause.resumed", when=when))
    _poke(turn)
    await tell_therapists(turn, notices, "pause.therapist_resumed")


def _poke(turn: Turn) -> None:
    if turn.svc.poke_scheduler is not None:
        turn.svc.poke_scheduler()


@lru_cache(maxsize=32)
def date_words(texts: Texts, lang: str) -> DateWords:
    """The words for days in the client's language and the default one (typed dates
    in English work for everyone, as typed answers do)."""
    parts: dict[str, dict[str, int]] = {}
    fillers: list[str] = []
    for code in dict.fromkeys([texts.default, lang]):
        words = texts.raw(code, "date_words")
        for kind in ("months", "weekdays", "relative", "units", "numbers"):
            parts.setdefault(kind, {}).update(words[kind])
        fillers.extend(words["fillers"])
    return DateWords.build(fillers=fillers, **parts)
