"""Reusable user journeys, written as a person would click through them."""

from __future__ import annotations

import re

from tests.botapi_stub import FakeUser

INVITE_RE = re.compile(r"https://t\.me/(\w+)\?start=([A-Za-z0-9_-]+)")


async def create_client(
    therapist: FakeUser,
    label: str,
    exercises: list[tuple[str, str]],
    *,
    times_per_week: int | None = None,
) -> str:
    """Run /newclient to the end and return the invite token."""
    sent = await therapist.send("/newclient")
    await therapist.wait_for("What name should I show you", after=sent.message_id)
    sent = await therapist.send(label)
    for index, (name, dose) in enumerate(exercises):
        await therapist.wait_for(f"name of exercise {index + 1}", after=sent.message_id)
        sent = await therapist.send(name)
        await therapist.wait_for(f'dose for "{name}"', after=sent.message_id)
        sent = await therapist.send(dose)
        added = await therapist.wait_for(f"Added: {name}", after=sent.message_id)
        button = "Add another exercise" if index + 1 < len(exercises) else "That's all"
        await therapist.press(added, button)
    question = await therapist.wait_for("How often", after=sent.message_id)
    if times_per_week is None:
        await therapist.press(question, "Every day")
    else:
        await therapist.press(question, "A few times a week")
        times = await therapist.wait_for("How many times a week", after=question.message_id)
        await therapist.press(times, f"{times_per_week} × a week")
    invite = await therapist.wait_for("Here is the invite", after=question.message_id)
    assert invite.caption is not None  # the link is the caption of its QR code
    match = INVITE_RE.search(invite.caption)
    assert match, invite.caption
    return match.group(2)


async def enrol(
    client: FakeUser,
    token: str,
    *,
    place: str,
    when: str,
    days: list[str] | None = None,
    therapist_name: str,
) -> str:
    """Open the invite, agree, and pick zone, time and days; returns the confirmation."""
    sent = await client.send(f"/start {token}")
    await client.wait_for(therapist_name, after=sent.message_id)
    consent = await client.wait_for("here is what I keep", after=sent.message_id)
    await client.press(consent, "Yes, that's fine")
    ask_zone = await client.wait_for("Which time zone", after=consent.message_id)
    sent = await client.send(place)
    ask_time = await client.wait_for("When would a nudge suit you", after=sent.message_id)
    assert ask_zone.message_id < ask_time.message_id
    if when.startswith("button:"):
        await client.press(ask_time, when.removeprefix("button:"))
        last = ask_time.message_id
    else:
        sent = await client.send(when)
        last = sent.message_id
    if days is not None:
        picker = await client.wait_for("Which days suit you", after=last)
        for day in days:
            await client.press(picker, day)
            await client.wait_for_edit(picker, lambda m, d=day: f"✓ {d}" in str(m.reply_markup))
        await client.press(picker, "That's it")
        last = picker.message_id
    confirmation = await client.wait_for("All set", after=last)
    assert confirmation.text is not None
    return confirmation.text


async def enrol_daily_at_nine_utc(therapist: FakeUser, client: FakeUser) -> None:
    """A client with one exercise (Bridge, 3 x 10), nudged every day at 09:00 UTC: the
    smallest set-up for tests about a single nudge ("Bridge: 3 x 10" in the chat)."""
    token = await create_client(therapist, client.first_name, [("Bridge", "3 x 10")])
    await enrol(client, token, place="UTC", when="9am", therapist_name=therapist.first_name)


async def add_therapist(admin: FakeUser, colleague: FakeUser) -> str:
    """An admin makes a therapist link with /addtherapist and the colleague opens it;
    returns the token (used up by then)."""
    sent = await admin.send("/addtherapist")
    message = await admin.wait_for("makes a colleague a therapist", after=sent.message_id)
    match = INVITE_RE.search(message.text or "")
    assert match, message.text
    sent = await colleague.send(f"/start {match.group(2)}")
    await colleague.wait_for(f"Welcome, {colleague.first_name}", after=sent.message_id)
    return match.group(2)
