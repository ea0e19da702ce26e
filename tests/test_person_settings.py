"""/settings: one message, edited in place; each choice stored and readable by the
features that use it (follow-ups, quiet hours), on both databases."""

from __future__ import annotations

from datetime import time

import pytest

from bot.app import BotRuntime
from bot.db import person_settings
from bot.db.database import Database
from bot.db.models import Client
from bot.db.person_settings import LanguageChoices
from bot.domain.quiet_hours import DEFAULT_QUIET_HOURS, is_quiet, preset_from_code
from bot.sandbox.botapi import BotApiStub, FakeUser, StoredMessage, buttons
from tests.conftest import START, THERAPIST_ID, rows
from tests.journeys import enrol_daily_at_nine_utc, press_forged

STALE = "That button has expired. Nothing changed."


async def stored(runtime: BotRuntime) -> tuple[bool, tuple[str, str] | None]:
    """What the follow-up feature will read for the (only) client."""
    (client,) = await rows(runtime, Client)
    async with runtime.db.transaction() as session:
        return (
            await person_settings.followups_enabled(session, client),
            await person_settings.quiet_hours(session, client),
        )


async def tap(user: FakeUser, message: StoredMessage, button: str, shows: str) -> StoredMessage:
    """Press, and wait until the same message shows the result (no new message)."""
    before = len(user.messages)
    await user.press(message, button)
    edited = await user.wait_for_edit(message, lambda m: shows in (m.text or "") + str(buttons(m)))
    assert len(user.messages) == before
    return edited


async def test_settings_change_in_place_and_are_stored(
    stub: BotApiStub, runtime: BotRuntime
) -> None:
    ana = stub.user(8001, "Ana")
    await enrol_daily_at_nine_utc(stub.user(THERAPIST_ID, "Dana"), ana)
    assert await stored(runtime) == (True, DEFAULT_QUIET_HOURS)

    sent = await ana.send("/settings")
    panel = await ana.wait_for("Your settings", after=sent.message_id)
    assert "Gentle follow-up: on" in (panel.text or "")
    assert "Quiet hours: 9:30 pm–8:00 am" in (panel.text or "")
    assert buttons(panel) == [
        "🌐 English",
        "🔔 Follow-up: on",
        "🌙 Quiet hours: 9:30 pm–8:00 am",
        "🕒 Nudge time, days, time zone",
        "Done",
    ]

    query = await ana.press(panel, "Follow-up: on")
    assert (await ana.wait_for_answer(query)).text == "Saved."
    await ana.wait_for_edit(panel, "Gentle follow-up: off")
    assert await stored(runtime) == (False, DEFAULT_QUIET_HOURS)
    # A second press of the old "off" button (a double tap) leaves it off.
    await ana.wait_for_answer(await ana.press_data(panel, "y:f:off"))
    assert await stored(runtime) == (False, DEFAULT_QUIET_HOURS)

    await tap(ana, panel, "Quiet hours", "Which suits you?")
    assert buttons(ana.messages[-1]) == [
        "9:00 pm–8:00 am",
        "✓ 9:30 pm–8:00 am",
        "10:00 pm–7:00 am",
        "11:00 pm–9:00 am",
        "No quiet hours",
        "‹ Back",
    ]
    await tap(ana, panel, "10:00 pm–7:00 am", "Quiet hours: 10:00 pm–7:00 am")
    assert await stored(runtime) == (False, ("22:00", "07:00"))
    await tap(ana, panel, "Quiet hours", "Which suits you?")
    await tap(ana, panel, "No quiet hours", "Quiet hours: none.")
    assert await stored(runtime) == (False, None)
    await tap(ana, panel, "Quiet hours", "Which suits you?")
    await tap(ana, panel, "‹ Back", "Your settings")
    assert await stored(runtime) == (False, None)

    # Language leads to the same choice as /language, and back to the panel in Spanish.
    await tap(ana, panel, "🌐 English", "Which language")
    assert buttons(ana.messages[-1]) == ["Deutsch", "✓ English", "Español", "‹ Back"]
    query = await ana.press(panel, "Español")
    assert "español" in ((await ana.wait_for_answer(query)).text or "")
    spanish = await ana.wait_for_edit(panel, "Tus ajustes")
    assert "Aviso de seguimiento: desactivado" in (spanish.text or "")
    assert buttons(spanish) == [
        "🌐 Español",
        "🔕 Seguimiento: desactivado",
        "🌙 Descanso: ninguno",
        "🕒 Hora, días, zona horaria",
        "Listo",
    ]
    await tap(ana, panel, "🔕 Seguimiento: desactivado", "Aviso de seguimiento: activado")
    assert await stored(runtime) == (True, None)
    await ana.press(panel, "Listo")
    await ana.wait_for_edit(panel, lambda m: buttons(m) == [])
    assert [c.language for c in await rows(runtime, Client)] == ["es"]


async def test_forged_settings_buttons_change_nothing(
    stub: BotApiStub, runtime: BotRuntime
) -> None:
    ana = stub.user(8002, "Ana")
    await enrol_daily_at_nine_utc(stub.user(THERAPIST_ID, "Dana"), ana)
    sent = await ana.send("/settings")
    panel = await ana.wait_for("Your settings", after=sent.message_id)
    forged = ("y:q:0000-2359", "y:f:maybe", "y:zz", "y:q:off:x", "y:b:x", "y:", "y:l:x")
    assert await press_forged(ana, panel, *forged) == [STALE] * len(forged)
    assert await stored(runtime) == (True, DEFAULT_QUIET_HOURS)


@pytest.mark.parametrize(
    ("at", "quiet", "expected"),
    [
        (time(23, 0), DEFAULT_QUIET_HOURS, True),
        (time(21, 30), DEFAULT_QUIET_HOURS, True),
        (time(3, 0), DEFAULT_QUIET_HOURS, True),
        (time(7, 59), DEFAULT_QUIET_HOURS, True),
        (time(8, 0), DEFAULT_QUIET_HOURS, False),
        (time(21, 29), DEFAULT_QUIET_HOURS, False),
        (time(12, 0), ("13:00", "15:00"), False),
        (time(14, 0), ("13:00", "15:00"), True),
        (time(3, 0), None, False),
    ],
)
def test_quiet_hours_wrap_past_midnight(
    at: time, quiet: tuple[str, str] | None, expected: bool
) -> None:
    assert is_quiet(at, quiet) is expected


async def test_language_choices_are_seen_at_once_and_by_a_new_process(
    database_url: str,
) -> None:
    db = Database.from_url(database_url)
    await db.upgrade()
    choices = LanguageChoices(db)
    for user_id, language in ((1, "es"), (2, "de"), (1, "en")):
        async with db.transaction() as session:
            await person_settings.choose_language(session, user_id, language, START)
        choices.remember(user_id, language)  # the first before anything was read
        assert await choices.of(user_id) == language
    assert await choices.of(3) is None
    assert [await LanguageChoices(db).of(user_id) for user_id in (1, 2, 3)] == ["en", "de", None]
    await db.dispose()


def test_only_offered_presets_are_accepted() -> None:
    assert preset_from_code("2200-0700") == ("22:00", "07:00")
    assert preset_from_code("0000-2359") is None


async def test_settings_lead_on_to_when_nudges_come(stub: BotApiStub, runtime: BotRuntime) -> None:
    # The reminder's time is what people look for in settings; it lives in /time.
    ana = stub.user(8001, "Ana")
    await enrol_daily_at_nine_utc(stub.user(THERAPIST_ID, "Dana"), ana)
    sent = await ana.send("/settings")
    panel = await ana.wait_for("Your settings", after=sent.message_id)
    await ana.press(panel, "Nudge time, days, time zone")
    overview = await ana.wait_for("Your nudges come every day at 9:00 am", after=panel.message_id)
    assert buttons(overview) == ["🕒 Time", "🌍 Time zone", "Keep it as it is"]
    closed = await ana.wait_for_edit(panel, lambda m: not buttons(m))
    assert closed.message_id == panel.message_id
