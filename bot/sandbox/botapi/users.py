"""Fake Telegram users: the test's hands and eyes inside a chat.

Why: end-to-end tests should read like a conversation -- the user sends, presses a button,
waits for the reply -- while the updates the bot receives have exactly the JSON shapes Telegram
produces (entities for commands, the *current* message in a callback query, and so on).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING

from .formatting import format_text
from .models import JSON, CallbackAnswer, IssuedCallbackQuery, StoredMessage, buttons

if TYPE_CHECKING:
    from .server import BotApiStub
    from .state import ChatState

MessageRef = StoredMessage | int
Matcher = str | Callable[[StoredMessage], bool]


def _matches(message: StoredMessage, matcher: Matcher) -> bool:
    if callable(matcher):
        return bool(matcher(message))
    return matcher in message.body


def _describe_matcher(matcher: Matcher) -> str:
    return repr(matcher) if isinstance(matcher, str) else getattr(matcher, "__name__", "predicate")


class FakeUser:
    """A user in a private chat with the bot (``chat_id == user_id``)."""

    def __init__(self, stub: BotApiStub, user_id: int) -> None:
        self._stub = stub
        self.id = user_id

    # -- identity -------------------------------------------------------------------------------

    @property
    def chat_id(self) -> int:
        return self.id

    @property
    def _chat(self) -> ChatState:
        return self._stub.state.chats[self.id]

    @property
    def first_name(self) -> str:
        return str(self._chat.user["first_name"])

    @property
    def user_json(self) -> JSON:
        """The ``User`` object Telegram puts in ``from``."""
        return dict(self._chat.user)

    @property
    def chat_json(self) -> JSON:
        """The ``Chat`` object of this private chat."""
        return dict(self._chat.chat)

    def __repr__(self) -> str:
        return f"FakeUser(id={self.id}, first_name={self.first_name!r})"

    # -- acting ---------------------------------------------------------------------------------

    def _resolve(self, message: MessageRef, *, allow_foreign: bool = False) -> StoredMessage:
        """The current version of a message; ids are per chat, so a StoredMessage from another
        chat is never looked up by id here (that would silently pick a different message)."""
        if isinstance(message, StoredMessage) and message.chat_id != self.id:
            if not allow_foreign:
                raise AssertionError(
                    f"{self!r} cannot act on message #{message.message_id} of chat "
                    f"{message.chat_id}; use press_data() to forge such a callback"
                )
            chat = self._stub.state.chats.get(message.chat_id)
            found = chat.get(message.message_id) if chat else None
        else:
            message_id = message if isinstance(message, int) else message.message_id
            found = self._chat.get(message_id)
        if found is None:
            chat_id = message.chat_id if isinstance(message, StoredMessage) else self.id
            message_id = message if isinstance(message, int) else message.message_id
            raise AssertionError(
                f"message #{message_id} does not exist (or was deleted) in chat {chat_id}"
            )
        return found

    async def _deliver(self, message: StoredMessage, kind: str = "message") -> StoredMessage:
        self._chat.started = True
        self._stub.push_update(kind, message.to_api())
        await asyncio.sleep(0)
        return message

    async def send(self, text: str, *, reply_to: MessageRef | None = None) -> StoredMessage:
        """Send a text message; ``/commands`` get their ``bot_command`` entity like in Telegram.

        Returns the user's stored message -- pass its ``message_id`` as ``after=`` to
        :meth:`wait_for` to ignore earlier bot messages.
        """
        formatted = format_text(text)
        if not formatted.text:
            raise ValueError("Telegram clients cannot send empty messages")
        message = self._stub.state.add_message(
            self._chat,
            from_bot=False,
            text=formatted.text,
            entities=formatted.entities,
            reply_to=self._resolve(reply_to) if reply_to is not None else None,
        )
        return await self._deliver(message)

    async def edit(self, message: MessageRef, new_text: str) -> StoredMessage:
        """Edit one of the user's own messages → ``edited_message`` update."""
        stored = self._resolve(message)
        if stored.from_bot:
            raise AssertionError("users can only edit their own messages")
        formatted = format_text(new_text)
        self._stub.state.edit_message(stored, text=formatted.text, entities=formatted.entities)
        return await self._deliver(stored, "edited_message")

    async def send_location(self, latitude: float, longitude: float) -> StoredMessage:
        message = self._stub.state.add_message(
            self._chat,
            from_bot=False,
            content={"location": {"latitude": latitude, "longitude": longitude}},
        )
        return await self._deliver(message)

    async def send_sticker(self, emoji: str = "👍") -> StoredMessage:
        """A message with no text at all -- handlers must not assume ``message.text``."""
        stored = self._stub.state.register_file("sticker", data=b"RIFF-stub-webp")
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }
        message = self._stub.state.add_message(
            self._chat, from_bot=False, content={"sticker": sticker}
        )
        return await self._deliver(message)

    async def send_photo(
        self, caption: str | None = None, data: bytes = b"\xff\xd8stub-jpeg"
    ) -> StoredMessage:
        stored = self._stub.state.register_file("photo", data=data, mime_type="image/jpeg")
        sizes = [
            {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "width": 1280,
                "height": 960,
                "file_size": len(data),
            }
        ]
        formatted = format_text(caption) if caption else None
        message = self._stub.state.add_message(
            self._chat,
            from_bot=False,
            content={"photo": sizes},
            caption=formatted.text if formatted else None,
            caption_entities=formatted.entities if formatted else None,
        )
        return await self._deliver(message)

    async def send_video(
        self, caption: str | None = None, data: bytes = b"\x00\x00\x00\x18ftypmp42"
    ) -> StoredMessage:
        """A video as Telegram delivers it: a ``Video`` with its file id and duration."""
        stored = self._stub.state.register_file("video", data=data, mime_type="video/mp4")
        video = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "width": 1280,
            "height": 720,
            "duration": 12,
            "mime_type": "video/mp4",
            "file_size": len(data),
        }
        formatted = format_text(caption) if caption else None
        message = self._stub.state.add_message(
            self._chat,
            from_bot=False,
            content={"video": video},
            caption=formatted.text if formatted else None,
            caption_entities=formatted.entities if formatted else None,
        )
        return await self._deliver(message)

    def _find_button(self, message: StoredMessage, button_text: str) -> JSON:
        flat = [b for row in message.inline_keyboard for b in row]
        exact = [b for b in flat if b.get("text") == button_text]
        candidates = exact or [b for b in flat if button_text in str(b.get("text", ""))]
        if not candidates:
            folded = button_text.casefold()
            candidates = [b for b in flat if folded in str(b.get("text", "")).casefold()]
        if len(candidates) != 1:
            problem = "no button" if not candidates else f"{len(candidates)} buttons"
            raise AssertionError(
                f"{problem} matching {button_text!r} on {message.describe()}; "
                f"available buttons: {buttons(message)}"
            )
        button = candidates[0]
        if "callback_data" not in button:
            kinds = sorted(k for k in button if k != "text")
            raise AssertionError(f"button {button.get('text')!r} has no callback_data ({kinds})")
        return button

    async def press(self, message: MessageRef, button_text: str) -> str:
        """Press an inline button (exact text, else a unique substring) of the message's
        *current* keyboard; returns the callback query id."""
        stored = self._resolve(message)
        button = self._find_button(stored, button_text)
        return await self.press_data(stored, str(button["callback_data"]))

    async def press_data(self, message: MessageRef, data: str) -> str:
        """Send a callback query with arbitrary ``data`` (forged or stale buttons).

        ``message`` may even belong to another user's chat: the update then carries that
        message with this user in ``from`` -- impossible in Telegram, but exactly what a
        handler that trusts ``callback_data`` must still refuse.
        """
        stored = self._resolve(message, allow_foreign=True)
        state = self._stub.state
        query_id = state.new_callback_query_id()
        state.callback_queries[query_id] = IssuedCallbackQuery(
            id=query_id,
            user_id=self.id,
            chat_id=stored.chat_id,
            message_id=stored.message_id,
            data=data,
        )
        self._stub.push_update(
            "callback_query",
            {
                "id": query_id,
                "from": self.user_json,
                "message": stored.to_api(),
                "chat_instance": state.chats[stored.chat_id].chat_instance,
                "data": data,
            },
        )
        await asyncio.sleep(0)
        return query_id

    def block(self, *, notify: bool = True) -> None:
        """Block the bot (sends the ``my_chat_member`` update by default, like Telegram)."""
        self._stub.block(self.id, notify=notify)

    def unblock(self, *, notify: bool = True) -> None:
        self._stub.unblock(self.id, notify=notify)

    # -- observing ------------------------------------------------------------------------------

    @property
    def messages(self) -> list[StoredMessage]:
        """The bot's messages in this chat, oldest first, current versions, deleted ones gone."""
        return [m for m in self._chat.visible() if m.from_bot]

    @property
    def history(self) -> list[StoredMessage]:
        """Both sides of the conversation."""
        return self._chat.visible()

    @property
    def last_message(self) -> StoredMessage | None:
        messages = self.messages
        return messages[-1] if messages else None

    @property
    def reply_keyboard(self) -> JSON | None:
        """The reply keyboard currently shown to the user (None after ReplyKeyboardRemove)."""
        return self._chat.reply_keyboard

    @property
    def chat_actions(self) -> list[str]:
        return list(self._chat.chat_actions)

    @property
    def callback_answers(self) -> list[CallbackAnswer]:
        """Answers the bot gave to this user's button presses."""
        return [a for a in self._stub.state.callback_answers if a.user_id == self.id]

    def callback_answer(self, query_id: str) -> CallbackAnswer | None:
        query = self._stub.state.callback_queries.get(query_id)
        return query.answer if query else None

    def _timeout_error(self, what: str, timeout: float) -> AssertionError:
        recent = "\n".join(f"  {m.describe()}" for m in self.history[-6:]) or "  (no messages)"
        return AssertionError(
            f"{self!r}: timed out after {timeout}s waiting for {what}.\nLast messages:\n{recent}"
        )

    async def wait_for(
        self,
        matcher: Matcher,
        timeout: float = 5.0,  # noqa: ASYNC109 - test helper, per-call deadline reads best
        *,
        after: int | None = None,
    ) -> StoredMessage:
        """First bot message (id > ``after``) whose text/caption contains ``matcher`` or for
        which ``matcher(message)`` is true; AssertionError with the chat tail on timeout."""

        def check() -> StoredMessage | None:
            for message in self.messages:
                if after is not None and message.message_id <= after:
                    continue
                if _matches(message, matcher):
                    return message
            return None

        found = await self._stub.state.wait_until(check, timeout)
        if found is None:
            suffix = f" after #{after}" if after is not None else ""
            raise self._timeout_error(
                f"a bot message matching {_describe_matcher(matcher)}{suffix}", timeout
            )
        return found

    async def wait_for_edit(
        self,
        message: MessageRef,
        matcher: Matcher | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - test helper
    ) -> StoredMessage:
        """Wait until the message has been edited and (if given) its current version matches.

        Edits that happened before the call count too, so there is no race with a fast bot.
        """
        message_id = message if isinstance(message, int) else message.message_id

        def check() -> StoredMessage | None:
            current = self._chat.get(message_id)
            if current is None or not current.edits:
                return None
            return current if matcher is None or _matches(current, matcher) else None

        found = await self._stub.state.wait_until(check, timeout)
        if found is None:
            what = f"an edit of #{message_id}"
            if matcher is not None:
                what += f" matching {_describe_matcher(matcher)}"
            raise self._timeout_error(what, timeout)
        return found

    async def wait_for_answer(
        self,
        query_id: str,
        timeout: float = 5.0,  # noqa: ASYNC109 - test helper
    ) -> CallbackAnswer:
        """Wait until the bot answers the callback query ``query_id``."""
        found = await self._stub.state.wait_until(lambda: self.callback_answer(query_id), timeout)
        if found is None:
            raise self._timeout_error(f"an answer to callback query {query_id}", timeout)
        return found

    async def wait_quiet(self, seconds: float = 0.2) -> list[StoredMessage]:
        """Let the bot work for ``seconds``; returns bot messages that appeared meanwhile."""
        before = self._chat.next_message_id
        await asyncio.sleep(seconds)
        return [m for m in self.messages if m.message_id >= before]

    def describe_chat(self, last: int = 10) -> str:
        return "\n".join(m.describe() for m in self.history[-last:])


__all__ = ["FakeUser", "Matcher", "MessageRef"]
