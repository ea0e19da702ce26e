"""The command menus: one for clients, and one per therapist's chat.

Clients see the menu published for all private chats, in each language we speak.
A therapist's chat gets a menu of its own (`BotCommandScopeChat`), in their
language, with the therapist's commands (and an admin's); Telegram shows a chat's
own menu instead of the general one. It is published at start-up for every known
therapist and admin, when someone becomes a therapist (or opens the bot with
/start, for an admin whose chat did not exist yet), and withdrawn when a therapist
is removed, so they fall back to the clients' menu.
"""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat
from telegram.error import BadRequest, TelegramError

from bot.db import therapists
from bot.db.database import Database
from bot.flows.router import Audience, Dispatcher
from bot.texts import MissingText, Texts

log = logging.getLogger(__name__)


class CommandMenus:
    def __init__(
        self, bot: Bot, texts: Texts, dispatcher: Dispatcher, admin_ids: frozenset[int]
    ) -> None:
        self._bot = bot
        self._texts = texts
        self._dispatcher = dispatcher
        self._admin_ids = admin_ids

    def commands(self, lang: str, *audiences: Audience) -> list[BotCommand]:
        therapist = Audience.THERAPISTS in audiences
        return [
            BotCommand(command.name, self._describe(lang, command.name, therapist))
            for command in self._dispatcher.menu(*audiences)
        ]

    def _describe(self, lang: str, name: str, therapist: bool) -> str:
        """A command everyone has can mean something else to a therapist (their /settings
        are a zone and a digest, not follow-ups): `therapist_commands.<name>` says so."""
        if therapist:
            try:
                return self._texts.get(lang, f"therapist_commands.{name}")
            except MissingText:
                pass
        return self._texts.get(lang, f"commands.{name}")

    async def publish_all(self, db: Database) -> None:
        """At start-up: the clients' menus, then every therapist's and admin's own."""
        await self.publish_for_clients()
        async with db.transaction() as session:
            known = await therapists.languages(session)
        for user_id in sorted(self._admin_ids | set(known)):
            await self.publish_for_therapist(user_id, known.get(user_id, self._texts.default))

    async def publish_for_clients(self) -> None:
        """The clients' menu in every language we speak; the default one for the rest."""
        for lang in self._texts.languages:
            code = None if lang == self._texts.default else lang
            try:
                await self._bot.set_my_commands(
                    self.commands(lang, Audience.CLIENTS),
                    scope=BotCommandScopeAllPrivateChats(),
                    language_code=code,
                )
            except TelegramError as exc:
                # The menu is a convenience; a server that refuses it must not stop the bot.
                log.warning("could not publish the %s command menu: %s", lang, exc)

    async def publish_for_therapist(self, user_id: int, lang: str) -> bool:
        """This therapist's (or admin's) own menu in their chat with the bot."""
        audiences = [Audience.THERAPISTS]
        if user_id in self._admin_ids:
            audiences.append(Audience.ADMINS)
        try:
            await self._bot.set_my_commands(
                self.commands(lang, *audiences), scope=BotCommandScopeChat(user_id)
            )
        except BadRequest as exc:
            # Usually "chat not found": they have not written to the bot yet. Their
            # first /start publishes it.
            log.info("a therapist's command menu waits for their first message: %s", exc)
            return False
        except TelegramError as exc:
            log.warning("could not publish a therapist's command menu: %s", exc)
            return False
        return True

    async def publish_for_person(self, db: Database, user_id: int, lang: str) -> None:
        """Someone chose a language (/language): their chat's own menu, in it."""
        async with db.transaction() as session:
            is_therapist = user_id in self._admin_ids or user_id in await therapists.languages(
                session
            )
        if is_therapist:
            await self.publish_for_therapist(user_id, lang)
            return
        try:
            await self._bot.set_my_commands(
                self.commands(lang, Audience.CLIENTS), scope=BotCommandScopeChat(user_id)
            )
        except TelegramError as exc:
            # The menu is a convenience; the choice itself is stored.
            log.warning("could not publish a chat's command menu: %s", exc)

    async def withdraw(self, user_id: int) -> None:
        """A removed therapist sees the clients' menu again."""
        try:
            await self._bot.delete_my_commands(scope=BotCommandScopeChat(user_id))
        except TelegramError as exc:
            log.warning("could not withdraw a therapist's command menu: %s", exc)
