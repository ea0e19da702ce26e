"""The words the product speaks in: statuses, frequencies, answers and feelings.

They live in the domain, not beside the tables, so views and flows can name an
answer or a status without importing the database layer; `bot/db` maps them to
columns as their string values.
"""

from __future__ import annotations

from enum import StrEnum


class ClientStatus(StrEnum):
    INVITED = "invited"
    ACTIVE = "active"
    PAUSED = "paused"
    STOPPED = "stopped"


class Frequency(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"  # N times a week on days the client picks
    TWICE_DAILY = "twice_daily"  # every day, at two times the client picks


class NudgeStatus(StrEnum):
    CLAIMED = "claimed"  # the occurrence exists and waits for a sender (or a retry)
    SENDING = "sending"  # a sender committed to an attempt; the request may be in flight
    SENT = "sent"  # Telegram accepted it; message_id recorded
    EXPIRED = "expired"  # came due while we were down, beyond the grace window
    UNDELIVERABLE = "undeliverable"  # blocked bot, deleted chat, permanent error
    # The sender died mid-attempt: Telegram may or may not have it. Not resent,
    # because "never twice" beats "maybe once more" for a reminder.
    UNCONFIRMED = "unconfirmed"
    # Claimed but not yet sent when the client paused or stopped: never sent.
    CANCELLED = "cancelled"
    # Never sent: the client answered "not today" to an earlier nudge of the same day.
    CLOSED = "closed"


class ReplyKind(StrEnum):
    DONE = "done"
    SOME = "some"
    LATER = "later"
    SKIPPED = "skipped"
    NOT_TODAY = "not_today"


class Feeling(StrEnum):
    EASY = "easy"
    OK = "ok"
    HARD = "hard"
    PAINFUL = "painful"


class MediaKind(StrEnum):
    """What a therapist attached to an exercise (a Telegram file id of this kind)."""

    PHOTO = "photo"
    VIDEO = "video"


class Win(StrEnum):
    """Small wins /progress celebrates; each only ever counts what was done."""

    FIRST = "first"  # the very first session happened this week
    BEST_WEEK = "best_week"  # more sessions this week than in any week before
    MILESTONE = "milestone"  # the total passed a round number this week
    ALL_ANSWERED = "all_answered"  # every nudge of the week got an answer, "not today" too


class InviteStatus(StrEnum):
    """Where a client's latest invite link stands, as the therapist sees it."""

    WAITING = "waiting"  # sent, not opened yet, still valid
    USED = "used"  # the client joined with it
    EXPIRED = "expired"
    REVOKED = "revoked"


class Barrier(StrEnum):
    """What got in the way of a "not today", as the client picked it (optional)."""

    BUSY = "busy"
    SORE = "sore"
    TIRED = "tired"
    UNSURE = "unsure"  # not sure how to do the exercises
    MOOD = "mood"  # not in the mood
    OTHER = "other"  # something else, said in the client's own words


class Concern(StrEnum):
    """Why the therapist hears at once: pain, "too hard", or soreness in the way."""

    PAINFUL = "painful"
    HARD = "hard"
    SORE = "sore"


# The outcome the engine records for an occurrence nobody answered by the end of
# the client's local day (bot/db/followups.py). Not a ReplyKind: nobody says it.
NO_REPLY = "no_reply"


class MessageDirection(StrEnum):
    """Which way a message relayed between a client and their therapist went (/message)."""

    TO_THERAPIST = "to_therapist"
    TO_CLIENT = "to_client"


class RosterStatus(StrEnum):
    """A client's status as /clients shows it: ClientStatus, with being out of reach
    (the bot was blocked) or a quiet spell (many nudges unanswered) told apart."""

    INVITED = "invited"
    ACTIVE = "active"
    PAUSED = "paused"
    STOPPED = "stopped"
    QUIET = "quiet"
    UNREACHABLE = "unreachable"
