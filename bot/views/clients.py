"""What a therapist sees in /clients: one page of clients, each a button to their detail."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.db.roster import Adherence, RosterEntry, RosterPage
from bot.texts import Texts
from bot.views.callbacks import CLIENT_DETAIL, CLIENTS_PAGE, encode

PAGE_SIZE = 10  # ten lines of about 80 characters and ten buttons: far under 4096
MAX_LABEL = 40


def short(label: str, limit: int = MAX_LABEL) -> str:
    """A label cut to fit a line or a button; the therapist typed it, so it may be long."""
    return label if len(label) <= limit else f"{label[: limit - 1]}…"


def counts(texts: Texts, lang: str, window: Adherence) -> str:
    if window.scheduled == 0:
        return texts.get(lang, "clients.no_count")
    return texts.get(lang, "clients.count", done=window.done, scheduled=window.scheduled)


def status_words(texts: Texts, lang: str, entry: RosterEntry) -> str:
    words = texts.get(lang, f"clients.status.{entry.status.value}")
    return f"{words}, {texts.get(lang, 'clients.pain')}" if entry.pain else words


def clients_page(texts: Texts, lang: str, shown: RosterPage) -> tuple[str, InlineKeyboardMarkup]:
    """One page of the list, and its buttons."""
    page, pages = shown.page, shown.pages
    lines = [texts.get(lang, "clients.title", n=shown.total, page=page + 1, pages=pages)]
    if shown.attention:
        lines.append(texts.get(lang, "clients.attention", n=shown.attention))
    lines += [texts.get(lang, "clients.legend"), ""]
    buttons: list[list[InlineKeyboardButton]] = []
    for entry in shown.entries:
        mark = texts.get(lang, "clients.attention_mark") if entry.needs_attention else ""
        lines.append(
            texts.get(
                lang,
                "clients.line",
                mark=mark,
                label=short(entry.label),
                status=status_words(texts, lang, entry),
                week=counts(texts, lang, entry.week),
                month=counts(texts, lang, entry.month),
            )
        )
        buttons.append(
            [
                InlineKeyboardButton(
                    f"{mark}{short(entry.label)}",
                    callback_data=encode(CLIENT_DETAIL, entry.client_id, page),
                )
            ]
        )
    paging = []
    if page > 0:
        paging.append(
            InlineKeyboardButton(
                texts.get(lang, "buttons.clients_previous"),
                callback_data=encode(CLIENTS_PAGE, page - 1),
            )
        )
    if page + 1 < pages:
        paging.append(
            InlineKeyboardButton(
                texts.get(lang, "buttons.clients_next"),
                callback_data=encode(CLIENTS_PAGE, page + 1),
            )
        )
    if paging:
        buttons.append(paging)
    return "\n".join(lines), InlineKeyboardMarkup(buttons)
