"""Tables. Every answer, schedule and dialog step lives here, never only in memory.

Schema changes go through Alembic migrations in bot/migrations; keep both in step.
Free text that identifies or describes a person is `EncryptedText` (sealed at rest);
such columns can't appear in a WHERE or ORDER BY.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Column, Index, UniqueConstraint, false
from sqlmodel import Field, SQLModel

from bot.db.types import EncryptedText, UTCDateTime
from bot.domain.quiet_hours import DEFAULT_QUIET_HOURS
from bot.domain.types import ClientStatus, Frequency, MessageDirection, NudgeStatus


def _instant(*, nullable: bool = True, index: bool = False) -> Column[datetime]:
    return Column(UTCDateTime(), nullable=nullable, index=index)


class Therapist(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    telegram_user_id: int = Field(sa_type=BigInteger, unique=True, index=True)
    display_name: str = Field(sa_type=EncryptedText)
    language: str = "en"
    created_at: datetime = Field(sa_column=_instant(nullable=False))
    # IANA zone the therapist chose in /settings; None until then (shown in UTC).
    timezone: str | None = None
    # The weekly digest (/settings): off by default; weekday (Monday = 0) and "HH:MM"
    # in `timezone`. digest_next_at is the next instant it is due, NULL while off; the
    # sender claims a digest by moving it on, so it goes once per week.
    digest_enabled: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    digest_weekday: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    digest_time: str = Field(default="08:00", sa_column_kwargs={"server_default": "08:00"})
    digest_next_at: datetime | None = Field(default=None, sa_column=_instant(index=True))


class Client(SQLModel, table=True):
    # The sender's pass looks up clients newly unreachable whose therapist has not been told.
    __table_args__ = (Index("ix_client_unreachable", "reachable", "unreachable_told_at"),)

    id: int | None = Field(default=None, primary_key=True)
    therapist_id: int = Field(foreign_key="therapist.id", index=True)
    label: str = Field(sa_type=EncryptedText)  # only the therapist sees this
    telegram_user_id: int | None = Field(default=None, sa_type=BigInteger, index=True)
    chat_id: int | None = Field(default=None, sa_type=BigInteger)
    first_name: str | None = Field(default=None, sa_type=EncryptedText)
    language: str = "en"
    timezone: str | None = None
    status: str = Field(default=ClientStatus.INVITED)
    reachable: bool = True
    created_at: datetime = Field(sa_column=_instant(nullable=False))
    consented_at: datetime | None = Field(default=None, sa_column=_instant())
    joined_at: datetime | None = Field(default=None, sa_column=_instant())
    # A dated pause: nudges start again at this instant (local midnight). Indexed for
    # the sender's pass that ends pauses whose day has come.
    paused_until: datetime | None = Field(default=None, sa_column=_instant(index=True))
    # Set when a pause ends; the next recorded answer gets a warm "welcome back".
    welcome_back: bool = False
    # When the therapist was told the client became unreachable (bot/scheduling/alerts.py);
    # cleared when the client writes again, so each new transition is told once.
    unreachable_told_at: datetime | None = Field(default=None, sa_column=_instant())


class Invite(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    token_hash: str = Field(unique=True, index=True)
    created_at: datetime = Field(sa_column=_instant(nullable=False))
    expires_at: datetime = Field(sa_column=_instant(nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=_instant())
    used_by: int | None = Field(default=None, sa_type=BigInteger)
    revoked_at: datetime | None = Field(default=None, sa_column=_instant())


class Routine(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", unique=True, index=True)
    frequency: str = Field(default=Frequency.DAILY)
    times_per_week: int | None = None
    created_at: datetime = Field(sa_column=_instant(nullable=False))
    updated_at: datetime = Field(sa_column=_instant(nullable=False))
    # Bumped by each edit; RoutineVersion keeps what every version held and from when.
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})


class Exercise(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("routine_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    routine_id: int = Field(foreign_key="routine.id", index=True)
    position: int
    name: str
    dose: str
    notes: str | None = Field(default=None, sa_type=EncryptedText)
    # A photo or video the therapist sent in chat: Telegram's file id, re-sendable as is.
    media_file_id: str | None = None
    media_kind: str | None = None  # MediaKind


class ReminderSlot(SQLModel, table=True):
    """One recurring reminder; the dispatcher only ever looks at next_due_at."""

    __table_args__ = (Index("ix_reminderslot_active_due", "active", "next_due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    local_time: str  # "HH:MM", wall time in `timezone`
    weekdays: int  # bit 0 = Monday ... bit 6 = Sunday
    timezone: str
    active: bool = True
    next_due_at: datetime = Field(sa_column=_instant(nullable=False))
    created_at: datetime = Field(sa_column=_instant(nullable=False))
    updated_at: datetime = Field(sa_column=_instant(nullable=False))


class Nudge(SQLModel, table=True):
    """One occurrence of a slot; unique per (slot, local date) so it is sent once."""

    __table_args__ = (
        UniqueConstraint("slot_id", "local_date", name="uq_nudge_slot_date"),
        Index("ix_nudge_status_due", "status", "due_at"),
        Index("ix_nudge_renudge", "renudge_at"),
        # /clients counts each client's occurrences over the last 7 and 28 local days,
        # from the index alone (it covers what is counted).
        Index("ix_nudge_client_date", "client_id", "local_date", "status", "outcome"),
    )

    id: int | None = Field(default=None, primary_key=True)
    slot_id: int = Field(foreign_key="reminderslot.id")
    client_id: int = Field(foreign_key="client.id", index=True)
    local_date: date
    due_at: datetime = Field(sa_column=_instant(nullable=False))
    status: str = Field(default=NudgeStatus.CLAIMED)
    claimed_at: datetime = Field(sa_column=_instant(nullable=False))
    attempt_at: datetime | None = Field(default=None, sa_column=_instant())
    retry_at: datetime | None = Field(default=None, sa_column=_instant())
    sent_at: datetime | None = Field(default=None, sa_column=_instant())
    chat_id: int | None = Field(default=None, sa_type=BigInteger)
    message_id: int | None = None
    attempts: int = 0  # HTTP attempts made, all outcomes included
    attempt_log: str = ""  # one short code per attempt: ok, 429, 5xx, timeout, net, 403, 400
    last_error: str | None = None
    outcome: str | None = None  # the one final answer: done/some/skipped/not_today, or no_reply
    later_at: datetime | None = Field(default=None, sa_column=_instant())
    renudge_at: datetime | None = Field(default=None, sa_column=_instant())
    renudge_claimed_at: datetime | None = Field(default=None, sa_column=_instant())
    renudge_message_id: int | None = None
    # After the answer (bot/db/answers.py): what got in the way of a "not today" (a
    # Barrier code, and the client's own words for "something else"), and which
    # exercises "some of it" covered, as 1-based positions ("1,3").
    barrier: str | None = None
    barrier_note: str | None = Field(default=None, sa_type=EncryptedText)
    exercises_done: str | None = None
    # No answer (bot/db/followups.py): the end of the local day, until the day is
    # closed (then NULL again, so only open days are ever scanned); the one gentle
    # follow-up, claimed (sent or skipped) once.
    closes_at: datetime | None = Field(default=None, sa_column=_instant(index=True))
    followup_claimed_at: datetime | None = Field(default=None, sa_column=_instant())
    followup_message_id: int | None = None


class Reply(SQLModel, table=True):
    """Every accepted answer, with its time; a nudge has at most one of each kind."""

    __table_args__ = (UniqueConstraint("nudge_id", "kind", name="uq_reply_nudge_kind"),)

    id: int | None = Field(default=None, primary_key=True)
    nudge_id: int = Field(foreign_key="nudge.id", index=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    kind: str
    source: str  # "button" or "text"
    at: datetime = Field(sa_column=_instant(nullable=False))
    feeling: str | None = None


class Dialog(SQLModel, table=True):
    """Where a person is in a multi-step flow, so a restart or another replica can continue."""

    telegram_user_id: int = Field(sa_type=BigInteger, primary_key=True)
    flow: str
    step: str
    data: str = Field(default="{}", sa_type=EncryptedText)  # JSON; holds what people typed
    updated_at: datetime = Field(sa_column=_instant(nullable=False))


class Lease(SQLModel, table=True):
    """Who may do a thing that only one process at a time should do, and until when.

    The nudge sender ("sender") and each person's conversation ("person:<id>") are
    held this way, so replicas coordinate through the database they already share.
    """

    name: str = Field(primary_key=True)
    holder: str  # host and pid, for people reading the table
    token: str  # random per holder: only the holder can renew or release
    expires_at: datetime = Field(sa_column=_instant(nullable=False))


class KeyCheck(SQLModel, table=True):
    """One sealed known value: opening it at start proves the key ring fits the data."""

    id: int = Field(primary_key=True)
    canary: str = Field(sa_type=EncryptedText)


class TherapistInvite(SQLModel, table=True):
    """A single-use link an admin gives a colleague so they become a therapist here.

    Like a client's invite, only the token's hash is kept.
    """

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True, index=True)
    created_by: int = Field(sa_type=BigInteger)  # the admin's Telegram user id
    created_at: datetime = Field(sa_column=_instant(nullable=False))
    expires_at: datetime = Field(sa_column=_instant(nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=_instant())
    used_by: int | None = Field(default=None, sa_type=BigInteger)


class PersonSetting(SQLModel, table=True):
    """What a person chose for themselves: language, follow-ups, quiet hours.

    Keyed by Telegram user, not by client, so anyone can choose a language (before
    joining, or as a therapist); no row means the defaults. Quiet hours are local
    "HH:MM" strings; both NULL means none.
    """

    __tablename__ = "person_setting"

    telegram_user_id: int = Field(sa_type=BigInteger, primary_key=True)
    language: str | None = None  # None: follow Telegram's language_code
    followups_enabled: bool = True
    quiet_start: str | None = DEFAULT_QUIET_HOURS[0]
    quiet_end: str | None = DEFAULT_QUIET_HOURS[1]
    updated_at: datetime = Field(sa_column=_instant(nullable=False))


class ConcernReport(SQLModel, table=True):
    """Pain, "too hard" or soreness a client reported; their therapist was told at once."""

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    nudge_id: int | None = Field(default=None, foreign_key="nudge.id", index=True)
    concern: str  # a Concern: painful, hard, sore
    source: str  # "button", "text" or "barrier"
    words: str | None = Field(default=None, sa_type=EncryptedText)  # what they typed
    at: datetime = Field(sa_column=_instant(nullable=False))


class QuietSpell(SQLModel, table=True):
    """Several nudges in a row without an answer: follow-ups stop, and the client is asked
    once (and the therapist told once) until an answer ends the spell."""

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    started_at: datetime = Field(sa_column=_instant(nullable=False))
    asked_at: datetime | None = Field(default=None, sa_column=_instant())  # claimed, then sent
    told_at: datetime | None = Field(default=None, sa_column=_instant())  # the therapist
    ended_at: datetime | None = Field(default=None, sa_column=_instant())


class PatternOffer(SQLModel, table=True):
    """A change of time or day the bot offered once, after spotting a pattern in the answers."""

    __table_args__ = (UniqueConstraint("slot_id", "key", name="uq_patternoffer_slot_key"),)

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    slot_id: int = Field(foreign_key="reminderslot.id")
    key: str  # the pattern, e.g. "time:evening" or "day:0" (bot/domain/patterns.py)
    kind: str  # a PatternKind
    local_time: str | None = None  # "HH:MM" suggested
    weekday: int | None = None
    to_weekday: int | None = None
    offered_at: datetime = Field(sa_column=_instant(nullable=False))
    answer: str | None = None  # "yes" or "no"
    answered_at: datetime | None = Field(default=None, sa_column=_instant())


class Message(SQLModel, table=True):
    """A message between a client and their therapist, relayed through the bot (/message).

    `relay_chat_id`/`relay_message_id` name the bot's copy in the recipient's chat, so a
    therapist's reply to that copy finds its way back to the client.
    """

    __table_args__ = (Index("ix_message_relay", "relay_chat_id", "relay_message_id"),)

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    direction: str = Field(default=MessageDirection.TO_THERAPIST)
    text: str = Field(sa_type=EncryptedText)
    created_at: datetime = Field(sa_column=_instant(nullable=False))
    delivered_at: datetime | None = Field(default=None, sa_column=_instant())
    relay_chat_id: int | None = Field(default=None, sa_type=BigInteger)
    relay_message_id: int | None = None
    reply_to_id: int | None = Field(default=None, foreign_key="message.id")


class RoutineVersion(SQLModel, table=True):
    """What a routine held from `started_at` on, so each answer can be read against the
    version of the routine it belonged to (the one in force when its nudge was due)."""

    __tablename__ = "routine_version"
    __table_args__ = (UniqueConstraint("routine_id", "version", name="uq_routine_version"),)

    id: int | None = Field(default=None, primary_key=True)
    routine_id: int = Field(foreign_key="routine.id", index=True)
    version: int
    started_at: datetime = Field(sa_column=_instant(nullable=False))
    # JSON: {"frequency", "times_per_week", "exercises": [{"name", "dose", "notes"}]}
    snapshot: str = Field(sa_type=EncryptedText)


class RoutineTemplate(SQLModel, table=True):
    """A routine a therapist saved under a name, to start new clients from (/templates).

    Only ever read through its therapist's id: one therapist never sees another's.
    """

    __tablename__ = "routine_template"

    id: int | None = Field(default=None, primary_key=True)
    therapist_id: int = Field(foreign_key="therapist.id", index=True, ondelete="CASCADE")
    name: str = Field(sa_type=EncryptedText)  # the therapist's own words
    # JSON: {"frequency", "times_per_week", "exercises": [{"name", "dose", "notes",
    # "media_file_id", "media_kind"}]}
    snapshot: str = Field(sa_type=EncryptedText)
    created_at: datetime = Field(sa_column=_instant(nullable=False))
