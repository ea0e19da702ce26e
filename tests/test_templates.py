"""Templates: save a routine under a name, start a new client from it, rename and delete
it in /templates; and two therapists never see or change each other's."""

from __future__ import annotations

from bot.app import BotRuntime
from bot.db.models import Client, Exercise, Routine, RoutineTemplate
from bot.sandbox.botapi import BotApiStub, FakeUser, StoredMessage, buttons
from tests.builder_journeys import name_and_dose
from tests.conftest import THERAPIST_ID, rows
from tests.journeys import add_therapist, create_client, enrol, press_forged

STALE = "That button has expired. Nothing changed."


async def save_with_template(dana: FakeUser, label: str, name: str) -> StoredMessage:
    """/newclient with Bridge and Plank, a few times a week, kept as template `name`;
    returns the invite."""
    sent = await dana.send("/newclient")
    first = await dana.wait_for(
        lambda m: "What name" in m.body or "scratch" in m.body, after=sent.message_id
    )
    if "scratch" in first.body:
        await dana.press(first, "From scratch")
    await dana.wait_for("What name should I show you", after=sent.message_id)
    sent = await dana.send(label)
    for index, (exercise, dose) in enumerate((("Bridge", "3 x 10"), ("Plank", "20 s"))):
        extras = await name_and_dose(dana, sent.message_id, exercise, dose)
        if index == 0:
            sent = await dana.send("Keep your back flat.")
            extras = await dana.wait_for("Notes kept", after=sent.message_id)
            await dana.press(extras, "Done")
        else:
            await dana.press(extras, "Skip")
        added = await dana.wait_for(f"Added: {exercise}", after=extras.message_id)
        await dana.press(added, "That's all" if index else "Add another exercise")
    question = await dana.wait_for("How often", after=extras.message_id)
    await dana.press(question, "A few times a week")
    times = await dana.wait_for("How many times a week", after=question.message_id)
    await dana.press(times, "3 × a week")
    review = await dana.wait_for("the routine for", after=times.message_id)
    await dana.press(review, "Save as template")
    ask = await dana.wait_for("What should this template be called", after=review.message_id)
    sent = await dana.send(name)
    await dana.wait_for(f'Saved as the template "{name}"', after=sent.message_id)
    review = await dana.wait_for("the routine for", after=sent.message_id)
    assert ask.message_id < review.message_id
    await dana.press(review, "Save and make the invite")
    return await dana.wait_for("Here is the invite", after=review.message_id)


async def test_save_start_from_rename_and_delete_a_template(
    stub: BotApiStub, runtime: BotRuntime
) -> None:
    dana = stub.user(THERAPIST_ID, "Dana")
    sent = await dana.send("/templates")
    await dana.wait_for("no templates yet", after=sent.message_id)
    await save_with_template(dana, "Anna", "Knee, week 1")

    # A new client from the template: only the label is asked, then the review.
    sent = await dana.send("/newclient")
    choice = await dana.wait_for("from one of your templates", after=sent.message_id)
    assert buttons(choice) == ["From scratch", 'From "Knee, week 1"']
    await dana.press(choice, 'From "Knee, week 1"')
    await dana.wait_for("What name should I show you", after=choice.message_id)
    sent = await dana.send("Ben")
    review = await dana.wait_for("the routine for Ben", after=sent.message_id)
    assert "1. Bridge: 3 x 10 📝\n2. Plank: 20 s" in review.body
    assert "How often: 3 times a week" in review.body
    await dana.press(review, "Save and make the invite")
    await dana.wait_for("Here is the invite", after=review.message_id)
    _anna, ben_routine = await rows(runtime, Routine)
    assert (ben_routine.frequency, ben_routine.times_per_week) == ("weekly", 3)
    bens = [e for e in await rows(runtime, Exercise) if e.routine_id == ben_routine.id]
    assert [(e.name, e.dose, e.notes) for e in bens] == [
        ("Bridge", "3 x 10", "Keep your back flat."),
        ("Plank", "20 s", None),
    ]

    # The client's name typed instead of a tap is kept, and the question asked for them.
    sent = await dana.send("/newclient")
    choice = await dana.wait_for("from one of your templates", after=sent.message_id)
    sent = await dana.send("Cleo (hip)")
    again = await dana.wait_for("Cleo (hip): start from scratch", after=sent.message_id)
    assert buttons(again) == ["From scratch", 'From "Knee, week 1"']
    await dana.press(again, 'From "Knee, week 1"')
    review = await dana.wait_for("the routine for Cleo (hip)", after=again.message_id)
    assert "1. Bridge: 3 x 10 📝\n2. Plank: 20 s" in review.body
    sent = await dana.send("/newclient")
    choice = await dana.wait_for("from one of your templates", after=sent.message_id)
    sent = await dana.send("Dev")
    again = await dana.wait_for("Dev: start from scratch", after=sent.message_id)
    await dana.press(again, "From scratch")
    await dana.wait_for("name of exercise 1", after=again.message_id)
    await dana.send("/cancel")

    # /templates: rename, then delete (asked first, the list edited in place).
    sent = await dana.send("/templates")
    listing = await dana.wait_for("Your templates", after=sent.message_id)
    assert "1. Knee, week 1 (2 exercises)" in listing.body
    await dana.press(listing, "Rename 1")
    ask = await dana.wait_for('What should "Knee, week 1" be called now', after=listing.message_id)
    sent = await dana.send("Knee basics")
    await dana.wait_for('Renamed to "Knee basics"', after=sent.message_id)
    listing = await dana.wait_for("1. Knee basics (2 exercises)", after=ask.message_id)
    await dana.press(listing, "Delete 1")
    listing = await dana.wait_for_edit(listing, 'Delete the template "Knee basics"?')
    await dana.press(listing, "Keep it")
    listing = await dana.wait_for_edit(listing, "1. Knee basics")
    await dana.press(listing, "Delete 1")
    listing = await dana.wait_for_edit(listing, "Delete the template")
    await dana.press(listing, "Yes, delete it")
    await dana.wait_for_edit(listing, "no templates yet")
    assert await rows(runtime, RoutineTemplate) == []
    assert len(await rows(runtime, Exercise)) == 4  # the clients keep their routines
    sent = await dana.send("/newclient")
    await dana.wait_for("What name should I show you", after=sent.message_id)


async def test_two_therapists_never_see_or_change_each_others_templates_or_routines(
    stub: BotApiStub, runtime: BotRuntime
) -> None:
    dana, lee = stub.user(THERAPIST_ID, "Dana"), stub.user(2001, "Lee")
    await add_therapist(dana, lee)
    await save_with_template(lee, "Kim", "Lee's knee plan")
    (kim,) = await rows(runtime, Client)
    (template,) = await rows(runtime, RoutineTemplate)
    missing = 10_000 + template.id + (kim.id or 0)
    token = await create_client(dana, "Ann", [("Squat", "3 x 8")])
    await enrol(stub.user(4002, "Ann"), token, place="UTC", when="9am", therapist_name="Dana")

    sent = await dana.send("/templates")
    listing = await dana.wait_for("no templates yet", after=sent.message_id)
    forged = [
        f"Tt:r:{template.id}",
        f"Tt:d:{template.id}",
        f"Tt:y:{template.id}",
        f"Tt:n:{template.id}",
        f"n:t:{template.id}",
        f"Te:{kim.id}",
        f"Tt:y:{missing}",
        f"Te:{missing}",
        "Tb:v",
        "Tb:x:1",
        "Tt:y",
        "Te:1:2",
    ]
    assert await press_forged(dana, listing, *forged) == [STALE] * len(forged)
    # A client (or anyone) pressing them changes nothing either.
    ann = stub.user(4002, "Ann")
    sent = await ann.send("/help")
    helped = await ann.wait_for("/help", after=sent.message_id)
    assert await press_forged(ann, helped, *forged[:6]) == [STALE] * 6
    sent = await dana.send("/newclient")  # Lee's template is not offered to Dana
    await dana.wait_for("What name should I show you", after=sent.message_id)
    await dana.send("/cancel")

    (still,) = await rows(runtime, RoutineTemplate)
    assert (still.name, still.therapist_id) == ("Lee's knee plan", template.therapist_id)
    kims = next(r for r in await rows(runtime, Routine) if r.client_id == kim.id)
    assert kims.version == 1
    assert "Ann" not in str(listing.reply_markup)
