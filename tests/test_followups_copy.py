"""The copy of follow-ups, timing offers and /message: complete in every language, kind in all.

The same rules as tests/test_rights_copy.py, which also keeps the welcome back (shared
by pauses and quiet spells) free of any word about the gap.
"""

from __future__ import annotations

import string

import pytest

from bot.settings import REPO_ROOT
from bot.texts import Texts
from bot.views.followups import QUIET_CHOICES
from tests.test_copy import _all_strings
from tests.test_rights_copy import BANNED, LANGUAGES, _keys, _load

FILES = ("followups.toml", "patterns.toml", "messages.toml")
TEXTS = Texts.load(REPO_ROOT / "config")


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
def test_the_follow_up_varies_and_every_key_the_code_builds_exists(lang: str) -> None:
    assert len(TEXTS.variants(lang, "followups.followup")) >= 3
    keys = {f"followups.quiet_{c}" for c in QUIET_CHOICES.values() if c != "pause"}
    keys |= {f"buttons.quiet_{choice}" for choice in QUIET_CHOICES.values()}
    keys |= {f"patterns.move_{part}" for part in ("morning", "afternoon", "evening")}
    keys |= {"patterns.drop_day", "patterns.move_day", "commands.message"}
    for key in sorted(keys):
        assert TEXTS.variants(lang, key), key
    assert (
        len(TEXTS.raw(lang, "patterns.weekdays")) == len(TEXTS.raw(lang, "patterns.weekday")) == 7
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
