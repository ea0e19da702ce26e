"""The copy behind zone, time and days, and /time: complete in every language, kind, and
the words for times of day that each language reads."""

from __future__ import annotations

import re
import string
import tomllib
from datetime import time
from typing import Any

import pytest

from bot.domain.timeparse import TimeReading, read_time
from bot.domain.timezones import CityIndex, resolve_timezone
from bot.settings import REPO_ROOT
from bot.texts import Texts

LOCALES = REPO_ROOT / "config" / "locales"
LANGUAGES = ("en", "de", "es")
TEXTS = Texts.load(REPO_ROOT / "config")
BANNED = {
    "en": ("fail", "missed", "you should", "don't forget", "streak", "lazy", "!!"),
    "de": ("versäumt", "verpasst", "du solltest", "vergiss nicht", "serie", "faul", "!!"),
    "es": ("fallaste", "olvidaste", "deberías", "racha", "perezos", "!!"),
}


def _file(lang: str) -> dict[str, Any]:
    with (LOCALES / lang / "timing.toml").open("rb") as handle:
        return tomllib.load(handle)


def _leaves(node: Any, path: str = "") -> dict[str, Any]:
    if isinstance(node, dict):
        found: dict[str, Any] = {}
        for key, value in node.items():
            found |= _leaves(value, f"{path}{key}.")
        return found
    return {path.rstrip("."): node}


def _placeholders(value: Any) -> set[str]:
    texts = value if isinstance(value, list) else [value]
    return {
        name
        for text in texts
        if isinstance(text, str)
        for _, name, _, _ in string.Formatter().parse(text)
        if name
    }


def _messages(lang: str) -> dict[str, Any]:
    """Every message and button; each language's own words and places are not translations."""
    data = _leaves(_file(lang))
    return {k: v for k, v in data.items() if not k.startswith(("timing.words.", "timing.places"))}


@pytest.mark.parametrize("lang", ["de", "es"])
def test_every_key_is_translated_with_the_same_placeholders(lang: str) -> None:
    english, other = _messages("en"), _messages(lang)
    assert sorted(set(english) ^ set(other)) == []
    assert {k: _placeholders(v) for k, v in english.items()} == {
        k: _placeholders(other[k]) for k in english
    }


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_voice_stays_kind(lang: str) -> None:
    for key, value in _leaves(_file(lang)).items():
        for text in value if isinstance(value, list) else [value]:
            if isinstance(text, str):
                lowered = text.lower()
                assert not [w for w in BANNED[lang] if re.search(re.escape(w), lowered)], key


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
