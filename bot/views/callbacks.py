"""Compact callback data ("prefix:arg:arg") and a strict parser for it.

Callback data comes back from the client and can be forged or stale, so parsing
never trusts it: anything malformed yields None and the handler refuses politely.
Telegram caps callback data at 64 bytes; ours stays well under.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.domain.types import Feeling, ReplyKind

_SAFE = re.compile(r"^[a-z]:[A-Za-z0-9_./+-]{0,40}(?::[A-Za-z0-9_./+-]{0,40}){0,2}$")

REPLY = "r"
LATER = "l"
FEEL = "f"
CONSENT = "c"
ZONE = "z"
TIME = "t"
DAYS = "d"
NEWCLIENT = "n"
QUIET = "q"  # q:<quiet spell>:<choice>, the question after a quiet spell
PATTERN = "u"  # u:<pattern offer>:y|n, a change of time or day offered once
QUIET_PAUSE, QUIET_TIME, QUIET_CARRY_ON = "p", "t", "c"

REPLY_CODES: dict[str, ReplyKind] = {
    "d": ReplyKind.DONE,
    "s": ReplyKind.SOME,
    "l": ReplyKind.LATER,
    "n": ReplyKind.NOT_TODAY,
    "k": ReplyKind.SKIPPED,
}
REPLY_CODE_OF = {kind: code for code, kind in REPLY_CODES.items()}
FEELING_CODES: dict[str, Feeling] = {f.value[0]: f for f in Feeling}  # e, o, h, p
FEELING_CODE_OF = {feeling: code for code, feeling in FEELING_CODES.items()}


@dataclass(frozen=True)
class Callback:
    prefix: str
    args: tuple[str, ...]

    def int_arg(self, index: int) -> int | None:
        try:
            value = self.args[index]
        except IndexError:
            return None
        return int(value) if value.isdigit() and len(value) < 19 else None


def encode(prefix: str, *args: object) -> str:
    data = ":".join([prefix, *map(str, args)])
    if len(data.encode()) > 64 or not _SAFE.match(data):
        raise ValueError(f"bad callback data {data!r}")
    return data


def decode(data: str | None) -> Callback | None:
    if not data or len(data) > 64 or not _SAFE.match(data):
        return None
    prefix, *args = data.split(":")
    return Callback(prefix, tuple(args))
