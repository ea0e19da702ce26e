"""Rules every language's copy keeps, across all the files of its folder.

Nothing is missing (each message kind exists in every language), nothing blames,
and the messages people see often come in several wordings. The lists below are
the data: a flow that adds a frequent message adds its key to FREQUENT, and a new
language brings its own banned words.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from bot.domain.replies import normalise
from bot.settings import REPO_ROOT
from bot.texts import Texts

TEXTS = Texts.load(REPO_ROOT / "config")
DEFAULT = TEXTS.default
OTHERS = [lang for lang in TEXTS.languages if lang != DEFAULT]

# Tables whose keys are a language's own words (what people type), not message kinds:
# they must exist in every language, but their keys differ from language to language.
WORD_TABLES = frozenset(
    {"time_words", "day_parts", "minute_words", "date_words", "hour_words", "hour_phrases"}
)

# Judgemental wording, per language; matched as whole words, ignoring case.
BANNED: dict[str, tuple[str, ...]] = {
    "en": ("failed", "failure", "missed", "you should", "don't forget", "streak", "lazy"),
    "es": ("fallaste", "olvidaste", "deberías", "racha", "no te olvides", "perezoso", "perezosa"),
    "de": ("versäumt", "verpasst", "du solltest", "vergiss nicht", "Serie", "faul"),
}
# Frequent messages, each at least MIN_VARIANTS wordings in every language.
# Add yours: the follow-up after no answer, "welcome back", ...
FREQUENT = (
    "nudge.intro",
    "nudge.outro",
    "reply.done",
    "reply.some",
    "reply.not_today",
    "reply.later",
)
MIN_VARIANTS = 3


def _leaves(node: Mapping[str, Any], path: str = "") -> Iterator[tuple[str, Any]]:
    for key, value in node.items():
        dotted = f"{path}{key}"
        if isinstance(value, dict) and key not in WORD_TABLES:
            yield from _leaves(value, f"{dotted}.")
        else:
            yield dotted, value


def _keys(texts: Texts, lang: str) -> set[str]:
    return {key for key, _value in _leaves(texts.own(lang))}


def missing_keys(texts: Texts, lang: str) -> list[str]:
    """Message kinds the default language has (in any of its files) and `lang` lacks."""
    return sorted(_keys(texts, texts.default) - _keys(texts, lang))


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    if isinstance(value, dict):
        return [s for key, item in value.items() for s in [key, *_strings(item)]]
    return []


def judgemental(texts: Texts, lang: str) -> list[tuple[str, str]]:
    """(key, text) of every wording in `lang` that uses a banned word or piles up "!"."""
    pattern = re.compile(
        r"\b(?:" + "|".join(re.escape(word) for word in BANNED[lang]) + r")\b", re.IGNORECASE
    )
    return [
        (key, text)
        for key, value in _leaves(texts.own(lang))
        for text in _strings(value)
        if pattern.search(text.replace("’", "'")) or "!!" in text or "¡¡" in text
    ]


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("lang", OTHERS)
def test_every_language_has_every_message_kind(lang: str) -> None:
    assert missing_keys(TEXTS, lang) == []


@pytest.mark.parametrize("lang", OTHERS)
def test_no_language_has_a_message_kind_the_default_lacks(lang: str) -> None:
    # A key only one language has is a typo there, or a translation the default lacks.
    assert sorted(_keys(TEXTS, lang) - _keys(TEXTS, DEFAULT)) == []


@pytest.mark.parametrize("lang", OTHERS)
def test_translations_use_only_the_placeholders_the_code_fills(lang: str) -> None:
    default = dict(_leaves(TEXTS.own(DEFAULT)))
    wrong = []
    for key, value in _leaves(TEXTS.own(lang)):
        if key.split(".")[0] in WORD_TABLES or key not in default:
            continue
        filled = {name for text in _strings(default[key]) for name in _placeholders(text)}
        wrong += [(key, text) for text in _strings(value) if not _placeholders(text) <= filled]
    assert wrong == []


def test_every_language_has_a_banned_word_list() -> None:
    assert set(BANNED) == set(TEXTS.languages)


@pytest.mark.parametrize("lang", TEXTS.languages)
def test_no_judgemental_wording(lang: str) -> None:
    assert judgemental(TEXTS, lang) == []


def test_the_rules_catch_a_missing_kind_in_any_file_and_blame_in_any_language(
    tmp_path: Path,
) -> None:
    for lang, core, flow in (
        ("en", 'help = "What I can do"', '[pause]\nok = "Paused. Don’t forget to come back."'),
        ("es", 'help = "Lo que puedo hacer"', '[other]\nx = "Mantén tu RACHA."'),
        ("de", 'help = "Was ich kann"', '[pause]\nok = "Pause!! Deine Übungsserie wartet."'),
    ):
        folder = tmp_path / "locales" / lang
        folder.mkdir(parents=True)
        (folder / "core.toml").write_text(f"[commands]\n{core}\n")
        (folder / "flow.toml").write_text(flow + "\n")
    texts = Texts.load(tmp_path)
    assert missing_keys(texts, "es") == ["pause.ok"]  # defined in en's second file
    assert missing_keys(texts, "de") == []
    assert [key for key, _text in judgemental(texts, "en")] == ["pause.ok"]
    assert [key for key, _text in judgemental(texts, "es")] == ["other.x"]
    # "!!" is a pile; "Übungsserie" is not the word "Serie".
    assert [key for key, _text in judgemental(texts, "de")] == ["pause.ok"]


@pytest.mark.parametrize("lang", TEXTS.languages)
@pytest.mark.parametrize("key", FREQUENT)
def test_frequent_messages_have_several_wordings(lang: str, key: str) -> None:
    wordings: Any = TEXTS.own(lang)
    for part in key.split("."):
        wordings = wordings[part]
    assert isinstance(wordings, list) and len(set(wordings)) >= MIN_VARIANTS, wordings


@pytest.mark.parametrize("lang", OTHERS)
def test_where_the_default_varies_every_language_varies(lang: str) -> None:
    default = dict(_leaves(TEXTS.own(DEFAULT)))
    single = [
        key
        for key, value in _leaves(TEXTS.own(lang))
        if isinstance(default.get(key), list)
        and len(default[key]) > 1
        and key.split(".")[0] not in ("meta", "reply_words")  # word lists, not wordings
        and not (isinstance(value, list) and len(value) > 1)
    ]
    assert single == []


@pytest.mark.parametrize("lang", TEXTS.languages)
def test_typed_answers_mean_one_thing(lang: str) -> None:
    """Matching folds case and accents, so two spellings must not name two answers."""
    kinds: dict[str, set[str]] = {}
    for code in dict.fromkeys([DEFAULT, lang]):
        for kind, phrases in TEXTS.own(code)["reply_words"].items():
            for phrase in phrases:
                kinds.setdefault(normalise(phrase), set()).add(kind)
    assert {phrase: k for phrase, k in kinds.items() if len(k) > 1} == {}
