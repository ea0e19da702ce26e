"""The copy of pause, stop, privacy, export and erasure: complete in every language,
and in the product's voice (no blame, no word about a gap on coming back)."""

from __future__ import annotations

import tomllib
from typing import Any

import pytest

from bot.flows.registry import ROUTERS
from bot.flows.router import Audience
from bot.settings import REPO_ROOT

LOCALES = REPO_ROOT / "config" / "locales"
FILES = ("pause.toml", "stop.toml", "privacy.toml", "erase.toml")
LANGUAGES = ("en", "de", "es")
BANNED = {
    "en": ("fail", "missed", "you should", "don't forget", "streak", "lazy", "!!"),
    "de": ("versäumt", "verpasst", "du solltest", "vergiss nicht", "serie", "faul", "!!"),
    "es": ("fallaste", "olvidaste", "deberías", "racha", "perezos", "!!"),
}
# "Welcome back" greets; it never counts or mentions the time away.
GAP_WORDS = {
    "en": ("while", "long", "days", "since", "away", "absence", "missed"),
    "de": ("lange", "tage", "seit", "weg", "abwesen", "pause"),
    "es": ("tiempo", "días", "desde", "ausencia", "pausa"),
}


def _load(lang: str, name: str) -> dict[str, Any]:
    return tomllib.loads((LOCALES / lang / name).read_text(encoding="utf-8"))


def _keys(node: Any, path: str = "") -> set[str]:
    """Leaf keys; the word lists under [date_words] differ by language, only their kinds count."""
    if not isinstance(node, dict) or path.startswith("date_words."):
        return {path.rstrip(".")}
    return {key for name, value in node.items() for key in _keys(value, f"{path}{name}.")}


def _strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        return [s for item in node for s in _strings(item)]
    if isinstance(node, dict):
        return [s for key, value in node.items() if key != "date_words" for s in _strings(value)]
    return []


@pytest.mark.parametrize("name", FILES)
@pytest.mark.parametrize("lang", LANGUAGES[1:])
def test_every_language_has_every_key_in_its_own_files(lang: str, name: str) -> None:
    assert _keys(_load(lang, name)) == _keys(_load("en", name))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_voice_never_blames(lang: str) -> None:
    for name in FILES:
        for text in _strings(_load(lang, name)):
            assert not [word for word in BANNED[lang] if word in text.lower()], text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_welcome_back_has_variants_and_says_nothing_about_the_gap(lang: str) -> None:
    pause = _load(lang, "pause.toml")["pause"]
    variants = pause["welcome_back"]
    assert len(variants) >= 3
    for text in variants:
        assert not [word for word in GAP_WORDS[lang] if word in text.lower()], text
    assert len(pause["paused_until"]) >= 3


@pytest.mark.parametrize("lang", LANGUAGES)
def test_privacy_names_what_who_how_long_and_the_two_commands(lang: str) -> None:
    text = _load(lang, "privacy.toml")["privacy"]["text"]
    assert "/export" in text and "/deletemydata" in text and len(text) < 4096
    for command in ("pause", "resume", "stop", "privacy", "export", "deletemydata"):
        assert any(command in _load(lang, name).get("commands", {}) for name in FILES)


def test_every_client_command_is_declared_for_its_audience() -> None:
    declared = {c.name: c.menu for router in ROUTERS for c in router.commands}
    assert declared["privacy"] is Audience.EVERYONE  # Telegram's terms: for anyone
    for name in ("pause", "resume", "stop", "export", "deletemydata"):
        assert declared[name] is Audience.CLIENTS
