"""The copy of follow-ups, timing offers and /message: complete in every language, kind in all."""

from __future__ import annotations

import string
import tomllib
from typing import Any

import pytest

from bot.settings import REPO_ROOT
from bot.texts import Texts
from bot.views.followups import QUIET_CHOICES
from tests.test_copy import _all_strings

LOCALES = REPO_ROOT / "config" / "locales"
LANGUAGES = ("en", "de", "es")
FILES = ("followups.toml", "patterns.toml", "messages.toml")
# Words the product never says to a client, per language (../shared/SPEC.md, "Tone").
BANNED = {
    "en": ("fail", "missed", "you should", "don't forget", "streak", "lazy", "!!"),
    "de": ("versäumt", "verpasst", "du solltest", "vergiss nicht", "serie", "faul", "!!"),
    "es": ("fallaste", "olvidaste", "deberías", "racha", "perezos", "!!"),
}
# Nor a word about the gap when someone comes back.
GAP = {
    "en": ("again", "while", "days", "gone", "last"),
    "de": ("wieder", "lange", "tage", "weg", "letzte"),
    "es": ("otra vez", "tiempo", "días", "últim"),
}


def _load(lang: str, name: str) -> dict[str, Any]:
    with (LOCALES / lang / name).open("rb") as handle:
        return tomllib.load(handle)


def _keys(node: dict[str, Any], prefix: str = "") -> set[str]:
    keys: set[str] = set()
    for key, value in node.items():
        keys |= _keys(value, f"{prefix}{key}.") if isinstance(value, dict) else {prefix + key}
    return keys


@pytest.mark.parametrize("name", FILES)
def test_every_language_has_every_key(name: str) -> None:
    english = _keys(_load("en", name))
    for lang in LANGUAGES[1:]:
        assert _keys(_load(lang, name)) == english, (lang, name)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_voice_never_blames(lang: str) -> None:
    for name in FILES:
        for text in _all_strings(_load(lang, name)):
            assert not [w for w in BANNED[lang] if w in text.lower()], (name, text)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_frequent_messages_vary_and_the_welcome_back_never_mentions_the_gap(lang: str) -> None:
    texts = Texts.load(REPO_ROOT / "config")
    for key in ("followups.followup", "followups.welcome_back"):
        assert len(texts.variants(lang, key)) >= 3, (lang, key)
    for text in texts.variants(lang, "followups.welcome_back"):
        assert not [w for w in GAP[lang] if w in text.lower()], text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_keys_the_code_builds_exist(lang: str) -> None:
    texts = Texts.load(REPO_ROOT / "config")
    keys = {f"followups.quiet_{choice}" for choice in QUIET_CHOICES.values()}
    keys |= {f"buttons.quiet_{choice}" for choice in QUIET_CHOICES.values()}
    keys |= {f"patterns.move_{part}" for part in ("morning", "afternoon", "evening")}
    keys |= {"patterns.drop_day", "patterns.move_day", "commands.message"}
    for key in sorted(keys):
        assert texts.variants(lang, key), key
    assert (
        len(texts.raw(lang, "patterns.weekdays")) == len(texts.raw(lang, "patterns.weekday")) == 7
    )


def test_placeholders_are_ones_the_code_fills() -> None:
    def fields(text: str) -> set[str]:
        return {f for _, f, _, _ in string.Formatter().parse(text) if f}

    for name in FILES:
        english = _load("en", name)
        for lang in LANGUAGES[1:]:
            other = _load(lang, name)
            for section, entries in english.items():
                for key, value in entries.items():
                    if key.startswith("weekday"):
                        continue
                    want = set().union(*(fields(s) for s in _all_strings(value)))
                    got = set().union(*(fields(s) for s in _all_strings(other[section][key])))
                    assert got <= want | {"day", "days"}, (lang, name, key, got, want)
