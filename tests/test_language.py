"""/language: anyone picks the bot's language; the choice beats the app's language
everywhere from then on: replies, enrolment, nudges, alerts and the command menu."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from bot.app import BotRuntime
from bot.clock import ManualClock
from bot.db.models import Client, PersonSetting, Therapist
from bot.sandbox.botapi import BotApiStub, buttons
from tests.conftest import THERAPIST_ID, RuntimeFactory, rows, variants
from tests.journeys import create_client, enrol_in, press_forged


async def chosen_languages(runtime: BotRuntime) -> dict[int, str | None]:
    async with runtime.db.transaction() as session:
        settings = await session.exec(select(PersonSetting))
        return {row.telegram_user_id: row.language for row in settings}


async def test_someone_new_chooses_spanish_and_everything_follows(
    stub: BotApiStub, start_bot: RuntimeFactory, clock: ManualClock
) -> None:
    runtime: BotRuntime = await start_bot()
    mia = stub.user(7001, "Mia", language_code="en")
    sent = await mia.send("/language")
    offer = await mia.wait_for("Which language shall I use with you?", after=sent.message_id)
    assert buttons(offer) == ["Deutsch", "✓ English", "Español"]
    await mia.press(offer, "Español")
    chosen = await mia.wait_for_edit(offer, "a partir de ahora te escribo en español")
    assert buttons(chosen) == []
    menu = next(
        call
        for call in stub.calls_to("setMyCommands")
        if call.params.get("scope") == {"type": "chat", "chat_id": mia.chat_id}
    )
    assert "Elegir mi idioma" in str(menu.params["commands"])
    sent = await mia.send("/help")
    await mia.wait_for("Esto es lo que puedo hacer", after=sent.message_id)
    await runtime.stop()  # the choice is in the database, not only in this process
    runtime = await start_bot()
    sent = await mia.send("/nada")
    await mia.wait_for("Esto es lo que puedo hacer", after=sent.message_id)

    # Her therapist's invite, then enrolment and nudges, all in Spanish.
    token = await create_client(stub.user(THERAPIST_ID, "Dana"), "Mia", [("Puente", "3 x 10")])
    _ask, confirmation = await enrol_in("es", mia, token, place="UTC", when="a las 9")
    assert "todos los días a las 09:00" in (confirmation.text or "")
    clock.set(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    nudge = await mia.wait_for("Puente: 3 x 10")
    assert buttons(nudge) == ["✅ Hecho", "🌗 Una parte", "⏰ Más tarde", "🌙 Hoy no"]
    assert [c.language for c in await rows(runtime, Client)] == ["es"]


async def test_a_chosen_language_beats_the_app_language_for_nudges_and_alerts(
    stub: BotApiStub, start_bot: RuntimeFactory, clock: ManualClock
) -> None:
    runtime: BotRuntime = await start_bot()
    dana = stub.user(THERAPIST_ID, "Dana", language_code="en")
    token = await create_client(dana, "Jonas", [("Brücke", "3 x 10")])
    jonas = stub.user(7002, "Jonas", language_code="de")
    await enrol_in("de", jonas, token, place="UTC", when="9 Uhr")

    sent = await jonas.send("/language")
    offer = await jonas.wait_for("In welcher Sprache", after=sent.message_id)
    assert buttons(offer) == ["✓ Deutsch", "English", "Español"]
    await jonas.press(offer, "English")
    await jonas.wait_for_edit(offer, "English from now on")
    sent = await dana.send("/language")
    offer = await dana.wait_for("Which language", after=sent.message_id)
    await dana.press(offer, "Deutsch")
    await dana.wait_for_edit(offer, "ab jetzt auf Deutsch")

    clock.set(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    nudge = await jonas.wait_for("Brücke: 3 x 10")
    assert variants("nudge.intro", "en")(nudge)
    assert buttons(nudge) == ["✅ Done", "🌗 Some of it", "⏰ Later", "🌙 Not today"]
    sent = await jonas.send("done")
    feeling = await jonas.wait_for("How did it feel?", after=sent.message_id)
    await jonas.press(feeling, "Painful")
    await jonas.wait_for("contact your clinic", after=feeling.message_id)
    await dana.wait_for("Jonas meldet Schmerzen")

    assert [c.language for c in await rows(runtime, Client)] == ["en"]
    assert [t.language for t in await rows(runtime, Therapist)] == ["de"]
    assert await chosen_languages(runtime) == {jonas.id: "en", dana.id: "de"}


async def test_an_apology_comes_in_the_chosen_language(
    stub: BotApiStub, runtime: BotRuntime
) -> None:
    ida = stub.user(7004, "Ida", language_code="de")
    sent = await ida.send("/language")
    offer = await ida.wait_for("In welcher Sprache", after=sent.message_id)
    await ida.press(offer, "Español")
    await ida.wait_for_edit(offer, "te escribo en español")
    stub.fail_next("sendMessage", status=400, chat_id=ida.chat_id)  # the answer to /help
    sent = await ida.send("/help")
    await ida.wait_for("Perdona, algo salió mal por mi parte", after=sent.message_id)


async def test_forged_language_buttons_change_nothing(
    stub: BotApiStub, runtime: BotRuntime
) -> None:
    ida = stub.user(7003, "Ida")
    sent = await ida.send("/language")
    offer = await ida.wait_for("Which language", after=sent.message_id)
    forged = ("g:xx", "g:", "g:es:zz", "g:EN", "g:es:s:s")
    answers = await press_forged(ida, offer, *forged)
    assert answers == ["That button has expired. Nothing changed."] * len(forged)
    assert await chosen_languages(runtime) == {}
