"""A therapist's /settings: their own language, and only their own row, whatever data a
button carries; a therapist who is also a client still reaches their client settings.

End to end through the stub on both databases.
"""

from __future__ import annotations

from bot.app import BotRuntime
from bot.db.models import Therapist
from bot.sandbox.botapi import BotApiStub, FakeUser, StoredMessage, buttons
from tests.conftest import THERAPIST_ID, rows
from tests.journeys import add_therapist, create_client, enrol, press_forged

STALE = "That button has expired. Nothing changed."


async def _settings(person: FakeUser, title: str = "Your settings as a therapist") -> StoredMessage:
    sent = await person.send("/settings")
    return await person.wait_for(title, after=sent.message_id)


async def test_a_therapist_who_is_also_a_client_reaches_both_settings(
    stub: BotApiStub, runtime: BotRuntime
) -> None:
    dana, lee = stub.user(THERAPIST_ID, "Dana"), stub.user(2001, "Lee")
    await add_therapist(dana, lee)
    view = await _settings(lee)
    assert "My settings as a client" not in str(view.reply_markup)  # not a client (yet)
    token = await create_client(dana, "Lee (back)", [("Bridge", "3 x 10")])
    await enrol(lee, token, place="UTC", when="9am", therapist_name="Dana")

    view = await _settings(lee)
    await lee.press(view, "My settings as a client")
    await lee.wait_for_edit(view, "Gentle follow-up: on")
    await lee.press(view, "🔔 Follow-up: on")
    await lee.wait_for_edit(view, "Gentle follow-up: off")
    # /settings comes back to the therapist's own.
    await _settings(lee)


async def test_the_therapists_language_from_settings_edits_in_place(
    stub: BotApiStub, runtime: BotRuntime
) -> None:
    dana = stub.user(THERAPIST_ID, "Dana")
    await create_client(dana, "Ivy", [("Plank", "20 s")])
    view = await _settings(dana)
    await dana.press(view, "🌐 English")
    await dana.wait_for_edit(view, "Which language")
    await dana.press(view, "Deutsch")
    await dana.wait_for_edit(view, "Deine Einstellungen als Therapeut:in")
    [therapist] = await rows(runtime, Therapist)
    assert therapist.language == "de"
    await dana.press(view, "📋 Wochenüberblick: aus")
    await dana.wait_for_edit(view, "Wochenüberblick: an, jeden Montag um")


async def test_forged_settings_buttons_change_nothing_of_anyone_elses(
    stub: BotApiStub, runtime: BotRuntime
) -> None:
    dana, lee, ben = stub.user(THERAPIST_ID, "Dana"), stub.user(2001, "Lee"), stub.user(3001, "Ben")
    await add_therapist(dana, lee)
    await create_client(dana, "Ivy", [("Plank", "20 s")])

    # Someone who is no therapist: every settings button of a therapist is stale.
    sent = await ben.send("/help")
    message = await ben.wait_for("/help", after=sent.message_id)
    forged = ("Ts:d:on", "Ts:w:3", "Ts:g:de", "Ts:z", "Ts:t:0730", "Ts:l")
    assert await press_forged(ben, message, *forged) == [STALE] * len(forged)
    # A therapist's malformed or out-of-step presses change nothing either.
    view = await _settings(lee)
    garbage = ("Ts:w:9", "Ts:d:maybe", "Ts:g:xx", "Ts:z:5", "Ts:q", "Ts:t:2561")
    assert await press_forged(lee, view, *garbage) == [STALE] * len(garbage)
    # Lee's own presses change Lee's row only.
    assert await press_forged(lee, view, "Ts:d:on", "Ts:w:4") == ["Saved."] * 2
    people = {t.telegram_user_id: t for t in await rows(runtime, Therapist)}
    assert set(people) == {dana.id, lee.id}  # Ben got no therapist row
    assert (people[lee.id].digest_enabled, people[lee.id].digest_weekday) == (True, 4)
    assert (people[dana.id].digest_enabled, people[dana.id].digest_next_at) == (False, None)


async def test_the_therapists_zone_from_a_shared_location_or_one_of_several_places(
    stub: BotApiStub, runtime: BotRuntime
) -> None:
    dana = stub.user(THERAPIST_ID, "Dana")
    view = await _settings(dana)
    await dana.press(view, "🕓 Time zone: UTC")
    question = await dana.wait_for("Which time zone", after=view.message_id)
    assert "weekly digest" in question.body and "nudges" not in question.body  # not a client's
    shared = await dana.send_location(35.68, 139.69)  # Tokyo
    view = await dana.wait_for("Time zone: Asia/Tokyo", after=shared.message_id)
    assert question.message_id < view.message_id
    [therapist] = await rows(runtime, Therapist)
    assert therapist.timezone == "Asia/Tokyo"

    # "Valencia" is a city in Venezuela and in Spain: the places are offered as buttons.
    await dana.press(view, "🕓 Time zone: Asia/Tokyo")
    question = await dana.wait_for("Which time zone", after=view.message_id)
    sent = await dana.send("Valencia")
    places = await dana.wait_for(lambda m: "Europe/Madrid" in buttons(m), after=sent.message_id)
    assert buttons(places)[0] == "America/Caracas"  # the bigger namesake first
    await dana.press(places, "Europe/Madrid")
    await dana.wait_for("Time zone: Europe/Madrid", after=places.message_id)
    [therapist] = await rows(runtime, Therapist)
    assert therapist.timezone == "Europe/Madrid"
