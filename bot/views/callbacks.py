"""Compact callback data ("prefix:arg:arg") and a strict parser for it.

Callback data comes back from the client and can be forged or stale, so parsing
never trusts it: anything malformed yields None and the handler refuses politely.
Telegram caps callback data at 64 bytes; ours stays well under.

A prefix is one lowercase letter, or (the therapist's workspace, which needed more
than the alphabet had left) an uppercase T and one lowercase letter: "Ta", "Tr".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

from bot.domain.types import Barrier, Feeling, ReplyKind

_PREFIX = r"(?:[a-z]|T[a-z])"
_ARG = r"[A-Za-z0-9_./+-]{0,40}"
_SAFE = re.compile(rf"^{_PREFIX}:{_ARG}(?::{_ARG}){{0,2}}\Z")  # \Z: no trailing newline
T = TypeVar("T")

REPLY = "r"
LATER = "l"
FEEL = "f"
CONSENT = "c"
ZONE = "z"
TIME = "t"
DAYS = "d"
NEWCLIENT = "n"
SHOW = "o"  # "Show me": an exercise's photo or video, by exercise id
PAUSE = "a"  # a break from nudges: a:3, a:7, a:14, a:d (a date), a:u (until I say), a:x
STOP = "s"  # confirm /stop: s:y, s:n
ERASE = "x"  # confirm /deletemydata: x:y, x:n
PASS_ON = "m"  # m:y|n, pass on to the therapist what a client typed that answers nothing
# /time (bot/flows/timing.py): what to change, then its time, day and zone buttons.
TIMING = "h"
TIMING_TIME = "i"
TIMING_DAYS = "j"
TIMING_ZONE = "v"
# The therapist's workspace: "T" and one lowercase letter.
THERAPISTS = "Ta"  # /therapists: an admin removes a therapist (ask, confirm, keep)
REVOKE_INVITE = "Tr"  # "Revoke link" under an invite's QR code
REISSUE_INVITE = "Ti"  # /invite: a fresh link for a client who lost theirs
# Reserved for the workspace's parts (each owned by one flow module):
CLIENTS_PAGE = "Tl"  # /clients: Tl:<page>, a page of the list, edited in place
CLIENT_DETAIL = "Td"  # Td:<client>, one client's detail
CLIENT_PAUSE = "Tp"  # Tp:<client>:p|r, pause or resume a client from the detail
CLIENT_REMOVE = "Tk"  # Tk:<client>[:y|n], remove a client (asks first)
EDIT_ROUTINE = "Te"  # Te:<client>, the routine builder on a client's routine
BUILDER = "Tb"  # the builder's review screen: Tb:<action>[:<exercise>]
TEMPLATES = "Tt"  # /templates and "from a template"
CLIENT_CHART = "Tc"  # Tc:<client>, adherence by week as a picture
CLIENT_CSV = "Tv"  # Tv:<client> or Tv:all, a spreadsheet of answers
MESSAGE_CLIENT = "Tm"  # Tm:<client>, the therapist writes to a client
REPLY_CLIENT = "Tw"  # Tw:<message>, "Reply" under a client's message
THERAPIST_SETTINGS = "Ts"  # a therapist's own settings: zone, weekly digest
LANGUAGE = "g"  # g:<language>, plus ":s" when chosen from /settings
SETTINGS = "y"  # y:<what>[:<value>], see bot/flows/settings.py
BARRIER = "b"  # b:<nudge>:<barrier code>, after "not today"
TICK = "e"  # e:<nudge>:<exercise position>, after "some of it"
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
BARRIER_CODES: dict[str, Barrier] = {
    "b": Barrier.BUSY,
    "s": Barrier.SORE,
    "t": Barrier.TIRED,
    "u": Barrier.UNSURE,
    "m": Barrier.MOOD,
    "o": Barrier.OTHER,
}
BARRIER_CODE_OF = {barrier: code for code, barrier in BARRIER_CODES.items()}
# Later: in an hour, this evening, pick a time, no reminder.
LATER_HOUR, LATER_EVENING, LATER_PICK, LATER_NONE = "h", "e", "p", "x"


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

    def id_and_code(self, codes: Mapping[str, T]) -> tuple[int, T] | None:
        """ "<prefix>:<id>:<code>" with a known code, as most buttons about a nudge are."""
        nudge_id = self.int_arg(0)
        code = codes.get(self.args[1]) if len(self.args) > 1 else None
        return (nudge_id, code) if nudge_id is not None and code is not None else None


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
