"""Logging that can never leak the bot token, nor where a client is.

httpx logs every request URL at INFO, and Telegram puts the token in the URL, so
we both quiet httpx and redact the token from every record as a second line of
defence (a library upgrade could log it somewhere new). python-telegram-bot logs
whole updates at DEBUG, and a shared location (asked for only to find a time
zone) is never to be kept, so its coordinates are redacted the same way.
"""

from __future__ import annotations

import logging
import re
from typing import TextIO

REDACTED = "<redacted-token>"
_TOKEN_SHAPE = re.compile(r"\d{3,}:[A-Za-z0-9_-]{20,}")
# 'latitude': 52.52 (an update's JSON) and latitude=52.52 (a Location's repr).
_COORDINATE = re.compile(r"""((?:latitude|longitude)['"]?\s*[:=]\s*)-?\d+(?:\.\d+)?""")


class TokenRedactingFilter(logging.Filter):
    def __init__(self, token: str | None = None) -> None:
        super().__init__()
        self._token = token

    def _scrub(self, text: str) -> str:
        if self._token:
            text = text.replace(self._token, REDACTED)
        text = _TOKEN_SHAPE.sub(REDACTED, text)
        return _COORDINATE.sub(r"\1<redacted>", text)

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


def configure_logging(level: str, token: str | None, stream: TextIO | None = None) -> None:
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(TokenRedactingFilter(token))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "apscheduler", "aiosqlite"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
