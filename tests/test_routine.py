"""/routine and "Show me": the exercises with doses, notes, photos and videos.

The therapist's builder for media is another issue, so the media go in through the
store (a Telegram file id, as the builder will keep it); the stub accepts any file
id it is sent, as Telegram does for one it issued.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.app import BotRuntime
from bot.clock import ManualClock
from bot.db import media
from bot.db.models import Exercise, Nudge, Reply
from bot.domain.types import MediaKind
from bot.sandbox.botapi import BotApiStub, FakeUser, StoredMessage, buttons
from tests.conftest import THERAPIST_ID, rows
from tests.journeys import create_client, enrol

ANSWERS = ["✅ Done", "🌗 Some of it", "⏰ Later", "🌙 Not today"]
STALE = "That button has expired. Nothing changed."
MONDAY_NINE = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


async def enrol_anna(stub: BotApiStub, runtime: BotRuntime) -> tuple[FakeUser, dict[str, int]]:
    """Anna's routine of three: Bridge with a photo and a note, Calf stretch with a
    video, Wall push-up with a note only. Returns her and the exercise ids by name."""
    therapist = stub.user(THERAPIST_ID, "Dana")
    anna = stub.user(2201, "Anna")
    exercises = [
        ("Bridge", "3 x 10"),
        ("Calf stretch", "hold 30 s x 3"),
        ("Wall push-up", "2 x 12"),
    ]
    token = await create_client(therapist, "Anna (knee)", exercises)
    await enrol(anna, token, place="UTC", when="9am", therapist_name="Dana")
    ids = {e.name: e.id for e in await rows(runtime, Exercise) if e.id is not None}
    notes = {"Bridge": "Keep your back flat.", "Wall push-up": "Elbows close to your body."}
    async with runtime.db.transaction() as session:
        await media.attach(session, ids["Bridge"], "therapist-photo-bridge", MediaKind.PHOTO)
        await media.attach(session, ids["Calf stretch"], "therapist-video-calf", MediaKind.VIDEO)
        for name, note in notes.items():
            exercise = await session.get(Exercise, ids[name])
            assert exercise is not None
            exercise.notes = note
            session.add(exercise)
    return anna, ids


def file_id(message: StoredMessage, kind: str) -> str:
    content = message.content.get(kind)
    assert content, f"no {kind} in {message.describe()}"
    return str((content[-1] if isinstance(content, list) else content)["file_id"])


async def test_routine_shows_doses_notes_photos_and_videos(
    stub: BotApiStub, runtime: BotRuntime
) -> None:
    anna, _ids = await enrol_anna(stub, runtime)
    sent = await anna.send("/routine")
    listing = await anna.wait_for("1. Bridge: 3 x 10 📷", after=sent.message_id)
    lines = (listing.text or "").splitlines()
    assert "Dana" in lines[0]
    assert "2. Calf stretch: hold 30 s x 3 🎬" in lines
    assert "3. Wall push-up: 2 x 12" in lines
    assert lines.index("     📝 Keep your back flat.") == lines.index("1. Bridge: 3 x 10 📷") + 1
    assert "     📝 Elbows close to your body." in lines
    photo = await anna.wait_for(lambda m: "photo" in m.content, after=listing.message_id)
    assert file_id(photo, "photo") == "therapist-photo-bridge"
    assert photo.caption == "Bridge: 3 x 10\nKeep your back flat."
    video = await anna.wait_for(lambda m: "video" in m.content, after=listing.message_id)
    assert file_id(video, "video") == "therapist-video-calf"
    assert video.caption == "Calf stretch: hold 30 s x 3"
    assert photo.message_id < video.message_id

    stranger = stub.user(2299, "Sam")
    sent = await stranger.send("/routine")
    await stranger.wait_for("once you've joined", after=sent.message_id)


async def test_show_me_on_the_nudge_and_forged_presses_change_nothing(
    stub: BotApiStub, runtime: BotRuntime, clock: ManualClock
) -> None:
    anna, ids = await enrol_anna(stub, runtime)
    ben = stub.user(2202, "Ben")
    token = await create_client(stub.user(THERAPIST_ID, "Dana"), "Ben", [("Squat", "2 x 8")])
    await enrol(ben, token, place="UTC", when="9am", therapist_name="Dana")

    clock.set(MONDAY_NINE)
    nudge = await anna.wait_for("Bridge: 3 x 10")
    assert buttons(nudge) == [*ANSWERS, "▶️ Show me: Bridge", "▶️ Show me: Calf stretch"]
    exercise_lines = [
        line for line in (nudge.text or "").splitlines() if line[:2] in ("1.", "2.", "3.")
    ]
    assert exercise_lines == [
        "1. Bridge: 3 x 10",
        "2. Calf stretch: hold 30 s x 3",
        "3. Wall push-up: 2 x 12",
    ]
    assert "Keep your back flat" not in (nudge.text or "")  # notes live in /routine

    query = await anna.press(nudge, "▶️ Show me: Calf stretch")
    video = await anna.wait_for(lambda m: "video" in m.content, after=nudge.message_id)
    assert file_id(video, "video") == "therapist-video-calf"
    assert video.caption == "Calf stretch: hold 30 s x 3"
    assert (await anna.wait_for_answer(query)).text is None
    assert nudge.edits == 0 and len(buttons(nudge)) == 6  # the nudge keeps its buttons

    # Ben's own nudge has no media buttons; data naming Anna's exercise, an exercise
    # without media, or one that doesn't exist gets one and the same answer.
    bens = await ben.wait_for("Squat: 2 x 8")
    assert buttons(bens) == ANSWERS
    for data in (f"o:{ids['Bridge']}", f"o:{ids['Wall push-up']}", "o:987654", "o:x"):
        query = await ben.press_data(bens, data)
        assert (await ben.wait_for_answer(query)).text == STALE
    assert await ben.wait_quiet(0.3) == []
    assert not [m for m in ben.messages if m.content]
    assert buttons(ben.messages[-1]) == ANSWERS and ben.messages[-1].edits == 0
    assert [n.outcome for n in await rows(runtime, Nudge)] == [None, None]
    assert await rows(runtime, Reply) == []

    # The Bridge photo, then Done: answering works as before and takes all buttons away.
    await anna.press(nudge, "▶️ Show me: Bridge")
    photo = await anna.wait_for(lambda m: "photo" in m.content, after=video.message_id)
    assert file_id(photo, "photo") == "therapist-photo-bridge"
    assert photo.caption == "Bridge: 3 x 10"
    await anna.press(nudge, "Done")
    await anna.wait_for_edit(nudge, "Done. Noted.")
