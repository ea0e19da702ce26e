"""Reading pain and "too hard" in what people type, in every language we speak."""

from __future__ import annotations

import pytest

from bot.domain.replies import find_concern
from bot.settings import REPO_ROOT
from bot.texts import Texts

TEXTS = Texts.load(REPO_ROOT / "config")


@pytest.mark.parametrize(
    ("lang", "text", "concern"),
    [
        ("en", "it hurt", "painful"),
        ("en", "My knee hurts.", "painful"),
        ("en", "hurts", "painful"),
        ("en", "Painful!", "painful"),
        ("en", "ouch, my back", "painful"),
        ("en", "too hard", "hard"),
        ("en", "The plank was way too hard today", "hard"),
        ("en", "too hard and it hurt", "painful"),  # pain wins
        ("en", "it didn't hurt", None),
        ("en", "it didn’t hurt at all", None),  # a typographic apostrophe
        ("en", "no pain, not too hard", None),
        ("en", "didn't hurt, just too hard", "hard"),
        ("en", "done", None),
        ("en", "shurts", None),  # whole words only
        ("en", "I feel painless", None),
        ("en", "", None),
        ("de", "Mein Knie tut weh", "painful"),
        ("de", "Schmerzen im Rücken", "painful"),
        ("de", "das war zu schwer", "hard"),
        ("de", "tut nicht weh", None),
        ("de", "schmerzfrei", None),
        ("es", "Me duele la rodilla", "painful"),
        ("es", "me dolió un poco", "painful"),
        ("es", "demasiado difícil", "hard"),
        ("es", "no me duele", None),
        ("es", "sin dolor", None),
        # English words are understood whatever the language setting.
        ("de", "it hurts", "painful"),
        ("es", "too hard", "hard"),
    ],
)
def test_concerns_in_typed_text(lang: str, text: str, concern: str | None) -> None:
    assert find_concern(text, TEXTS.pain_words(lang)) == concern


def test_long_text_is_read_up_to_a_bound() -> None:
    words = TEXTS.pain_words("en")
    assert find_concern("fine " * 100 + "but my hip hurts", words) == "painful"
    assert find_concern("fine " * 1000 + "hurts", words) is None


def test_every_language_lists_pain_hard_and_denials() -> None:
    for lang in TEXTS.languages:
        own = TEXTS.raw(lang, "pain_words")
        assert {"painful", "hard", "none"} <= set(own), lang
