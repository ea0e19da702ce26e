"""The copy behind zone, time and days, and /time: the place buttons, and the words for
times of day that each language reads. (Completeness and kindness of every language's
copy, these files included, are tests/test_copy_rules.py's.)"""

from __future__ import annotations

from datetime import time

import pytest

from bot.domain.timeparse import TimeReading, read_time
from bot.domain.timezones import CityIndex, resolve_timezone
from bot.settings import REPO_ROOT
from bot.texts import Texts

LANGUAGES = ("en", "de", "es")
TEXTS = Texts.load(REPO_ROOT / "config")


def test_frequent_proposals_have_variants() -> None:
    for lang in LANGUAGES:
        assert len(TEXTS.variants(lang, "timing.propose")) >= 2


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_place_button_names_one_zone(lang: str) -> None:
    cities = CityIndex.load(REPO_ROOT / "config" / "cities.tsv")
    for place in TEXTS.raw(lang, "timing.places"):
        assert len(resolve_timezone(place, cities)) == 1, place


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("en", "half past seven", (time(7, 30), time(19, 30))),
        ("en", "a quarter to eight in the evening", (time(19, 45),)),
        ("en", "at 7 o'clock tonight", (time(19, 0),)),
        ("en", "noon", (time(12, 0),)),
        ("de", "halb acht", (time(7, 30), time(19, 30))),
        ("de", "um viertel nach sieben abends", (time(19, 15),)),
        ("de", "19 Uhr", (time(19, 0),)),
        ("es", "a las siete y media de la tarde", (time(19, 30),)),
        ("es", "las ocho menos cuarto", (time(7, 45), time(19, 45))),
        ("es", "la una", (time(1, 0), time(13, 0))),
    ],
)
def test_each_language_reads_its_own_times(
    lang: str, text: str, expected: tuple[time, ...]
) -> None:
    assert read_time(text, TEXTS.time_vocabulary(lang)) == TimeReading(expected)


@pytest.mark.parametrize(
    ("lang", "text"), [("en", "after lunch"), ("en", "morning"), ("de", "nach dem Mittagessen")]
)
def test_parts_of_the_day_are_proposed_not_assumed(lang: str, text: str) -> None:
    reading = read_time(text, TEXTS.time_vocabulary(lang))
    assert reading is not None and reading.vague and reading.certain is None
