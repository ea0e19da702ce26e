"""What an admin sees in /therapists: the list, and the question before removing someone."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.db.therapists import TherapistEntry
from bot.texts import Texts
from bot.views.callbacks import THERAPISTS, encode

MAX_LISTED = 40  # a clinic's team fits; a message stays far under 4096 characters


def therapist_list(
    texts: Texts, lang: str, entries: list[TherapistEntry], admin_ids: frozenset[int]
) -> tuple[str, InlineKeyboardMarkup | None]:
    """Admins first (from configuration, not removable here), then everyone else."""
    lines: list[str] = []
    buttons: list[list[InlineKeyboardButton]] = []
    with_rows = {entry.therapist.telegram_user_id for entry in entries}
    for user_id in sorted(admin_ids - with_rows):
        lines.append(texts.get(lang, "therapists.line_admin_unnamed", id=user_id))
    for entry in entries[:MAX_LISTED]:
        therapist = entry.therapist
        name = therapist.display_name
        if therapist.telegram_user_id in admin_ids:
            lines.append(texts.get(lang, "therapists.line_admin", name=name, n=entry.clients))
            continue
        lines.append(texts.get(lang, "therapists.line", name=name, n=entry.clients))
        buttons.append(
            [
                InlineKeyboardButton(
                    texts.get(lang, "buttons.remove_therapist", name=name[:40]),
                    callback_data=encode(THERAPISTS, "rm", therapist.id),
                )
            ]
        )
    text = "\n".join([texts.get(lang, "therapists.list_title"), "", *lines])
    if not buttons:
        text = f"{text}\n\n{texts.get(lang, 'therapists.list_none_removable')}"
    return text, InlineKeyboardMarkup(buttons) if buttons else None


def confirm_removal(texts: Texts, lang: str, therapist_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.get(lang, "buttons.remove_yes"),
                    callback_data=encode(THERAPISTS, "ok", therapist_id),
                ),
                InlineKeyboardButton(
                    texts.get(lang, "buttons.remove_keep"),
                    callback_data=encode(THERAPISTS, "list"),
                ),
            ]
        ]
    )


def back_to_list(texts: Texts, lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.get(lang, "buttons.back_to_list"),
                    callback_data=encode(THERAPISTS, "list"),
                )
            ]
        ]
    )
