"""Reusable user journeys, written as a person would click through them."""

from __future__ import annotations

import re

from bot.app import BotRuntime
from bot.db import clients
from bot.domain.types import Frequency
from bot.sandbox.botapi import FakeUser, StoredMessage, buttons
from bot.settings import REPO_ROOT
from bot.texts import Texts
from tests.conftest import variants

INVITE_RE = re.compile(r"https://t\.me/(\w+)\?start=([A-Za-z0-9_-]+)")


async def create_client(
    therapist: FakeUser,
    label: str,
    exercises: list[tuple[str, str]],
    *,
    times_per_week: int | None = None,
) -> str:
    """Run /newclient to the end (no notes or media, saved from the review) and return
    the invite token."""
    sent = await therapist.send("/newclient")
    first = await therapist.wait_for(
        lambda m: "What name should I show you" in m.body or "from scratch" in m.body,
        after=sent.message_id,
    )
    if "from scratch" in first.body:  # the therapist has templates
        await therapist.press(first, "From scratch")
        await therapist.wait_for("What name should I show you", after=first.message_id)
    sent = await therapist.send(label)
    for index, (name, dose) in enumerate(exercises):
        await therapist.wait_for(f"name of exercise {index + 1}", after=sent.message_id)
        sent = await therapist.send(name)
        await therapist.wait_for(f'dose for "{name}"', after=sent.message_id)
        sent = await therapist.send(dose)
        extras = await therapist.wait_for(f'Anything to add for "{name}"', after=sent.message_id)
        await therapist.press(extras, "Skip")
        added = await therapist.wait_for(f"Added: {name}", after=extras.message_id)
        button = "Add another exercise" if index + 1 < len(exercises) else "That's all"
        await therapist.press(added, button)
    question = await therapist.wait_for("How often", after=sent.message_id)
    if times_per_week is None:
        await therapist.press(question, "Every day")
    else:
        await therapist.press(question, "A few times a week")
        times = await therapist.wait_for("How many times a week", after=question.message_id)
        await therapist.press(times, f"{times_per_week} × a week")
    review = await therapist.wait_for(f"the routine for {label}", after=question.message_id)
    await therapist.press(review, "Save and make the invite")
    invite = await therapist.wait_for("Here is the invite", after=review.message_id)
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
        answer = await client.wait_for(lambda _m: True, after=last)
        proposed = [b for b in buttons(answer) if b.startswith("Yes, ")]
        if proposed:  # a part of the day ("morning"): take the time the bot proposes
            await client.press(answer, proposed[0])
            last = answer.message_id
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


async def create_client_in_store(
    runtime: BotRuntime,
    therapist: FakeUser,
    label: str,
    exercises: list[tuple[str, str]],
    frequency: Frequency,
    times_per_week: int | None = None,
) -> str:
    """A routine the /newclient builder cannot make yet (twice a day), written through the
    store as the builder would; returns the invite token."""
    now = runtime.clock.now()
    async with runtime.db.transaction() as session:
        owner = await clients.ensure_therapist(
            session, therapist.id, therapist.first_name, "en", now
        )
        _client, _invite, token = await clients.create_client_with_invite(
            session,
            owner,
            label,
            [clients.ExerciseSpec(name, dose) for name, dose in exercises],
            frequency,
            times_per_week,
            now,
            runtime.settings.invite_ttl,
        )
    return token


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


async def enrol_in(
    lang: str, client: FakeUser, token: str, *, place: str, when: str
) -> tuple[StoredMessage, StoredMessage]:
    """The daily enrolment in another language, each step known by that language's copy;
    returns the time question (with its slot buttons) and the confirmation. A part of
    the day ("mañana") gets a proposed time, which is taken."""
    texts = Texts.load(REPO_ROOT / "config")
    sent = await client.send(f"/start {token}")
    consent = await client.wait_for(variants("start.consent", lang), after=sent.message_id)
    await client.press(consent, texts.get(lang, "buttons.agree"))
    await client.wait_for(variants("timing.ask_timezone", lang), after=consent.message_id)
    sent = await client.send(place)
    ask_time = await client.wait_for(variants("timing.ask_time", lang), after=sent.message_id)
    sent = await client.send(when)
    answer = await client.wait_for(lambda _m: True, after=sent.message_id)
    yes = texts.get(lang, "buttons.time_yes", time="")
    proposed = [b for b in buttons(answer) if b.startswith(yes)]
    if proposed:
        await client.press(answer, proposed[0])
    confirmation = await client.wait_for(
        variants("enrol.confirm_daily", lang), after=sent.message_id
    )
    return ask_time, confirmation


async def press_forged(user: FakeUser, message: StoredMessage, *data: str) -> list[str | None]:
    """Press made-up callback data on a message, one at a time; the bot's answer to each."""
    return [(await user.wait_for_answer(await user.press_data(message, d))).text for d in data]
