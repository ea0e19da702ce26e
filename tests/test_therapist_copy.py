"""The therapist workspace's copy: complete in every language, kind, and within
Telegram's limits (captions 1,024 characters, command descriptions 256)."""

from __future__ import annotations

import tomllib

import pytest

from bot.flows.registry import ROUTERS
from bot.settings import REPO_ROOT
from bot.texts import Texts

LOCALES = REPO_ROOT / "config" / "locales"
TEXTS = Texts.load(REPO_ROOT / "config")
FILES = ("therapists.toml", "invites.toml")
LANGS = ("en", "de", "es")
BANNED = {
    "en": ("fail", "missed", "you should", "don't forget", "lazy", "!!"),
    "de": ("versäumt", "verpasst", "du solltest", "vergiss nicht", "faul", "!!"),
    "es": ("fallaste", "olvidaste", "deberías", "perezos", "!!"),
}


def _keys(node: object, prefix: str = "") -> set[str]:
    if not isinstance(node, dict):
        return {prefix}
    return {k for key, value in node.items() for k in _keys(value, f"{prefix}{key}.")}


def _load(lang: str, name: str) -> dict[str, object]:
    with (LOCALES / lang / name).open("rb") as handle:
        return tomllib.load(handle)


@pytest.mark.parametrize("name", FILES)
@pytest.mark.parametrize("lang", LANGS)
def test_every_language_has_every_key_of_its_own(lang: str, name: str) -> None:
    assert _keys(_load(lang, name)) == _keys(_load("en", name))


@pytest.mark.parametrize("name", FILES)
@pytest.mark.parametrize("lang", LANGS)
def test_the_voice_stays_kind(lang: str, name: str) -> None:
    def strings(node: object) -> list[str]:
        if isinstance(node, str):
            return [node]
        values = node.values() if isinstance(node, dict) else node
        return [s for value in values for s in strings(value)]  # type: ignore[union-attr]

    for text in strings(_load(lang, name)):
        assert not [word for word in BANNED[lang] if word in text.lower()], text


@pytest.mark.parametrize("lang", LANGS)
def test_invite_captions_fit_a_photo(lang: str) -> None:
    link = "https://t.me/" + "b" * 32 + "?start=" + "T" * 32
    for key in ("newclient.invite", "invites.reissued"):
        for variant in TEXTS.variants(lang, key):
            text = variant.format(label="L" * 64, link=link, expires="2026-12-31")
            assert len(text) <= 1024, key
    revoked = TEXTS.get(lang, "invites.revoked_caption", label="L" * 64)
    assert len(revoked) <= 1024


@pytest.mark.parametrize("lang", LANGS)
def test_every_menu_command_has_a_description(lang: str) -> None:
    for router in ROUTERS:
        for command in router.commands:
            if command.menu is not None:
                assert 1 <= len(TEXTS.get(lang, f"commands.{command.name}")) <= 256
