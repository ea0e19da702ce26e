"""What "Telegram" knows: chats, their message history, files, callback queries and commands.

Why one state object shared by the HTTP handlers and the fake users: the stub is the single
source of truth for chat history, so a test asserting on ``user.messages`` sees exactly what the
bot's API calls produced (edits and deletions included).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .models import JSON, CallbackAnswer, IssuedCallbackQuery, StoredFile, StoredMessage

T = TypeVar("T")


@dataclass
class ChatState:
    """A private chat between the bot and one user."""

    user: JSON
    chat: JSON
    chat_instance: str
    started: bool = True
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    next_message_id: int = 1
    reply_keyboard: JSON | None = None
    chat_actions: list[str] = field(default_factory=list)

    @property
    def id(self) -> int:
        return int(self.chat["id"])

    def visible(self) -> list[StoredMessage]:
        return [m for m in self.messages.values() if not m.deleted]

    def get(self, message_id: int) -> StoredMessage | None:
        message = self.messages.get(message_id)
        return None if message is None or message.deleted else message


class StubState:
    """Mutable world state plus a change signal that waiters (``wait_for``) sleep on."""

    def __init__(self, bot_user: JSON, clock: Callable[[], float]) -> None:
        self.bot_user = bot_user
        self.clock = clock
        self.chats: dict[int, ChatState] = {}
        self.blocked: set[int] = set()
        self.files: dict[str, StoredFile] = {}
        self.callback_queries: dict[str, IssuedCallbackQuery] = {}
        self.callback_answers: list[CallbackAnswer] = []
        self.commands: dict[tuple[str, str], list[JSON]] = {}
        self.descriptions: dict[str, JSON] = {}
        self.menu_buttons: dict[int | None, JSON] = {}
        self.webhook: JSON | None = None
        self._file_counter = itertools.count(1)
        self._query_counter = itertools.count(1)
        self._changed = asyncio.Event()
        self.version = 0  # counts changes, so a watcher (the sandbox page) can ask "since"

    # -- change notification ------------------------------------------------------------------

    def notify(self) -> None:
        """Wake everybody waiting for the world to change."""
        self.version += 1
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_until(self, check: Callable[[], T | None], within: float) -> T | None:
        """Re-run ``check`` after every change until it returns non-``None`` or time runs out."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while True:
            found = check()
            remaining = deadline - loop.time()
            if found is not None or remaining <= 0:
                return found
            changed = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)

    # -- time, ids ------------------------------------------------------------------------------

    def now(self) -> int:
        """Unix time for ``date`` fields (the clock is injectable for fake-time tests)."""
        return int(self.clock())

    def new_callback_query_id(self) -> str:
        # Real ids are opaque numeric strings; PTB treats them as str.
        return str(4_600_000_000_000_000_000 + next(self._query_counter))

    # -- messages -------------------------------------------------------------------------------

    def add_message(
        self,
        chat: ChatState,
        *,
        from_bot: bool,
        text: str | None = None,
        entities: list[JSON] | None = None,
        caption: str | None = None,
        caption_entities: list[JSON] | None = None,
        raw_text: str | None = None,
        parse_mode: str | None = None,
        reply_markup: JSON | None = None,
        content: JSON | None = None,
        reply_to: StoredMessage | None = None,
    ) -> StoredMessage:
        """Append a message with the chat's next message_id (ids are shared by both sides)."""
        message = StoredMessage(
            message_id=chat.next_message_id,
            chat_id=chat.id,
            date=self.now(),
            from_bot=from_bot,
            sender=dict(self.bot_user if from_bot else chat.user),
            chat=dict(chat.chat),
            text=text,
            entities=list(entities or []),
            caption=caption,
            caption_entities=list(caption_entities or []),
            raw_text=raw_text,
            parse_mode=parse_mode,
            reply_markup=reply_markup,
            content=dict(content or {}),
            reply_to=reply_to,
        )
        chat.next_message_id += 1
        chat.messages[message.message_id] = message
        if from_bot and reply_markup is not None:
            if "keyboard" in reply_markup:
                chat.reply_keyboard = reply_markup
            elif reply_markup.get("remove_keyboard"):
                chat.reply_keyboard = None
        self.notify()
        return message

    def edit_message(self, message: StoredMessage, **changes: Any) -> StoredMessage:
        """Apply an edit, keeping the previous version in ``message.versions``."""
        message.versions.append(message.snapshot())
        for name, value in changes.items():
            setattr(message, name, value)
        message.edit_date = self.now()
        self.notify()
        return message

    def delete_message(self, message: StoredMessage) -> None:
        message.deleted = True
        self.notify()

    # -- files ----------------------------------------------------------------------------------

    def register_file(
        self,
        kind: str,
        *,
        data: bytes | None = None,
        file_name: str | None = None,
        mime_type: str | None = None,
        file_id: str | None = None,
    ) -> StoredFile:
        """A new file (upload) or a record for a file id/URL the stub has not seen before."""
        if file_id is not None and file_id in self.files:
            return self.files[file_id]
        number = next(self._file_counter)
        stored = StoredFile(
            file_id=file_id or f"stub-{kind}-{number:06d}",
            file_unique_id=f"AQAD{number:06d}",
            kind=kind,
            data=data,
            file_name=file_name,
            mime_type=mime_type,
        )
        self.files[stored.file_id] = stored
        return stored

    def file_by_path(self, path: str) -> StoredFile | None:
        return next((f for f in self.files.values() if f.file_path == path), None)
