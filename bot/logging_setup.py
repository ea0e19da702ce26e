"""Logging that can never leak the bot token or what a person wrote.

httpx logs every request URL at INFO, and Telegram puts the token in the URL, so
we both quiet httpx and redact the token from every record as a second line of
defence (a library upgrade could log it somewhere new).

python-telegram-bot logs whole updates and API parameters at DEBUG (people's
messages, names, the nudges we send them), so its arguments are reduced to names
and numbers before anything is written. Libraries that log rows or statements are
kept at WARNING or above.

`LOG_FORMAT=json` writes one JSON object per line for log collectors, with the
fields our own calls pass via `extra=` (update_id, nudge_id, outcome).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, TextIO

from telegram import Update

REDACTED = "<redacted-token>"
HIDDEN = "<hidden>"
_TOKEN_SHAPE = re.compile(r"\d{3,}:[A-Za-z0-9_-]{20,}")
# Method names, states and the like: safe to keep in python-telegram-bot's lines.
_NAME_SHAPE = re.compile(r"[A-Za-z_][A-Za-z0-9_.]{0,63}")
_QUIET = ("httpx", "httpcore", "apscheduler", "aiosqlite", "sqlalchemy", "asyncpg")
# Our own calls attach these via `extra=`; JSON lines carry them as fields.
EXTRA_FIELDS = ("update_id", "nudge_id", "outcome")
_PTB_NOT_JSON = "Can not load invalid JSON data"


class TokenRedactingFilter(logging.Filter):
    def __init__(self, token: str | None = None) -> None:
        super().__init__()
        self._token = token

    def _scrub(self, text: str) -> str:
        if self._token:
            text = text.replace(self._token, REDACTED)
        return _TOKEN_SHAPE.sub(REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        scrubbed = self._scrub(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._scrub(record.exc_text)
        if scrubbed != message or record.args:
            record.msg = scrubbed
            record.args = None
        return True


def _safe_arg(arg: object) -> object:
    if arg is None or isinstance(arg, bool | int | float):
        return arg
    if isinstance(arg, str) and _NAME_SHAPE.fullmatch(arg):
        return arg
    if isinstance(arg, Update):
        return f"<update {arg.update_id}>"
    if isinstance(arg, list) and all(isinstance(item, int) for item in arg):
        return arg  # update ids
    return HIDDEN


class TelegramArgsFilter(logging.Filter):
    """Keeps python-telegram-bot's log lines but not the people's data in their arguments.

    Its messages are templates ("Calling Bot API endpoint `%s` with parameters `%s`"),
    so the template stays readable while dicts, updates and free text become <hidden>.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith("telegram") or not record.args:
            return True
        if str(record.msg).startswith(_PTB_NOT_JSON):
            # PTB raises this failure to its caller too, who says what it means in one
            # line; here it would be a traceback around a proxy's error page.
            return False
        if isinstance(record.args, Mapping):
            record.args = None  # the bare template is shown
            return True
        args = record.args
        record.args = tuple(_safe_arg(arg) for arg in args)
        if len(args) == 1 and isinstance(args[0], Update):
            record.update_id = args[0].update_id
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, event, and our `extra=` fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "event": record.getMessage(),
        }
        for name in EXTRA_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exc"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(
    level: str, token: str | None, stream: TextIO | None = None, fmt: str = "text"
) -> None:
    handler = logging.StreamHandler(stream)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    # Order matters: arguments are reduced before the message is built and scrubbed.
    handler.addFilter(TelegramArgsFilter())
    handler.addFilter(TokenRedactingFilter(token))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in _QUIET:
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
