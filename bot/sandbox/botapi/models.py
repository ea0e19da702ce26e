"""Plain data the stub records: API calls, chat messages, files and callback queries.

Why dataclasses rather than PTB objects: tests should assert on what *Telegram* holds (the stub
is the source of truth for chat history), independent of how the bot's library models it.
``to_api`` renders the exact JSON shapes of the Bot API.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]


@dataclass
class ApiCall:
    """One HTTP request the bot made. ``at`` is ``time.monotonic()`` when it arrived.

    ``params`` are decoded to their Bot API types (``reply_markup`` is a dict, ``chat_id`` an
    int, uploads are :class:`~bot.sandbox.botapi.params.UploadedFile`). ``status`` is the HTTP
    status the stub answered with (0 while the request is still in flight).
    """

    method: str
    params: dict[str, Any]
    at: float
    status: int = 0
    error: str | None = None
    result: Any = None

    @property
    def chat_id(self) -> Any:
        return self.params.get("chat_id")

    @property
    def ok(self) -> bool:
        return self.status == 200


@dataclass
class StoredFile:
    """A file known to the stub (uploaded by the bot, sent by a fake user or referenced by id)."""

    file_id: str
    file_unique_id: str
    kind: str
    data: bytes | None = field(default=None, repr=False)
    file_name: str | None = None
    mime_type: str | None = None

    @property
    def file_size(self) -> int:
        return len(self.data) if self.data is not None else 0

    @property
    def file_path(self) -> str:
        suffix = f"_{self.file_name}" if self.file_name else ""
        return f"{self.kind}s/{self.file_unique_id}{suffix}"


@dataclass
class CallbackAnswer:
    """What the bot answered to a button press (``answerCallbackQuery``)."""

    callback_query_id: str
    user_id: int
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int | None
    at: float


@dataclass
class IssuedCallbackQuery:
    """A callback query the stub generated; only these may be answered, and only once."""

    id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    answer: CallbackAnswer | None = None


@dataclass
class StoredMessage:
    """A message in a chat, in its *current* version (edits update it in place).

    ``reply_markup`` is the markup as the bot sent it (inline or reply keyboard);
    ``raw_text``/``parse_mode`` keep the bot's original markup, while ``text``/``entities`` are
    what users see after Telegram parsed it. ``versions`` holds snapshots of earlier versions.
    """

    message_id: int
    chat_id: int
    date: int
    from_bot: bool
    sender: JSON
    chat: JSON
    text: str | None = None
    entities: list[JSON] = field(default_factory=list)
    caption: str | None = None
    caption_entities: list[JSON] = field(default_factory=list)
    raw_text: str | None = None
    parse_mode: str | None = None
    reply_markup: JSON | None = None
    content: JSON = field(default_factory=dict)
    reply_to: StoredMessage | None = field(default=None, repr=False)
    edit_date: int | None = None
    deleted: bool = False
    versions: list[JSON] = field(default_factory=list, repr=False)

    @property
    def inline_keyboard(self) -> list[list[JSON]]:
        """Rows of inline buttons currently attached ([] if none)."""
        markup = self.reply_markup or {}
        rows = markup.get("inline_keyboard")
        return rows if isinstance(rows, list) else []

    @property
    def inline_markup(self) -> JSON | None:
        """The markup as it appears in Message JSON: only inline keyboards are echoed back."""
        return {"inline_keyboard": self.inline_keyboard} if self.inline_keyboard else None

    @property
    def buttons(self) -> list[str]:
        return buttons(self)

    @property
    def body(self) -> str:
        """Text or caption -- what a substring search should look at."""
        return self.text if self.text is not None else self.caption or ""

    @property
    def edits(self) -> int:
        return len(self.versions)

    def __getitem__(self, name: str) -> Any:
        """Dict-style access (``message["text"]``) for predicates written against dicts."""
        try:
            return getattr(self, name)
        except AttributeError:
            raise KeyError(name) from None

    def get(self, name: str, default: Any = None) -> Any:
        return getattr(self, name, default)

    def snapshot(self) -> JSON:
        """The editable parts of this version (stored in ``versions`` before an edit)."""
        return copy.deepcopy(
            {
                "text": self.text,
                "entities": self.entities,
                "caption": self.caption,
                "caption_entities": self.caption_entities,
                "reply_markup": self.reply_markup,
                "edit_date": self.edit_date,
            }
        )

    def to_api(self, *, with_reply: bool = True) -> JSON:
        """The Bot API ``Message`` object for this message's current version."""
        message: JSON = {
            "message_id": self.message_id,
            "from": dict(self.sender),
            "chat": dict(self.chat),
            "date": self.date,
        }
        if self.reply_to is not None and with_reply:
            message["reply_to_message"] = self.reply_to.to_api(with_reply=False)
        if self.edit_date is not None:
            message["edit_date"] = self.edit_date
        if self.text is not None:
            message["text"] = self.text
            if self.entities:
                message["entities"] = copy.deepcopy(self.entities)
        message.update(copy.deepcopy(self.content))
        if self.caption:
            message["caption"] = self.caption
            if self.caption_entities:
                message["caption_entities"] = copy.deepcopy(self.caption_entities)
        if self.inline_markup is not None:
            message["reply_markup"] = copy.deepcopy(self.inline_markup)
        return message

    def describe(self) -> str:
        """One line for assertion messages."""
        who = "bot" if self.from_bot else "user"
        kind = next(iter(self.content), "text")
        shown = self.body.replace("\n", "\\n")
        if len(shown) > 120:
            shown = shown[:117] + "..."
        extra = f" buttons={self.buttons}" if self.buttons else ""
        edited = f" (edited x{self.edits})" if self.edits else ""
        gone = " [deleted]" if self.deleted else ""
        return f"#{self.message_id} {who} {kind}: {shown!r}{extra}{edited}{gone}"


def buttons(message: StoredMessage | JSON | None) -> list[str]:
    """Flattened texts of the inline buttons (or of a reply keyboard) of a message/markup."""
    if message is None:
        return []
    if isinstance(message, StoredMessage):
        markup: JSON = message.reply_markup or {}
    else:
        markup = message.get("reply_markup", message) or {}
    rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
    texts: list[str] = []
    for row in rows:
        for button in row:
            texts.append(button if isinstance(button, str) else str(button.get("text", "")))
    return texts
