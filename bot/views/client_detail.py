"""One client's detail as their therapist reads it, with its action buttons.

Times are shown twice where it matters: the client's own wall time (what they
chose) and the therapist's (when it happens for the person reading). A therapist
without a zone of their own reads UTC, and is told so.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.db.casefile import Answer, Casefile
from bot.db.models import ConcernReport, Message, ReminderSlot
from bot.domain.types import ClientStatus, MessageDirection
from bot.texts import Texts
from bot.views.callbacks import (
    CLIENT_CHART,
    CLIENT_CSV,
    CLIENT_PAUSE,
    CLIENT_REMOVE,
    CLIENTS_PAGE,
    EDIT_ROUTINE,
    MESSAGE_CLIENT,
    REISSUE_INVITE,
    encode,
)
from bot.views.clients import counts, short
from bot.views.routine import MAX_TEXT

MAX_WORDS = 300  # of one message or note in the detail; the full text stays in the chat
EVERY_DAY = 0b111_1111


def _day(texts: Texts, lang: str, day: date) -> str:
    return texts.get(
        lang,
        "clients.date",
        weekday=texts.raw(lang, "meta.weekdays_short")[day.weekday()],
        day=day.day,
        month=texts.raw(lang, "progress.months")[day.month - 1],
    )


def _quote(text: str | None) -> str:
    if not text:
        return ""
    text = " ".join(text.split())
    return f"“{short(text, MAX_WORDS)}”"


def _schedule(texts: Texts, lang: str, slot: ReminderSlot, mine: ZoneInfo, now: datetime) -> str:
    theirs = ZoneInfo(slot.timezone)
    local = time.fromisoformat(slot.local_time)
    today = now.astimezone(theirs).date()
    at_theirs = datetime.combine(today, local, tzinfo=theirs)
    at_mine = at_theirs.astimezone(mine)
    shift = (at_mine.date() - today).days
    days = [d for d in range(7) if slot.weekdays >> d & 1]
    return texts.get(
        lang,
        "clients.schedule_line",
        days=texts.get(lang, "clients.every_day")
        if slot.weekdays == EVERY_DAY
        else texts.format_weekdays(lang, days),
        their_time=texts.format_time(lang, local),
        their_zone=slot.timezone,
        your_time=texts.format_time(lang, at_mine.time()),
        your_zone=str(mine),
        shift=texts.get(lang, f"clients.shift_{'after' if shift > 0 else 'before'}")
        if shift
        else "",
    )


def _answer(texts: Texts, lang: str, answer: Answer) -> str:
    details = []
    if answer.exercises:
        details.append(texts.get(lang, "clients.did", names=", ".join(answer.exercises)))
    if answer.feeling:
        feeling = texts.get(lang, f"clients.feeling.{answer.feeling}")
        details.append(texts.get(lang, "clients.felt", feeling=feeling))
    if answer.barrier:
        details.append(texts.get(lang, f"clients.barrier.{answer.barrier}"))
    if answer.barrier_note:
        details.append(_quote(answer.barrier_note))
    outcome = texts.get(lang, f"clients.outcome.{answer.outcome}")
    return texts.get(
        lang,
        "clients.answer_line",
        day=_day(texts, lang, answer.local_date),
        outcome=outcome,
        details="".join(f"; {d}" for d in details),
    )


def _message(texts: Texts, lang: str, message: Message, label: str, mine: ZoneInfo) -> str:
    who = label if message.direction == MessageDirection.TO_THERAPIST else None
    return texts.get(
        lang,
        "clients.message_from_client" if who else "clients.message_to_client",
        day=_day(texts, lang, message.created_at.astimezone(mine).date()),
        label=short(label),
        text=_quote(message.text),
    )


def _concern(texts: Texts, lang: str, concern: ConcernReport, mine: ZoneInfo) -> str:
    words = _quote(concern.words)
    return texts.get(
        lang,
        "clients.concern_line",
        day=_day(texts, lang, concern.at.astimezone(mine).date()),
        concern=texts.get(lang, f"clients.concern.{concern.concern}"),
        words=f": {words}" if words else "",
    )


def detail_text(texts: Texts, lang: str, case: Casefile, now: datetime) -> str:
    """The whole detail within one message: the oldest entries go first when it is long."""
    client = case.client
    mine = ZoneInfo(case.therapist.timezone or "UTC")
    head = [
        short(client.label, 200),
        texts.get(
            lang,
            "clients.status_line",
            status=texts.get(lang, f"clients.status.{case.status.value}"),
        ),
    ]
    if case.invite is not None:
        invite = texts.get(lang, f"clients.invite.{case.invite.value}")
        head.append(texts.get(lang, "clients.invite_line", invite=invite))
    if case.routine is not None:
        head.append(
            texts.get(
                lang,
                "clients.routine_line",
                frequency=texts.get(
                    lang,
                    f"clients.frequency.{case.routine.frequency}",
                    n=case.routine.times_per_week,
                ),
                exercises="; ".join(f"{e.name} {e.dose}" for e in case.exercises),
            )
        )
    if case.slots:
        head += [_schedule(texts, lang, slot, mine, now) for slot in case.slots]
    elif client.status != ClientStatus.STOPPED:
        head.append(texts.get(lang, "clients.schedule_none"))
    if case.therapist.timezone is None:
        head.append(texts.get(lang, "clients.your_zone_utc"))
    head.append(
        texts.get(
            lang,
            "clients.adherence_line",
            week=counts(texts, lang, case.week),
            month=counts(texts, lang, case.month),
        )
    )
    sections = [
        ("clients.concerns_title", [_concern(texts, lang, c, mine) for c in case.concerns]),
        ("clients.answers_title", [_answer(texts, lang, a) for a in case.answers]),
        (
            "clients.messages_title",
            [_message(texts, lang, m, client.label, mine) for m in case.messages],
        ),
    ]

    def render() -> str:
        parts = ["\n".join(head)]
        for title, items in sections:
            if items:
                parts.append("\n".join([texts.get(lang, title), *items]))
        return "\n\n".join(parts)

    text = render()
    while len(text) > MAX_TEXT and any(items for _t, items in sections):
        longest = max((items for _t, items in sections), key=len)
        longest.pop()  # each list is newest first: drop its oldest
        text = render()
    return text[:MAX_TEXT]


def _button(texts: Texts, lang: str, key: str, prefix: str, *args: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        texts.get(lang, f"buttons.{key}"), callback_data=encode(prefix, *args)
    )


def detail_keyboard(texts: Texts, lang: str, case: Casefile, page: int) -> InlineKeyboardMarkup:
    client = case.client
    assert client.id is not None
    cid = client.id
    first = [_button(texts, lang, "client_edit", EDIT_ROUTINE, cid)]
    if client.status == ClientStatus.ACTIVE:
        first.append(_button(texts, lang, "client_pause", CLIENT_PAUSE, cid, "p"))
    elif client.status == ClientStatus.PAUSED:
        first.append(_button(texts, lang, "client_resume", CLIENT_PAUSE, cid, "r"))
    rows = [first]
    if client.telegram_user_id is not None:
        rows.append(
            [
                _button(texts, lang, "client_message", MESSAGE_CLIENT, cid),
                _button(texts, lang, "client_chart", CLIENT_CHART, cid),
                _button(texts, lang, "client_csv", CLIENT_CSV, cid),
            ]
        )
        last = []
    else:
        last = [_button(texts, lang, "client_invite", REISSUE_INVITE, cid)]
    rows.append([*last, _button(texts, lang, "client_remove", CLIENT_REMOVE, cid)])
    rows.append([_button(texts, lang, "client_back", CLIENTS_PAGE, page)])
    return InlineKeyboardMarkup(rows)


def confirm_remove_keyboard(texts: Texts, lang: str, client_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                _button(texts, lang, "client_remove_yes", CLIENT_REMOVE, client_id, "y"),
                _button(texts, lang, "client_remove_no", CLIENT_REMOVE, client_id, "n"),
            ]
        ]
    )


def back_keyboard(texts: Texts, lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button(texts, lang, "client_back", CLIENTS_PAGE, 0)]])
