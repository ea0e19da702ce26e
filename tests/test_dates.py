"""Typed days for "pause until a date", in three languages: what they mean, and what is refused."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.dates import DateProblem, check_resume_date, parse_date
from bot.flows.pause import date_words
from bot.settings import REPO_ROOT
from bot.texts import Texts

TEXTS = Texts.load(REPO_ROOT / "config")
TODAY = date(2026, 11, 23)  # a Monday


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("en", "12 Dec", date(2026, 12, 12)),
        ("en", "Dec 12", date(2026, 12, 12)),
        ("en", "until the 12th of December", date(2026, 12, 12)),
        ("en", "December 12th, 2027", date(2027, 12, 12)),
        ("en", "2026-12-12", date(2026, 12, 12)),
        ("en", "12.12.", date(2026, 12, 12)),
        ("en", "12.12.2026", date(2026, 12, 12)),
        ("en", "12.12.26", date(2026, 12, 12)),
        ("en", "12/25", date(2026, 12, 25)),
        ("en", "25/12", date(2026, 12, 25)),
        ("en", "next monday", date(2026, 11, 30)),
        ("en", "Monday", date(2026, 11, 30)),  # today is Monday: the next one
        ("en", "on Friday", date(2026, 11, 27)),
        ("en", "tomorrow", date(2026, 11, 24)),
        ("en", "day after tomorrow", date(2026, 11, 25)),
        ("en", "in 3 days", date(2026, 11, 26)),
        ("en", "in a week", date(2026, 11, 30)),
        ("en", "two weeks", date(2026, 12, 7)),
        ("en", "the 15th", date(2026, 12, 15)),  # this month's 15th has passed
        ("en", "30", date(2026, 11, 30)),
        ("en", "10 Jan", date(2027, 1, 10)),  # far behind this year: next year's
        ("en", "20 Nov", date(2026, 11, 20)),  # just gone: stays, and is refused below
        ("en", "ＤＥＣ　１２", date(2026, 12, 12)),  # full-width typing
        ("de", "12. Dezember", date(2026, 12, 12)),
        ("de", "bis zum 3. März", date(2027, 3, 3)),
        ("de", "3. maerz 2027", date(2027, 3, 3)),
        ("de", "nächsten Montag", date(2026, 11, 30)),
        ("de", "am Freitag", date(2026, 11, 27)),
        ("de", "übermorgen", date(2026, 11, 25)),
        ("de", "in zwei Wochen", date(2026, 12, 7)),
        ("de", "next monday", date(2026, 11, 30)),  # English works for everyone
        ("es", "12 de diciembre", date(2026, 12, 12)),
        ("es", "hasta el 12 de dic", date(2026, 12, 12)),
        ("es", "el próximo lunes", date(2026, 11, 30)),
        ("es", "el lunes que viene", date(2026, 11, 30)),
        ("es", "el sabado", date(2026, 11, 28)),  # without the accent
        ("es", "pasado mañana", date(2026, 11, 25)),
        ("es", "en 2 semanas", date(2026, 12, 7)),
        ("es", "dentro de una semana", date(2026, 11, 30)),
        ("es", "1º de enero", date(2027, 1, 1)),
    ],
)
def test_days_people_type(lang: str, text: str, expected: date) -> None:
    assert parse_date(text, TODAY, date_words(TEXTS, lang)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "soon",
        "3/4",  # March 4th or 3 April: refused rather than guessed
        "31 Feb",
        "32 Dec",
        "2026-13-01",
        "12 13",
        "Dec",
        "in 0 days",
        "next blursday",
        "12 Dec " + "x" * 60,
    ],
)
def test_what_is_not_a_day(text: str) -> None:
    assert parse_date(text, TODAY, date_words(TEXTS, "en")) is None


def test_a_resume_day_is_after_today_and_within_a_year() -> None:
    assert check_resume_date(date(2026, 11, 24), TODAY) is None
    assert check_resume_date(TODAY, TODAY) is DateProblem.PASSED
    assert check_resume_date(date(2026, 11, 20), TODAY) is DateProblem.PASSED
    assert check_resume_date(date(2027, 11, 23), TODAY) is None
    assert check_resume_date(date(2028, 1, 1), TODAY) is DateProblem.TOO_FAR
