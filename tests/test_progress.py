"""/progress as a client meets it: answer a week of nudges, then ask how it's going.

Through the real bot and the stub on both databases: the words count what was done
("some of it" as done), celebrate the small wins, and never mention what was not
done; a chart comes as a PNG photo, drawn while the chat shows "sending a photo".
"""

from __future__ import annotations

import asyncio
import re
import tomllib
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from bot.app import BotRuntime
from bot.clock import ManualClock
from bot.sandbox.botapi import BotApiStub, FakeUser, StoredMessage
from bot.services.charts import (
    SERIES,
    ChartText,
    WeekCounts,
    render_weekly_chart,
    weekly_chart,
)
from bot.settings import REPO_ROOT
from tests.conftest import THERAPIST_ID, client_menus, variants
from tests.journeys import enrol_daily_at_nine_utc

PNG = b"\x89PNG\r\n\x1a\n"
MONDAY_NINE = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
# Whatever the wording variant, none of these may reach a client asking for progress.
NEVER_SAID = ("not today", "no reply", "missed", "streak", "didn't", "0 sessions")


async def answer_nudge(client: FakeUser, clock: ManualClock, at: datetime, button: str | None):
    """Move the clock to a nudge, wait for it, and press `button` (None: leave it be)."""
    before = client.history[-1].message_id if client.history else 0
    clock.set(at)
    nudge = await client.wait_for("Bridge: 3 x 10", after=before)
    if button is not None:
        await client.press(nudge, button)
        await client.wait_for_edit(nudge, "Noted")
    return nudge


async def ask_progress(client: FakeUser, expect: str = "Your progress") -> StoredMessage:
    sent = await client.send("/progress")
    return await client.wait_for(expect, after=sent.message_id)


def says(text: str, key: str, lang: str = "en") -> bool:
    """Whether `text` (a caption too) holds any wording variant of a copy key."""
    return variants(key, lang)(SimpleNamespace(text=text))


def png_of(stub: BotApiStub, message: StoredMessage) -> bytes:
    sizes = message.content.get("photo")
    assert sizes, f"no photo in {message.describe()}"
    stored = stub.state.files[sizes[-1]["file_id"]]
    assert stored.data is not None
    return stored.data


async def test_a_week_of_answers_then_progress_in_words_and_a_chart(
    stub: BotApiStub, runtime: BotRuntime, clock: ManualClock
) -> None:
    therapist = stub.user(THERAPIST_ID, "Dana")
    mia = stub.user(2101, "Mia")
    await enrol_daily_at_nine_utc(therapist, mia)

    # Before any nudge: nothing to count, no chart, no zero.
    early = await ask_progress(mia)
    assert "first nudge hasn't come yet" in early.body
    assert "photo" not in early.content

    days = ["Done", "Some of it", "Not today", None, "Done"]  # Mon..Fri; Thursday unanswered
    for offset, button in enumerate(days):
        await answer_nudge(mia, clock, MONDAY_NINE + timedelta(days=offset), button)
    clock.advance(timedelta(hours=1))

    shown = await ask_progress(mia)
    assert "photo" in shown.content, "the progress comes as a chart with the words as caption"
    text = shown.body
    assert "Your progress" in text
    assert "3 sessions (2 done, 1 some of it)" in text
    assert "23 Nov: 3 sessions" in text
    assert says(text, "progress.win_first")
    assert not [word for word in NEVER_SAID if word in text.lower()], text
    assert len(text) <= 1024
    assert png_of(stub, shown).startswith(PNG)
    assert "upload_photo" in mia.chat_actions

    # The next week: four sessions beat last week's three, and the total passes five.
    next_monday = MONDAY_NINE + timedelta(weeks=1)
    for offset in range(4):
        await answer_nudge(mia, clock, next_monday + timedelta(days=offset), "Done")
    text = (await ask_progress(mia)).body
    assert "This week" in text or "this week" in text
    assert "4 sessions" in text and "7 sessions" in text
    assert says(text, "progress.win_best_week")
    assert says(text, "progress.win_milestone")
    assert says(text, "progress.win_all_answered")
    assert says(text, "progress.win_first") is False
    assert not [word for word in NEVER_SAID if word in text.lower()], text


async def test_progress_in_spanish_and_for_someone_who_has_not_joined(
    stub: BotApiStub, runtime: BotRuntime, clock: ManualClock
) -> None:
    stranger = await ask_progress(stub.user(2199, "Sam"), "once you've joined")
    assert "once you've joined" in stranger.body

    therapist = stub.user(THERAPIST_ID, "Dana")
    lucia = stub.user(2102, "Lucía")
    await enrol_daily_at_nine_utc(therapist, lucia)
    await answer_nudge(lucia, clock, MONDAY_NINE, "Some of it")
    stub.chat(lucia.id).user["language_code"] = "es"  # her Telegram app now speaks Spanish

    shown = await ask_progress(lucia, "Tu progreso")
    assert "Tu progreso" in shown.body
    assert "1 sesión (0 hechas, 1 en parte)" in shown.body
    assert says(shown.body, "progress.some_counts", "es")
    assert png_of(stub, shown).startswith(PNG)
    menus = {lang: str(call.params) for lang, call in client_menus(stub).items()}
    assert "Lo que llevas hecho" in menus["es"]
    assert "What you've done so far" in menus[""]


def test_the_chart_draws_any_of_the_four_series_and_refuses_others() -> None:
    weeks = [WeekCounts("2 Nov", 3, 1, 2, 1), WeekCounts("This week")]
    every = ChartText("Adherence by week", dict.fromkeys(SERIES, "x"))
    assert weekly_chart(weeks, every).startswith(PNG)
    assert weekly_chart([], ChartText("Nothing", {})).startswith(PNG)
    try:
        weekly_chart(weeks, ChartText("Bad", {"missed": "x"}))
    except ValueError as exc:
        assert "missed" in str(exc)
    else:
        raise AssertionError("an unknown series was drawn")


BANNED = {
    "en": ("fail", "missed", "you should", "don't forget", "streak", "lazy", "!!"),
    "de": ("versäumt", "verpasst", "du solltest", "vergiss nicht", "serie", "faul", "!!"),
    "es": ("fallaste", "olvidaste", "deberías", "racha", "perezos", "!!"),
}
PLACEHOLDER = re.compile(r"\{(\w*)\}")


def _own_copy(lang: str) -> dict[str, object]:
    """This language's own progress and routine files, without the fallback to English."""
    merged: dict[str, object] = {}
    for flow in ("progress", "routine"):
        with (REPO_ROOT / "config" / "locales" / lang / f"{flow}.toml").open("rb") as handle:
            for section, values in tomllib.load(handle).items():
                merged.update({f"{section}.{key}": value for key, value in values.items()})
    return merged


def _strings(value: object) -> list[str]:
    return list(value) if isinstance(value, list) else [str(value)]


@pytest.mark.parametrize("lang", ["de", "es"])
def test_progress_and_routine_copy_is_complete_in_every_language(lang: str) -> None:
    english, own = _own_copy("en"), _own_copy(lang)
    assert set(own) == set(english)
    for key, value in english.items():
        if key.endswith("months"):
            assert len(_strings(own[key])) == 12
            continue
        wanted = {p for text in _strings(value) for p in PLACEHOLDER.findall(text)}
        for text in _strings(own[key]):
            assert set(PLACEHOLDER.findall(text)) <= wanted, (key, text)


@pytest.mark.parametrize("lang", ["en", "de", "es"])
def test_progress_and_routine_copy_never_blames(lang: str) -> None:
    own = _own_copy(lang)
    for key in ("this_week", "week_fresh", "since", "win_first", "win_best_week"):
        assert len(_strings(own[f"progress.{key}"])) >= 2, key
    for text in (t for value in own.values() for t in _strings(value)):
        assert not [word for word in BANNED[lang] if word in text.lower()], text
    if lang == "en":  # whichever variant comes up, /progress never names what wasn't done
        said = [
            t for key, value in own.items() if key.startswith("progress.") for t in _strings(value)
        ]
        assert not [t for t in said if any(word in t.lower() for word in NEVER_SAID)]


async def test_the_chart_is_drawn_off_the_event_loop() -> None:
    """While a chart draws, the bot keeps answering: the loop goes on ticking."""
    ticks = 0
    done = asyncio.Event()

    async def tick() -> None:
        nonlocal ticks
        while not done.is_set():
            ticks += 1
            await asyncio.sleep(0.005)

    weeks = [WeekCounts(f"{day} Nov", 3, 1, 2, 1) for day in range(1, 13)]
    labels = ChartText("Adherence by week", dict.fromkeys(SERIES, "x"))
    ticker = asyncio.create_task(tick())
    png = await render_weekly_chart(weeks, labels)
    done.set()
    await ticker
    assert png.startswith(PNG)
    assert ticks >= 3
