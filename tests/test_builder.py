"""The routine builder (/newclient): notes and a photo or video per exercise, the review
screen edited in place, and what the client then sees with the exercise."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.app import BotRuntime
from bot.clock import ManualClock
from bot.db.models import Exercise, Routine
from bot.sandbox.botapi import BotApiStub, FakeUser, buttons
from tests.builder_journeys import name_and_dose
from tests.conftest import THERAPIST_ID, rows
from tests.journeys import enrol
from tests.test_routine import file_id

MONDAY_NINE = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


async def next_one(dana: FakeUser, after: int, name: str, button: str) -> int:
    added = await dana.wait_for(f"Added: {name}", after=after)
    await dana.press(added, button)
    return added.message_id


async def test_build_with_a_photo_and_notes_review_in_place_and_the_client_sees_it(
    stub: BotApiStub, runtime: BotRuntime, clock: ManualClock
) -> None:
    dana, anna = stub.user(THERAPIST_ID, "Dana"), stub.user(2301, "Anna")
    sent = await dana.send("/newclient")
    await dana.wait_for("What name should I show you", after=sent.message_id)
    sent = await dana.send("Anna (knee)")
    await dana.wait_for("name of exercise 1", after=sent.message_id)
    # A photo at the name step: the builder's answer, never the client's hint.
    early = await dana.send_photo()
    answer = await dana.wait_for(lambda _m: True, after=early.message_id)
    assert "right after an exercise's dose" in answer.body
    assert "exercise's name" in answer.body and '"done"' not in answer.body
    sticker = await dana.send_sticker()
    answer = await dana.wait_for(lambda _m: True, after=sticker.message_id)
    assert answer.body.startswith("I need text at this step.")

    # 1: a photo with a caption (the caption becomes the notes).
    extras = await name_and_dose(dana, sent.message_id, "Bridge", "3 x 10")
    photo = await dana.send_photo(caption="Keep your back flat.")
    kept = await dana.wait_for("Photo kept", after=photo.message_id)
    await dana.press(kept, "Done")
    after = await next_one(dana, kept.message_id, "Bridge", "Add another exercise")
    # 2: notes only.
    extras = await name_and_dose(dana, after, "Calf stretch", "hold 30 s x 3")
    sent = await dana.send("Slow and gentle.")
    kept = await dana.wait_for("Notes kept", after=sent.message_id)
    await dana.press(kept, "Done")
    after = await next_one(dana, kept.message_id, "Calf stretch", "Add another exercise")
    # 3: a video; 4: nothing (Skip).
    extras = await name_and_dose(dana, after, "Wall push-up", "2 x 12")
    video = await dana.send_video()
    kept = await dana.wait_for("Video kept", after=video.message_id)
    await dana.press(kept, "Done")
    after = await next_one(dana, kept.message_id, "Wall push-up", "Add another exercise")
    extras = await name_and_dose(dana, after, "Squat", "2 x 8")
    await dana.press(extras, "Skip")
    after = await next_one(dana, extras.message_id, "Squat", "That's all")
    question = await dana.wait_for("How often", after=after)
    assert buttons(question) == ["Every day", "Twice a day", "A few times a week"]
    await dana.press(question, "Every day")

    review = await dana.wait_for("the routine for Anna (knee)", after=question.message_id)
    assert [
        line for line in (review.text or "").splitlines() if line[:2] in ("1.", "2.", "3.", "4.")
    ] == [
        "1. Bridge: 3 x 10 📝 📷",
        "2. Calf stretch: hold 30 s x 3 📝",
        "3. Wall push-up: 2 x 12 🎬",
        "4. Squat: 2 x 8",
    ]
    assert "How often: every day" in review.body
    # Moves and removals edit the review in place.
    await dana.press(review, "↑ 3")
    review = await dana.wait_for_edit(review, "2. Wall push-up: 2 x 12 🎬\n3. Calf stretch")
    await dana.press(review, "✖️ 4")
    review = await dana.wait_for_edit(review, lambda m: "Squat" not in m.body)
    assert review.edits == 2 and len(review.body) < 4096
    # Edit one: keep the name, a new dose, keep the notes.
    await dana.press(review, "✏️ 3")
    ask = await dana.wait_for('Exercise 3 is "Calf stretch"', after=review.message_id)
    await dana.press(ask, 'Keep "Calf stretch"')
    sent = await dana.send("hold 45 s x 3")
    extras = await dana.wait_for('Anything to add for "Calf stretch"', after=sent.message_id)
    await dana.press(extras, "Keep notes and media as they are")
    review = await dana.wait_for("the routine for Anna (knee)", after=extras.message_id)
    assert "3. Calf stretch: hold 45 s x 3 📝" in review.body
    await dana.press(review, "Save and make the invite")
    invite = await dana.wait_for("Here is the invite", after=review.message_id)
    token = (invite.caption or "").split("start=")[1].split()[0]

    assert len(await rows(runtime, Routine)) == 1
    stored = [(e.position, e.name, e.notes, e.media_kind) for e in await rows(runtime, Exercise)]
    assert sorted(stored) == [
        (1, "Bridge", "Keep your back flat.", "photo"),
        (2, "Wall push-up", None, "video"),
        (3, "Calf stretch", "Slow and gentle.", None),
    ]

    # The client who enrols sees the very photo with the exercise ("Show me").
    await enrol(anna, token, place="UTC", when="9am", therapist_name="Dana")
    clock.set(MONDAY_NINE)
    nudge = await anna.wait_for("Bridge: 3 x 10")
    assert "▶️ Show me: Bridge" in buttons(nudge)
    await anna.press(nudge, "▶️ Show me: Bridge")
    shown = await anna.wait_for(lambda m: "photo" in m.content, after=nudge.message_id)
    assert file_id(shown, "photo") == file_id(photo, "photo")
    await anna.press(nudge, "▶️ Show me: Wall push-up")
    shown = await anna.wait_for(lambda m: "video" in m.content, after=nudge.message_id)
    assert file_id(shown, "video") == file_id(video, "video")
    sent = await anna.send("/routine")
    listing = await anna.wait_for("1. Bridge: 3 x 10 📷", after=sent.message_id)
    assert "📝 Slow and gentle." in listing.body


async def test_twice_a_day_and_wrong_things_at_the_notes_step(
    stub: BotApiStub, runtime: BotRuntime
) -> None:
    dana = stub.user(THERAPIST_ID, "Dana")
    sent = await dana.send("/newclient")
    await dana.wait_for("What name should I show you", after=sent.message_id)
    sent = await dana.send("Ola")
    extras = await name_and_dose(dana, sent.message_id, "Lunge", "2 x 10")
    sticker = await dana.send_sticker()
    answer = await dana.wait_for("text notes, a photo or a video", after=sticker.message_id)
    await dana.press(answer, "Skip")
    after = await next_one(dana, answer.message_id, "Lunge", "That's all")
    question = await dana.wait_for("How often", after=after)
    await dana.press(question, "Twice a day")
    review = await dana.wait_for("How often: twice a day", after=question.message_id)
    sent = await dana.send("save")
    await dana.wait_for("use the buttons under the list", after=sent.message_id)
    location = await dana.send_location(51.5, -0.1)
    await dana.wait_for("edit an exercise to add a photo", after=location.message_id)
    assert extras.message_id < review.message_id
    await dana.press(review, "Save and make the invite")
    await dana.wait_for("Here is the invite", after=review.message_id)
    (routine,) = await rows(runtime, Routine)
    assert routine.frequency == "twice_daily" and routine.times_per_week is None
