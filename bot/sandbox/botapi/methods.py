"""Bot API method implementations.

Each handler gets typed :class:`Params` and returns the ``result`` value or raises
:class:`ApiError` with the status/description the real Bot API uses. Validation is deliberately
strict where Telegram is strict (empty/too long text, "message is not modified", callback data
over 64 bytes, answering an unknown query) because those are the errors a bot must survive in
production.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from .errors import (
    BLOCKED,
    CANT_INITIATE,
    NOT_MODIFIED,
    QUERY_INVALID,
    ApiError,
    bad_request,
    forbidden,
)
from .formatting import EntityParseError, FormattedText, format_text
from .models import JSON, CallbackAnswer, StoredFile, StoredMessage
from .params import Params, UploadedFile
from .state import ChatState, StubState
from .updates import UpdateQueue

F = TypeVar("F", bound=Callable[..., Awaitable[Any]])
Handler = Callable[[Params], Awaitable[Any]]

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA_BYTES = 64
INLINE_ACTIONS = (
    "callback_data",
    "url",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)

# BotCommandScope types and the fields each requires (Bot API "BotCommandScope").
COMMAND_SCOPES: dict[str, tuple[str, ...]] = {
    "default": (),
    "all_private_chats": (),
    "all_group_chats": (),
    "all_chat_administrators": (),
    "chat": ("chat_id",),
    "chat_administrators": ("chat_id",),
    "chat_member": ("chat_id", "user_id"),
}


def api_method(name: str) -> Callable[[F], F]:
    """Mark a coroutine method as the implementation of Bot API method ``name``."""

    def mark(func: F) -> F:
        func.__api_method__ = name  # type: ignore[attr-defined]
        return func

    return mark


def _validate_inline_button(button: Any) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request(
            'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    if not any(key in button for key in INLINE_ACTIONS):
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button:
        url = button["url"]
        if not isinstance(url, str) or not url.startswith(("http://", "https://", "tg://")):
            raise bad_request("BUTTON_URL_INVALID")


def validate_markup(markup: Any, *, inline_only: bool) -> JSON | None:
    """Reject markup Telegram would reject; returns it unchanged otherwise."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request("can't parse reply keyboard markup JSON object")
        for row in rows:
            for button in row:
                _validate_inline_button(button)
        return markup
    if inline_only:
        raise bad_request("inline keyboard expected")
    if "keyboard" in markup or markup.get("remove_keyboard") or markup.get("force_reply"):
        return markup
    raise bad_request("can't parse reply keyboard markup JSON object")


def _inline_part(markup: JSON | None) -> JSON | None:
    rows = (markup or {}).get("inline_keyboard")
    return {"inline_keyboard": rows} if rows else None


class BotApiMethods:
    """The implemented subset of the Bot API, operating on shared :class:`StubState`."""

    def __init__(self, state: StubState, updates: UpdateQueue) -> None:
        self.state = state
        self.updates = updates
        self._table: dict[str, tuple[str, Handler]] = {}
        for _, member in inspect.getmembers(self, inspect.ismethod):
            name = getattr(member, "__api_method__", None)
            if name is not None:
                self._table[name.lower()] = (name, member)

    def lookup(self, method: str) -> tuple[str, Handler] | None:
        """Canonical name and handler; Bot API method names are case-insensitive."""
        return self._table.get(method.lower())

    @property
    def names(self) -> list[str]:
        return sorted(name for name, _ in self._table.values())

    # -- shared helpers -------------------------------------------------------------------------

    def chat(self, p: Params) -> ChatState:
        """The target private chat, enforcing what Telegram enforces before any send."""
        chat_id = p.get("chat_id")
        if chat_id is None or chat_id == "":
            raise bad_request("chat_id is empty")
        if isinstance(chat_id, bool) or not isinstance(chat_id, int):
            raise bad_request("chat not found")
        chat = self.state.chats.get(chat_id)
        if chat is None:
            raise bad_request("chat not found")
        if chat_id in self.state.blocked:
            raise forbidden(BLOCKED)
        if not chat.started:
            raise forbidden(CANT_INITIATE)
        return chat

    def formatted(
        self, p: Params, text: str, *, mode_key: str = "parse_mode", entities_key: str = "entities"
    ) -> FormattedText:
        entities = p.json(entities_key, what="entities")
        if entities is not None and not (
            isinstance(entities, list) and all(isinstance(e, dict) for e in entities)
        ):
            raise bad_request("can't parse entities JSON object")
        try:
            return format_text(text, p.string(mode_key), entities)
        except EntityParseError as exc:
            raise bad_request(f"can't parse entities: {exc}") from None
        except ValueError:
            raise bad_request(f"unsupported parse_mode {p.string(mode_key)!r}") from None

    def markup(self, p: Params, *, inline_only: bool = False) -> JSON | None:
        raw = p.json("reply_markup", what="reply keyboard markup")
        if raw is not None and not isinstance(raw, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        return validate_markup(raw, inline_only=inline_only)

    def reply_target(self, chat: ChatState, p: Params) -> StoredMessage | None:
        reply = p.json("reply_parameters", what="reply parameters")
        message_id: Any = p.integer("reply_to_message_id")
        allow_missing = p.flag("allow_sending_without_reply")
        if isinstance(reply, dict):
            message_id = reply.get("message_id")
            allow_missing = bool(reply.get("allow_sending_without_reply", allow_missing))
        if message_id is None:
            return None
        target = chat.get(message_id) if isinstance(message_id, int) else None
        if target is None and not allow_missing:
            raise bad_request("message to be replied not found")
        return target

    def target_message(self, p: Params, *, action: str) -> tuple[ChatState, StoredMessage]:
        if "inline_message_id" in p:
            raise bad_request("MESSAGE_ID_INVALID")
        chat = self.chat(p)
        message_id = p.integer("message_id")
        if message_id is None:
            raise bad_request("message identifier is not specified")
        message = chat.get(message_id)
        if message is None:
            raise bad_request(f"message to {action} not found")
        return chat, message

    def caption(self, p: Params) -> FormattedText | None:
        raw = p.string("caption")
        if raw is None:
            return None
        caption = self.formatted(p, raw, entities_key="caption_entities")
        if len(caption.text) > MAX_CAPTION:
            raise bad_request("message caption is too long")
        return caption

    # -- bot / lifecycle ------------------------------------------------------------------------

    @api_method("getMe")
    async def get_me(self, p: Params) -> JSON:
        return {
            **self.state.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    @api_method("logOut")
    async def log_out(self, p: Params) -> bool:
        return True

    @api_method("close")
    async def close(self, p: Params) -> bool:
        return True

    # -- updates --------------------------------------------------------------------------------

    @api_method("getUpdates")
    async def get_updates(self, p: Params) -> list[JSON]:
        if self.state.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        allowed = p.json("allowed_updates", what="allowed_updates")
        limit = p.integer("limit") or 100
        return await self.updates.poll(
            offset=p.integer("offset"),
            limit=min(max(limit, 1), 100),
            wait_s=p.number("timeout") or 0.0,
            allowed=allowed if isinstance(allowed, list) else None,
        )

    @api_method("setWebhook")
    async def set_webhook(self, p: Params) -> bool:
        url = p.string("url") or ""
        if p.flag("drop_pending_updates"):
            self.updates.drop_pending()
        if not url:
            self.state.webhook = None
            return True
        if not url.startswith("https://"):
            raise bad_request("bad webhook: HTTPS url must be provided for webhook")
        self.state.webhook = {
            "url": url,
            "max_connections": p.integer("max_connections") or 40,
            "allowed_updates": p.json("allowed_updates"),
            "secret_token": p.string("secret_token"),
        }
        return True

    @api_method("deleteWebhook")
    async def delete_webhook(self, p: Params) -> bool:
        if p.flag("drop_pending_updates"):
            self.updates.drop_pending()
        self.state.webhook = None
        return True

    @api_method("getWebhookInfo")
    async def get_webhook_info(self, p: Params) -> JSON:
        info: JSON = {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": len(self.updates.pending),
        }
        if self.state.webhook is not None:
            info["url"] = self.state.webhook["url"]
            info["max_connections"] = self.state.webhook["max_connections"]
            if self.state.webhook["allowed_updates"]:
                info["allowed_updates"] = self.state.webhook["allowed_updates"]
        return info

    # -- commands, descriptions, menu -----------------------------------------------------------

    def _scope_key(self, p: Params) -> tuple[str, str]:
        """A BotCommandScope, checked as Telegram checks it: a known type, and for the
        chat scopes a chat the bot knows (a user who never wrote to it is "chat not found")."""
        scope = p.json("scope", what="scope") or {"type": "default"}
        kind = scope.get("type") if isinstance(scope, dict) else None
        if kind not in COMMAND_SCOPES:
            raise bad_request("can't parse BotCommandScope JSON object")
        fields = COMMAND_SCOPES[kind]
        if any(not isinstance(scope.get(name), int) for name in fields):
            raise bad_request("chat_id is empty" if "chat_id" in fields else "user not found")
        if "chat_id" in fields:
            chat = self.state.chats.get(scope["chat_id"])
            if chat is None or not chat.started:
                raise bad_request("chat not found")
        if "user_id" in fields and scope["user_id"] not in self.state.chats:
            raise bad_request("user not found")
        key = {"type": kind, **{name: scope[name] for name in fields}}
        return json.dumps(key, sort_keys=True), p.string("language_code") or ""

    @api_method("setMyCommands")
    async def set_my_commands(self, p: Params) -> bool:
        commands = p.json("commands", what="commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("can't parse commands JSON object")
        for command in commands:
            name = command.get("command") if isinstance(command, dict) else None
            description = command.get("description") if isinstance(command, dict) else None
            if not isinstance(name, str) or not name or len(name) > 32:
                raise bad_request("BOT_COMMAND_INVALID")
            if not all(c.islower() or c.isdigit() or c == "_" for c in name.lstrip("/")):
                raise bad_request("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        self.state.commands[self._scope_key(p)] = [
            {"command": c["command"].lstrip("/"), "description": c["description"]} for c in commands
        ]
        return True

    @api_method("getMyCommands")
    async def get_my_commands(self, p: Params) -> list[JSON]:
        return list(self.state.commands.get(self._scope_key(p), []))

    @api_method("deleteMyCommands")
    async def delete_my_commands(self, p: Params) -> bool:
        self.state.commands.pop(self._scope_key(p), None)
        return True

    @api_method("setMyDescription")
    async def set_my_description(self, p: Params) -> bool:
        lang = p.string("language_code") or ""
        self.state.descriptions[f"description:{lang}"] = {
            "description": p.string("description") or ""
        }
        return True

    @api_method("getMyDescription")
    async def get_my_description(self, p: Params) -> JSON:
        lang = p.string("language_code") or ""
        return self.state.descriptions.get(f"description:{lang}", {"description": ""})

    @api_method("setMyShortDescription")
    async def set_my_short_description(self, p: Params) -> bool:
        lang = p.string("language_code") or ""
        self.state.descriptions[f"short:{lang}"] = {
            "short_description": p.string("short_description") or ""
        }
        return True

    @api_method("getMyShortDescription")
    async def get_my_short_description(self, p: Params) -> JSON:
        lang = p.string("language_code") or ""
        return self.state.descriptions.get(f"short:{lang}", {"short_description": ""})

    @api_method("setChatMenuButton")
    async def set_chat_menu_button(self, p: Params) -> bool:
        button = p.json("menu_button", what="menu button") or {"type": "default"}
        self.state.menu_buttons[p.integer("chat_id")] = button
        return True

    @api_method("getChatMenuButton")
    async def get_chat_menu_button(self, p: Params) -> JSON:
        chat_id = p.integer("chat_id")
        buttons = self.state.menu_buttons
        return buttons.get(chat_id) or buttons.get(None) or {"type": "commands"}

    # -- messages -------------------------------------------------------------------------------

    @api_method("sendMessage")
    async def send_message(self, p: Params) -> JSON:
        chat = self.chat(p)
        raw = p.string("text") or ""
        if not raw.strip():
            raise bad_request("message text is empty")
        text = self.formatted(p, raw)
        if not text.text:
            raise bad_request("message text is empty")
        if len(text.text) > MAX_TEXT:
            raise bad_request("message is too long")
        markup = self.markup(p)
        reply_to = self.reply_target(chat, p)
        message = self.state.add_message(
            chat,
            from_bot=True,
            text=text.text,
            entities=text.entities,
            raw_text=raw,
            parse_mode=p.string("parse_mode"),
            reply_markup=markup,
            reply_to=reply_to,
        )
        return message.to_api()

    @api_method("editMessageText")
    async def edit_message_text(self, p: Params) -> JSON:
        _, message = self.target_message(p, action="edit")
        if not message.from_bot:
            raise bad_request("message can't be edited")
        if message.text is None:
            raise bad_request("there is no text in the message to edit")
        raw = p.string("text") or ""
        if not raw.strip():
            raise bad_request("message text is empty")
        text = self.formatted(p, raw)
        if not text.text:
            raise bad_request("message text is empty")
        if len(text.text) > MAX_TEXT:
            raise bad_request("message is too long")
        # Omitting reply_markup on an edit removes the inline keyboard (real Telegram does this).
        markup = self.markup(p, inline_only=True)
        if (
            text.text == message.text
            and text.entities == message.entities
            and _inline_part(markup) == message.inline_markup
        ):
            raise bad_request(NOT_MODIFIED)
        self.state.edit_message(
            message,
            text=text.text,
            entities=text.entities,
            raw_text=raw,
            parse_mode=p.string("parse_mode"),
            reply_markup=markup,
        )
        return message.to_api()

    @api_method("editMessageCaption")
    async def edit_message_caption(self, p: Params) -> JSON:
        _, message = self.target_message(p, action="edit")
        if not message.from_bot:
            raise bad_request("message can't be edited")
        if not message.content:
            raise bad_request("there is no caption in the message to edit")
        caption = self.caption(p) or FormattedText("")
        markup = self.markup(p, inline_only=True)
        if (
            caption.text == (message.caption or "")
            and caption.entities == message.caption_entities
            and _inline_part(markup) == message.inline_markup
        ):
            raise bad_request(NOT_MODIFIED)
        self.state.edit_message(
            message,
            caption=caption.text or None,
            caption_entities=caption.entities,
            reply_markup=markup,
        )
        return message.to_api()

    @api_method("editMessageReplyMarkup")
    async def edit_message_reply_markup(self, p: Params) -> JSON:
        _, message = self.target_message(p, action="edit")
        if not message.from_bot:
            raise bad_request("message can't be edited")
        markup = self.markup(p, inline_only=True)
        if _inline_part(markup) == message.inline_markup:
            raise bad_request(NOT_MODIFIED)
        self.state.edit_message(message, reply_markup=markup)
        return message.to_api()

    @api_method("deleteMessage")
    async def delete_message(self, p: Params) -> bool:
        _, message = self.target_message(p, action="delete")
        self.state.delete_message(message)
        return True

    @api_method("deleteMessages")
    async def delete_messages(self, p: Params) -> bool:
        chat = self.chat(p)
        ids = p.json("message_ids", what="message_ids")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise bad_request("message_ids is empty")
        for message_id in ids:
            message = chat.get(message_id) if isinstance(message_id, int) else None
            if message is not None:
                self.state.delete_message(message)
        return True

    @api_method("sendChatAction")
    async def send_chat_action(self, p: Params) -> bool:
        chat = self.chat(p)
        action = p.string("action") or ""
        if action not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        chat.chat_actions.append(action)
        self.state.notify()
        return True

    @api_method("answerCallbackQuery")
    async def answer_callback_query(self, p: Params) -> bool:
        query_id = p.string("callback_query_id") or ""
        query = self.state.callback_queries.get(query_id)
        if query is None or query.answer is not None:
            raise bad_request(QUERY_INVALID)
        text = p.string("text")
        if text is not None and len(text) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        query.answer = CallbackAnswer(
            callback_query_id=query_id,
            user_id=query.user_id,
            text=text,
            show_alert=p.flag("show_alert"),
            url=p.string("url"),
            cache_time=p.integer("cache_time"),
            at=self.state.clock(),
        )
        self.state.callback_answers.append(query.answer)
        self.state.notify()
        return True

    # -- media ----------------------------------------------------------------------------------

    def _input_file(self, kind: str, p: Params) -> StoredFile:
        source = p.get(kind)
        if isinstance(source, str) and source.startswith("attach://"):
            source = p.get(source.removeprefix("attach://"))
            if not isinstance(source, UploadedFile):
                raise bad_request("wrong file identifier/HTTP URL specified")
        if isinstance(source, UploadedFile):
            return self.state.register_file(
                kind, data=source.data, file_name=source.filename, mime_type=source.content_type
            )
        if not isinstance(source, str) or not source:
            raise bad_request(f"there is no {kind} in the request")
        if source.startswith(("http://", "https://")):
            name = source.rstrip("/").rsplit("/", 1)[-1] or None
            return self.state.register_file(kind, file_name=name)
        return self.state.register_file(kind, file_id=source)

    @staticmethod
    def _media_payload(kind: str, stored: StoredFile, p: Params) -> Any:
        base: JSON = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id}
        if stored.file_size:
            base["file_size"] = stored.file_size
        if kind == "photo":
            thumb = {
                "file_id": f"{stored.file_id}-s",
                "file_unique_id": f"{stored.file_unique_id}s",
                "width": 90,
                "height": 68,
            }
            return [thumb, {**base, "width": 1280, "height": 960}]
        if kind == "video":
            return {
                **base,
                "width": p.integer("width") or 640,
                "height": p.integer("height") or 360,
                "duration": p.integer("duration") or 1,
                "mime_type": stored.mime_type or "video/mp4",
                **({"file_name": stored.file_name} if stored.file_name else {}),
            }
        return {
            **base,
            "file_name": stored.file_name or "document",
            "mime_type": stored.mime_type or "application/octet-stream",
        }

    async def _send_media(self, kind: str, p: Params) -> JSON:
        chat = self.chat(p)
        stored = self._input_file(kind, p)
        caption = self.caption(p)
        markup = self.markup(p)
        reply_to = self.reply_target(chat, p)
        message = self.state.add_message(
            chat,
            from_bot=True,
            caption=caption.text if caption and caption.text else None,
            caption_entities=caption.entities if caption else [],
            raw_text=p.string("caption"),
            parse_mode=p.string("parse_mode"),
            reply_markup=markup,
            content={kind: self._media_payload(kind, stored, p)},
            reply_to=reply_to,
        )
        return message.to_api()

    @api_method("sendPhoto")
    async def send_photo(self, p: Params) -> JSON:
        return await self._send_media("photo", p)

    @api_method("sendVideo")
    async def send_video(self, p: Params) -> JSON:
        return await self._send_media("video", p)

    @api_method("sendDocument")
    async def send_document(self, p: Params) -> JSON:
        return await self._send_media("document", p)

    @api_method("getFile")
    async def get_file(self, p: Params) -> JSON:
        stored = self.state.files.get(p.string("file_id") or "")
        if stored is None:
            raise bad_request("invalid file_id")
        result: JSON = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_path": stored.file_path,
        }
        if stored.file_size:
            result["file_size"] = stored.file_size
        return result
