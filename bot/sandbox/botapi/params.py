"""Decoding of Bot API request parameters.

Why this is not a plain ``json.loads`` per value: python-telegram-bot sends *string* parameters
verbatim but JSON-encodes everything else (ints, bools, lists, dicts) into form fields
(``application/x-www-form-urlencoded``, or ``multipart/form-data`` when a file is uploaded).
On the wire ``text=123`` and ``chat_id=123`` therefore look identical, so -- like the real server --
we need to know each parameter's type to decode it. The tables below cover the methods the stub
implements; unknown parameters stay strings. ``application/json`` bodies (used by other clients)
arrive already typed and are left alone.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from .errors import bad_request

JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "allowed_updates",
        "commands",
        "scope",
        "link_preview_options",
        "reply_parameters",
        "media",
        "message_ids",
        "menu_button",
    }
)
INT_FIELDS = frozenset(
    {
        "chat_id",
        "from_chat_id",
        "message_id",
        "offset",
        "limit",
        "reply_to_message_id",
        "message_thread_id",
        "user_id",
        "cache_time",
        "duration",
        "width",
        "height",
        "max_connections",
    }
)
FLOAT_FIELDS = frozenset({"timeout", "latitude", "longitude"})
BOOL_FIELDS = frozenset(
    {
        "show_alert",
        "disable_notification",
        "protect_content",
        "drop_pending_updates",
        "disable_web_page_preview",
        "allow_sending_without_reply",
        "has_spoiler",
        "supports_streaming",
        "disable_content_type_detection",
        "show_caption_above_media",
        "allow_paid_broadcast",
    }
)
_INT_RE = re.compile(r"-?\d+")
_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no", ""})


@dataclass(frozen=True)
class UploadedFile:
    """A file that arrived as a multipart part (recorded so tests can inspect what was sent)."""

    field_name: str
    filename: str | None
    content_type: str | None
    data: bytes = field(repr=False)

    @property
    def size(self) -> int:
        return len(self.data)


class _Undecodable(str):
    """Marks a JSON field whose text could not be parsed; handlers turn it into a 400."""

    __slots__ = ()


def _coerce(name: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if name in JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError:
            return _Undecodable(value)
    if name in INT_FIELDS:
        return int(value) if _INT_RE.fullmatch(value.strip()) else value
    if name in FLOAT_FIELDS:
        try:
            return float(value)
        except ValueError:
            return value
    if name in BOOL_FIELDS:
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
    return value


async def read_request_params(request: web.Request) -> dict[str, Any]:
    """All parameters of a request (query string + body), typed as the Bot API defines them.

    Uploaded files appear as :class:`UploadedFile` values under their part name.
    """
    raw: dict[str, Any] = dict(request.query)
    if request.can_read_body:
        if request.content_type == "application/json":
            body = await request.json()
            if isinstance(body, dict):
                raw.update(body)
        else:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    with value.file:
                        data = value.file.read()
                    raw[key] = UploadedFile(
                        field_name=key,
                        filename=value.filename,
                        content_type=value.content_type,
                        data=data,
                    )
                else:
                    raw[key] = value
    return {key: _coerce(key, value) for key, value in raw.items()}


class Params:
    """Typed, validating access to one request's parameters (errors are Telegram's 400s)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def __contains__(self, name: str) -> bool:
        return name in self.data and self.data[name] is not None

    def get(self, name: str, default: Any = None) -> Any:
        return self.data.get(name, default)

    def string(self, name: str) -> str | None:
        value = self.data.get(name)
        if value is None:
            return None
        if isinstance(value, UploadedFile):
            raise bad_request(f"{name} must be a string")
        return value if isinstance(value, str) else json.dumps(value)

    def integer(self, name: str) -> int | None:
        value = self.data.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad_request(f"invalid {name} specified")
        return value

    def number(self, name: str) -> float | None:
        value = self.data.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise bad_request(f"invalid {name} specified")
        return float(value)

    def flag(self, name: str) -> bool:
        return self.data.get(name) is True

    def json(self, name: str, *, what: str | None = None) -> Any:
        value = self.data.get(name)
        if isinstance(value, _Undecodable):
            raise bad_request(f"can't parse {what or name} JSON object")
        return value
