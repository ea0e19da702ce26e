"""What each person chose for themselves: language, gentle follow-ups, quiet hours.

A row exists only once someone changes something, so reading goes through
`preferences`, which fills in the defaults. Other features ask the small
questions (`followups_enabled`, `quiet_hours`) about a client.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.database import Database
from bot.db.models import Client, PersonSetting, Therapist
from bot.domain.quiet_hours import DEFAULT_QUIET_HOURS, QuietHours


@dataclass(frozen=True)
class Preferences:
    language: str | None  # None: whatever Telegram's language_code says
    followups: bool
    quiet: QuietHours | None  # None: no quiet hours


DEFAULTS = Preferences(language=None, followups=True, quiet=DEFAULT_QUIET_HOURS)


def _preferences(row: PersonSetting | None) -> Preferences:
    if row is None:
        return DEFAULTS
    quiet = (row.quiet_start, row.quiet_end)
    return Preferences(
        row.language,
        row.followups_enabled,
        quiet if quiet[0] is not None and quiet[1] is not None else None,  # type: ignore[arg-type]
    )


async def preferences(session: AsyncSession, user_id: int) -> Preferences:
    return _preferences(await session.get(PersonSetting, user_id))


async def chosen_language(session: AsyncSession, user_id: int) -> str | None:
    result = await session.exec(
        select(PersonSetting.language).where(PersonSetting.telegram_user_id == user_id)
    )
    return result.first()


async def chosen_languages(session: AsyncSession) -> dict[int, str]:
    """Everyone who chose a language; few people do, so this stays small."""
    result = await session.exec(
        select(PersonSetting.telegram_user_id, PersonSetting.language).where(
            col(PersonSetting.language).is_not(None)
        )
    )
    return {user_id: language for user_id, language in result if language is not None}


class LanguageChoices:
    """Who chose which language, asked before every update, so it must be cheap.

    On SQLite this process is the only writer, so the choices are read once and then
    kept up to date here as people choose (`remember`): no query per update, whose
    cost would queue behind every other transaction. With PostgreSQL another replica
    may have recorded a choice, so each lookup asks the database.
    """

    def __init__(self, db: Database) -> None:
        self._db = db
        self._known: dict[int, str] | None = None
        self._while_loading: dict[int, str | None] = {}

    async def of(self, user_id: int) -> str | None:
        if self._db.dialect != "sqlite":
            async with self._db.transaction() as session:
                return await chosen_language(session, user_id)
        if self._known is None:
            async with self._db.transaction() as session:
                known = await chosen_languages(session)
            if self._known is None:  # another update may have loaded it meanwhile
                self._known = known
                for changed, language in self._while_loading.items():
                    self.remember(changed, language)
                self._while_loading.clear()
        return self._known.get(user_id)

    def remember(self, user_id: int, language: str | None) -> None:
        """After a committed change (None: the choice was erased)."""
        if self._known is None:
            self._while_loading[user_id] = language  # the read may predate the commit
        elif language is None:
            self._known.pop(user_id, None)
        else:
            self._known[user_id] = language


async def _row(session: AsyncSession, user_id: int, now: datetime) -> PersonSetting:
    """The person's row, created with the defaults on their first change.

    One person's updates are handled one at a time (in process and across
    replicas), so get-then-add cannot race with itself.
    """
    row = await session.get(PersonSetting, user_id)
    if row is None:
        row = PersonSetting(telegram_user_id=user_id, updated_at=now)
    row.updated_at = now
    session.add(row)
    return row


async def choose_language(
    session: AsyncSession, user_id: int, language: str, now: datetime
) -> None:
    """Store the choice, and carry it to the rows that nudges and alerts are written from."""
    row = await _row(session, user_id, now)
    row.language = language
    for model in (Client, Therapist):
        await session.exec(
            update(model)  # type: ignore[call-overload]
            .where(col(model.telegram_user_id) == user_id)
            .values(language=language)
        )


async def set_followups(session: AsyncSession, user_id: int, enabled: bool, now: datetime) -> None:
    row = await _row(session, user_id, now)
    row.followups_enabled = enabled


async def set_quiet_hours(
    session: AsyncSession, user_id: int, quiet: QuietHours | None, now: datetime
) -> None:
    row = await _row(session, user_id, now)
    row.quiet_start, row.quiet_end = quiet if quiet is not None else (None, None)


async def followups_enabled(session: AsyncSession, client: Client) -> bool:
    """Whether this client still wants one gentle follow-up when a nudge gets no answer."""
    if client.telegram_user_id is None:
        return DEFAULTS.followups
    return (await preferences(session, client.telegram_user_id)).followups


async def quiet_hours(session: AsyncSession, client: Client) -> QuietHours | None:
    """The client's quiet hours as local ("HH:MM", "HH:MM"), or None when they have none."""
    if client.telegram_user_id is None:
        return DEFAULTS.quiet
    return (await preferences(session, client.telegram_user_id)).quiet


async def forget(session: AsyncSession, user_id: int) -> None:
    """For erasure: the person's choices go with the rest of their data."""
    row = await session.get(PersonSetting, user_id)
    if row is not None:
        await session.delete(row)
