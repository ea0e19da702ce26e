"""Steps of the routine builder, as a therapist clicks through them (tests of the builder,
templates and routine edits share them)."""

from __future__ import annotations

from bot.sandbox.botapi import FakeUser, StoredMessage


async def name_and_dose(dana: FakeUser, after: int, name: str, dose: str) -> StoredMessage:
    """Type one exercise's name and dose once asked; returns the notes-and-media question."""
    await dana.wait_for("name of exercise", after=after)
    sent = await dana.send(name)
    await dana.wait_for(f'dose for "{name}"', after=sent.message_id)
    sent = await dana.send(dose)
    return await dana.wait_for(f'Anything to add for "{name}"', after=sent.message_id)


async def how_often(
    dana: FakeUser, review: StoredMessage, button: str, times: int | None = None
) -> StoredMessage:
    """ "How often" on the review screen, then the answer; returns the new review."""
    await dana.press(review, "How often")
    question = await dana.wait_for("How often should", after=review.message_id)
    await dana.press(question, button)
    last = question
    if times is not None:
        last = await dana.wait_for("How many times a week", after=question.message_id)
        await dana.press(last, f"{times} × a week")
    return await dana.wait_for("How often:", after=last.message_id)
