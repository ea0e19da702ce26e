"""A client whose Telegram speaks Spanish gets the whole journey in Spanish, and
Spanish times and answers are read as a Spanish speaker types them."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from bot.app import BotRuntime
from bot.clock import ManualClock
from bot.db.models import Nudge
from bot.domain.replies import parse_reply
from bot.domain.timeparse import read_time_of_day
from bot.sandbox.botapi import BotApiStub, buttons
from bot.settings import REPO_ROOT
from bot.texts import Texts
from tests.conftest import THERAPIST_ID, RuntimeFactory, rows, variants
from tests.journeys import create_client, enrol_in

TEXTS = Texts.load(REPO_ROOT / "config")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("mañana", time(8, 0)),  # the morning, not tomorrow
        ("manana", time(8, 0)),  # phones often drop the ñ
        ("por la mañana", time(8, 0)),
        ("mediodía", time(13, 0)),
        ("tarde", time(19, 0)),
        ("Por la tarde", time(19, 0)),
        ("noche", time(21, 0)),
        ("por la noche", time(21, 0)),
        ("después de comer", time(15, 30)),
        ("a las 7", time(7, 0)),
        ("A las 19:30", time(19, 30)),
        ("19:30", time(19, 30)),
        ("19.30", time(19, 30)),
        ("19 h", time(19, 0)),
        ("20 horas", time(20, 0)),
        ("7 de la tarde", time(19, 0)),
        ("a las 7 de la tarde", time(19, 0)),
        ("8 de la mañana", time(8, 0)),
        ("10 de la noche", time(22, 0)),
        ("a las 7 y media de la tarde", time(19, 30)),
        ("7 y cuarto", time(7, 15)),
        ("19 de la tarde", time(19, 0)),  # already 24-hour, and the day part agrees
        ("a las 9 en punto", time(9, 0)),
        ("7pm", time(19, 0)),
        ("19 de la mañana", None),  # the day part contradicts the hour
        ("pasado mañana", None),
        ("a las", None),
        ("de la tarde", None),
        ("25:00", None),
    ],
)
def test_spanish_typed_times(typed: str, expected: time | None) -> None:
    assert read_time_of_day(typed, TEXTS.time_vocabulary("es")) == expected


@pytest.mark.parametrize(
    ("typed", "kind"),
    [
        ("hecho", "done"),
        ("¡Hecho!", "done"),
        ("listo", "done"),
        ("Ya está", "done"),
        ("ya esta", "done"),
        ("✅", "done"),
        ("un poco", "some"),
        ("solo un poco", "some"),
        ("más tarde", "later"),
        ("mas tarde", "later"),
        ("luego", "later"),
        ("hoy no", "not_today"),
        ("Hoy no, gracias", "not_today"),
        ("mañana", "not_today"),  # as an answer to a nudge: "tomorrow"
        ("saltar", "skipped"),
        ("done", "done"),  # the default language's words work too
        ("tal vez", None),
    ],
)
def test_spanish_typed_answers(typed: str, kind: str | None) -> None:
    assert parse_reply(typed, TEXTS.reply_words("es")) == kind


def test_spanish_clock_and_weekdays() -> None:
    assert TEXTS.format_time("es", time(19, 30)) == "19:30"
    assert TEXTS.format_weekdays("es", [0, 2, 4]) == "lun, mié y vie"
    assert TEXTS.slot_times("es")["evening"] == time(19, 0)


async def test_spanish_client_enrols_and_answers_in_spanish(
    stub: BotApiStub, start_bot: RuntimeFactory, clock: ManualClock
) -> None:
    runtime: BotRuntime = await start_bot()
    menus = {c.params.get("language_code", ""): c for c in stub.calls_to("setMyCommands")}
    assert set(menus) == {"", "de", "es"}
    assert "Lo que puedo hacer" in str(menus["es"].params["commands"])
    assert "Elegir mi idioma" in str(menus["es"].params["commands"])
    therapist = stub.user(THERAPIST_ID, "Dana")
    token = await create_client(therapist, "Lucía", [("Puente", "3 x 10"), ("Gemelos", "30 s x 3")])
    lucia = stub.user(9201, "Lucía", language_code="es-MX")

    ask, confirmation = await enrol_in(
        "es", lucia, token, place="Madrid", when="a las 7 y media de la tarde"
    )
    await lucia.wait_for("Hola Lucía")
    assert buttons(ask) == ["Por la mañana (08:00)", "A mediodía (13:00)", "Por la tarde (19:00)"]
    assert "todos los días a las 19:30 (hora de Europe/Madrid), a partir de hoy" in (
        confirmation.text or ""
    )
    await therapist.wait_for("Lucía joined")

    # Day 1, 19:30 in Madrid: the nudge, answered "¡Ya está!".
    clock.set(datetime(2026, 11, 23, 18, 30, tzinfo=UTC))
    nudge = await lucia.wait_for("Puente: 3 x 10")
    assert "2. Gemelos: 30 s x 3" in (nudge.text or "")
    assert any(v.split("{")[0] in (nudge.text or "") for v in TEXTS.variants("es", "nudge.outro"))
    assert buttons(nudge) == ["✅ Hecho", "🌗 Una parte", "⏰ Más tarde", "🌙 Hoy no"]
    sent = await lucia.send("¡Ya está!")
    thanks = await lucia.wait_for("¿Cómo te sentiste?", after=sent.message_id)
    assert variants("reply.done", "es")(thanks)
    assert buttons(thanks) == ["Fácil", "Bien", "Difícil", "Con dolor"]
    await lucia.press(thanks, "Con dolor")
    await lucia.wait_for(variants("answers.painful_heard", "es"), after=thanks.message_id)
    await therapist.wait_for("Lucía reported pain")

    # Day 2: "más tarde", then the one re-nudge an hour later, answered "hoy no".
    clock.set(datetime(2026, 11, 24, 18, 30, tzinfo=UTC))
    nudge = await lucia.wait_for("Puente: 3 x 10", after=nudge.message_id)
    sent = await lucia.send("más tarde")
    offer = await lucia.wait_for(variants("reply.later", "es"), after=sent.message_id)
    assert buttons(offer) == ["Dentro de una hora", "Elegir una hora", "No hace falta recordármelo"]
    await lucia.press(offer, "Dentro de una hora")
    await lucia.wait_for("20:30", after=offer.message_id)
    clock.advance(timedelta(hours=1))
    renudge = await lucia.wait_for(variants("nudge.renudge_intro", "es"), after=offer.message_id)
    sent = await lucia.send("hoy no")
    await lucia.wait_for(variants("reply.not_today", "es"), after=sent.message_id)
    assert renudge.message_id < sent.message_id

    # Day 3: "un poco".
    clock.set(datetime(2026, 11, 25, 18, 30, tzinfo=UTC))
    await lucia.wait_for("Puente: 3 x 10", after=sent.message_id)
    sent = await lucia.send("un poco")
    await lucia.wait_for(variants("reply.some", "es"), after=sent.message_id)
    outcomes = [n.outcome for n in await rows(runtime, Nudge)]
    assert outcomes == ["done", "not_today", "some"]
