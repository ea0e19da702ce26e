"""What every handler needs: the shared services, and a Turn for the update at hand."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update, User
from telegram.error import BadRequest, RetryAfter
from telegram.ext import ContextTypes

from bot.clock import Clock
from bot.db import dialogs
from bot.db.batch_writer import BatchWriter
from bot.db.database import Database
from bot.db.dialogs import DialogState
from bot.domain.timezones import CityIndex
from bot.services.delivery import retry_seconds
from bot.settings import Settings
from bot.texts import Texts

SERVICES_KEY = "services"
FLOOD_RETRIES = 3


@dataclass
class Services:
    """Built once at start-up and kept in bot_data, so handlers stay free of globals."""

    settings: Settings
    db: Database
    texts: Texts
    clock: Clock
    cities: CityIndex
    writer: BatchWriter  # group commit for the busiest writes (answers to nudges)
    poke_scheduler: Any = None  # callable; set once the nudge engine exists

    def lang(self, user: User | None) -> str:
        return self.texts.language_for(user.language_code if user else None)

    def is_admin(self, user_id: int) -> bool:
        return user_id in self.settings.admin_ids


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return context.application.bot_data[SERVICES_KEY]


@dataclass
class Turn:
    """One update from one person: who, in which language, and how to answer them.

    Handlers receive a Turn instead of re-deriving the same five things from
    (update, context) at the top of every function.
    """

    update: Update
    context: ContextTypes.DEFAULT_TYPE
    svc: Services
    user: User
    lang: str

    @classmethod
    def of(cls, update: Update, context: ContextTypes.DEFAULT_TYPE) -> Turn | None:
        user = update.effective_user
        if user is None:
            return None
        svc = services(context)
        return cls(update, context, svc, user, svc.lang(user))

    @property
    def query(self) -> CallbackQuery:
        query = self.update.callback_query
        assert query is not None, "only button handlers ask for the query"
        return query

    @property
    def now(self) -> datetime:
        return self.svc.clock.now()

    def t(self, key: str, **values: Any) -> str:
        return self.svc.texts.get(self.lang, key, **values)

    async def say(self, text: str, markup: InlineKeyboardMarkup | None = None) -> Message | None:
        chat = self.update.effective_chat
        if chat is None:
            return None
        return await self.tell(chat.id, text, markup)

    async def tell(
        self,
        chat_id: int,
        text: str,
        markup: InlineKeyboardMarkup | None = None,
        *,
        protect: bool = False,
    ) -> Message:
        """Send to any chat (e.g. the therapist), waiting out Telegram's flood control.

        A 429 on an answer to a person is no reason to drop it: wait as told and
        try again, a few times, before letting the error handler apologise.
        `protect` stops forwarding and saving (health alerts to a therapist).
        """
        for attempt in range(1, FLOOD_RETRIES + 1):
            try:
                return await self.context.bot.send_message(
                    chat_id, text, reply_markup=markup, protect_content=protect or None
                )
            except RetryAfter as exc:
                if attempt == FLOOD_RETRIES:
                    raise
                await asyncio.sleep(retry_seconds(exc.retry_after))
        raise AssertionError("unreachable")

    async def answer(self, text: str | None = None, *, close: bool = False) -> None:
        """Answer the pressed button (Telegram wants every press answered); optionally
        take its keyboard away so it can't be pressed again."""
        await self.query.answer(text)
        if close:
            await edit_quietly(self.query)

    async def save(self, state: DialogState) -> None:
        async with self.svc.db.transaction() as session:
            await dialogs.save(session, self.user.id, state, self.now)

    async def end_dialog(self) -> bool:
        async with self.svc.db.transaction() as session:
            return await dialogs.clear(session, self.user.id)


async def edit_quietly(
    query: CallbackQuery, text: str | None = None, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Edit the pressed message; "not modified" or a vanished message is not an error here."""
    with contextlib.suppress(BadRequest):
        if text is not None:
            await query.edit_message_text(text, reply_markup=markup)
        else:
            await query.edit_message_reply_markup(reply_markup=markup)
