"""/settings: language, the gentle follow-up and quiet hours, on one message edited in place,
and a way on to /time (when nudges come).

Every button sets an explicit value (never "toggle"), so a double tap or an old
message can't flip a setting back by surprise.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db import person_settings
from bot.db.person_settings import Preferences
from bot.domain.quiet_hours import preset_from_code
from bot.flows import therapist_settings, timing
from bot.flows.guard import is_therapist
from bot.flows.router import Audience, Router
from bot.flows.turn import Turn, edit_quietly
from bot.views.callbacks import SETTINGS, Callback
from bot.views.settings import (
    BACK,
    CLOSE,
    FOLLOWUPS,
    OFF,
    ON,
    OPEN_LANGUAGES,
    QUIET,
    WHEN,
    language_keyboard,
    quiet_keyboard,
    settings_view,
)

Change = Callable[[AsyncSession, int, datetime], Awaitable[None]]
router = Router()


async def _preferences(turn: Turn, change: Change | None = None) -> Preferences:
    async with turn.svc.db.transaction() as session:
        if change is not None:
            await change(session, turn.user.id, turn.now)
        return await person_settings.preferences(session, turn.user.id)


@router.command("settings", menu=Audience.EVERYONE)
async def show_settings(turn: Turn) -> None:
    """A therapist sees their own settings (with a way to these, if also a client)."""
    if await is_therapist(turn):
        await therapist_settings.show(turn)
        return
    text, markup = settings_view(turn.svc.texts, turn.lang, await _preferences(turn))
    await turn.say(text, markup)


def _change(what: str, value: str | None) -> Change | None:
    """The store call a button asks for; None for anything a button of ours never sends."""
    if what == FOLLOWUPS and value in (ON, OFF):
        enabled = value == ON
        return lambda session, user_id, now: person_settings.set_followups(
            session, user_id, enabled, now
        )
    quiet = preset_from_code(value) if value else None
    if what == QUIET and (quiet is not None or value == OFF):
        return lambda session, user_id, now: person_settings.set_quiet_hours(
            session, user_id, quiet, now
        )
    return None


@router.button(SETTINGS)
async def setting_pressed(turn: Turn, callback: Callback) -> bool:
    if len(callback.args) > 2:
        return False
    what = callback.args[0] if callback.args else ""
    value = callback.args[1] if len(callback.args) > 1 else None
    texts, lang = turn.svc.texts, turn.lang
    if value is None and what == OPEN_LANGUAGES:
        await turn.answer()
        keyboard = language_keyboard(texts, lang, from_settings=True)
        await edit_quietly(turn.query, turn.t("language.choose"), keyboard)
        return True
    if value is None and what == QUIET:
        prefs = await _preferences(turn)
        await turn.answer()
        await edit_quietly(
            turn.query, turn.t("settings.choose_quiet"), quiet_keyboard(texts, lang, prefs.quiet)
        )
        return True
    if value is None and what == CLOSE:
        await turn.answer(close=True)
        return True
    if value is None and what == WHEN:
        await turn.answer(close=True)
        await timing.change_when(turn)
        return True
    change = _change(what, value)
    if change is None and (what, value) != (BACK, None):
        return False
    prefs = await _preferences(turn, change)
    await turn.answer(turn.t("settings.saved") if change else None)
    await edit_quietly(turn.query, *settings_view(texts, lang, prefs))
    return True
