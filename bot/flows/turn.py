"""What every handler needs: the shared services, and a Turn for the update at hand."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from telegram import (
    CallbackQuery,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
    User,
)
from telegram.constants import ChatAction
from telegram.error import BadRequest, RetryAfter
from telegram.ext import ContextTypes

from bot.clock import Clock
from bot.db import dialogs
from bot.db.batch_writer import BatchWriter
from bot.db.database import Database
from bot.db.dialogs import DialogState
from bot.db.person_settings import LanguageChoices
from bot.domain.timezones import CityIndex
from bot.services.delivery import retry_seconds
from bot.settings import Settings
from bot.texts import Texts

if TYPE_CHECKING:
    from bot.flows.menus import CommandMenus

SERVICES_KEY = "services"
# Where the language a person chose (/language) waits for this update's Turn: an
# attribute of the update's context, set by the first handler group.
CHOSEN_LANGUAGE = "chosen_language"
FLOOD_RETRIES = 3
# Buttons under a message, or a keyboard in place of the person's own (shown or taken away).
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove
T = TypeVar("T")


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
    menus: CommandMenus | None = None  # set once the flows are installed
    languages: LanguageChoices | None = None  # who chose which language (/language)

    def lang(self, user: User | None, chosen: str | None = None) -> str:
        """The language a person chose, else the closest to their Telegram app's."""
        if chosen in self.texts.languages:
            return chosen  # type: ignore[return-value]
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
        return cls(
            update, context, svc, user, svc.lang(user, getattr(context, CHOSEN_LANGUAGE, None))
        )

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

    async def say(self, text: str, markup: Markup | None = None) -> Message | None:
        chat = self.update.effective_chat
        if chat is None:
            return None
        return await self.tell(chat.id, text, markup)

    async def set_buttons(
        self,
        message_id: int,
        markup: InlineKeyboardMarkup | None = None,
        *,
        chat_id: int | None = None,
    ) -> None:
        """Change (by default: take away) the buttons of an earlier message, in this chat
        unless told another, so an old keyboard doesn't invite a press; a message gone
        meanwhile, or already as asked, is fine."""
        chat = self.update.effective_chat
        target = chat_id if chat_id is not None else chat.id if chat is not None else None
        if target is None:
            return
        with contextlib.suppress(BadRequest):
            await self.context.bot.edit_message_reply_markup(
                target, message_id, reply_markup=markup
            )

    async def send_media(self, kind: str, media: Any, caption: str | None = None) -> Message | None:
        """A "photo", "video" or "document" (a Telegram file id, or bytes to upload) to
        this chat, waiting out flood control like `tell`."""
        chat = self.update.effective_chat
        if chat is None:
            return None
        bot = self.context.bot
        send = {"photo": bot.send_photo, "video": bot.send_video, "document": bot.send_document}
        return await patiently(lambda: send[kind](chat.id, media, caption=caption))

    async def tell(
        self,
        chat_id: int,
        text: str,
        markup: Markup | None = None,
        *,
        protect: bool = False,
    ) -> Message:
        """Send to any chat (e.g. the therapist), waiting out Telegram's flood control.

        A 429 on an answer to a person is no reason to drop it: wait as told and
        try again, a few times, before letting the error handler apologise.
        `protect` stops forwarding and saving (health alerts to a therapist).
        """
        return await patiently(
            lambda: self.context.bot.send_message(
                chat_id, text, reply_markup=markup, protect_content=protect or None
            )
        )

    async def send_photo(
        self,
        render: Callable[[], bytes],
        filename: str,
        caption: str,
        markup: InlineKeyboardMarkup | None = None,
    ) -> Message | None:
        """An image made for this person (a QR code, a chart) as a photo with a caption.

        "Sending a photo…" shows while `render` runs, in a thread, off the event loop
        that answers everyone else.
        """
        chat = self.update.effective_chat
        if chat is None:
            return None
        await self.context.bot.send_chat_action(chat.id, ChatAction.UPLOAD_PHOTO)
        photo = await asyncio.to_thread(render)
        return await patiently(
            lambda: self.context.bot.send_photo(
                chat.id, InputFile(photo, filename=filename), caption=caption, reply_markup=markup
            )
        )

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


async def patiently(send: Callable[[], Awaitable[T]]) -> T:
    """Make a request to Telegram, waiting out flood control (429) a few times."""
    for attempt in range(1, FLOOD_RETRIES + 1):
        try:
            return await send()
        except RetryAfter as exc:
            if attempt == FLOOD_RETRIES:
                raise
            await asyncio.sleep(retry_seconds(exc.retry_after))
    raise AssertionError("unreachable")


async def edit_quietly(
    query: CallbackQuery, text: str | None = None, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Edit the pressed message; "not modified" or a vanished message is not an error here."""
    with contextlib.suppress(BadRequest):
        if text is not None:
            await query.edit_message_text(text, reply_markup=markup)
        else:
            await query.edit_message_reply_markup(reply_markup=markup)
