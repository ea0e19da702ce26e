"""What every handler needs, gathered once at start-up and kept in bot_data."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update, User
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.clock import Clock
from bot.db.database import Database
from bot.domain.timezones import CityIndex
from bot.settings import Settings
from bot.texts import Texts

SERVICES_KEY = "services"


@dataclass
class Services:
    settings: Settings
    db: Database
    texts: Texts
    clock: Clock
    cities: CityIndex
    poke_scheduler: Any = None  # callable; set once the nudge engine exists

    def lang(self, user: User | None) -> str:
        return self.texts.language_for(user.language_code if user else None)

    def is_admin(self, user_id: int) -> bool:
        return user_id in self.settings.admin_ids


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return context.application.bot_data[SERVICES_KEY]


async def say(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
) -> Message | None:
    chat = update.effective_chat
    if chat is None:
        return None
    return await context.bot.send_message(chat.id, text, reply_markup=markup)


async def edit_quietly(
    query: CallbackQuery, text: str | None = None, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Edit the pressed message; "not modified" or a vanished message is not an error here."""
    with contextlib.suppress(BadRequest):
        if text is not None:
            await query.edit_message_text(text, reply_markup=markup)
        else:
            await query.edit_message_reply_markup(reply_markup=markup)
