"""All user-facing copy, loaded from config/locales/<lang>/*.toml.

Copy is keyed by message kind ("nudge.intro") and language so a clinic can tune
wording without touching code, and a new language is a new folder. Each flow
keeps its copy in a file of its own (`en/pause.toml` holds `[pause]`, and may
add its `[commands]` and `[buttons]` entries too); the files of a language are
merged, and two files defining the same key is an error rather than a silent
override. Keys with a list of variants get one picked at random so messages
don't feel robotic.
"""

from __future__ import annotations

import random
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Any

from bot.domain.replies import normalise
from bot.domain.timeparse import TimeVocabulary


class MissingText(KeyError):
    pass


def _merge(into: dict[str, Any], extra: dict[str, Any], source: str, path: str = "") -> None:
    for key, value in extra.items():
        where = f"{path}{key}"
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value, source, f"{where}.")
        elif key in into:
            raise ValueError(f"{source} defines {where!r} again")
        else:
            into[key] = value


@dataclass(frozen=True)
class Locale:
    code: str
    data: dict[str, Any]

    def lookup(self, key: str) -> Any:
        node: Any = self.data
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                raise MissingText(f"{self.code}:{key}")
            node = node[part]
        return node


class Texts:
    def __init__(self, locales: dict[str, Locale], default: str, rng: random.Random | None = None):
        if default not in locales:
            raise ValueError(f"default language {default!r} has no locale file")
        self._locales = locales
        self.default = default
        self._rng = rng or random.Random()
        self._reply_words: dict[str, dict[str, str]] = {}
        self._time_vocabularies: dict[str, TimeVocabulary] = {}
        self._pain_words: dict[str, dict[str, list[str]]] = {}

    @classmethod
    def load(cls, config_dir: Path, default: str = "en", rng: random.Random | None = None) -> Texts:
        locales: dict[str, Locale] = {}
        for folder in sorted(p for p in (config_dir / "locales").iterdir() if p.is_dir()):
            data: dict[str, Any] = {}
            for path in sorted(folder.glob("*.toml")):
                with path.open("rb") as handle:
                    _merge(data, tomllib.load(handle), f"{folder.name}/{path.name}")
            if data:
                locales[folder.name] = Locale(folder.name, data)
        return cls(locales, default, rng)

    @property
    def languages(self) -> list[str]:
        return sorted(self._locales)

    def own(self, lang: str) -> Mapping[str, Any]:
        """What a language's own files define, without falling back to the default."""
        return self._locales[lang].data

    def language_for(self, language_code: str | None) -> str:
        """Pick the closest supported language for a Telegram language_code like 'de-AT'."""
        if language_code:
            base = language_code.split("-")[0].lower()
            if base in self._locales:
                return base
        return self.default

    def raw(self, lang: str, key: str) -> Any:
        locale = self._locales.get(lang) or self._locales[self.default]
        try:
            return locale.lookup(key)
        except MissingText:
            if locale.code == self.default:
                raise
            return self._locales[self.default].lookup(key)

    def get(self, lang: str, key: str, **values: Any) -> str:
        value = self.raw(lang, key)
        if isinstance(value, list):
            value = self._rng.choice(value)
        if not isinstance(value, str):
            raise MissingText(f"{lang}:{key} is not text")
        return value.format(**values) if values else value

    def variants(self, lang: str, key: str) -> list[str]:
        value = self.raw(lang, key)
        return list(value) if isinstance(value, list) else [value]

    def time_words(self, lang: str) -> dict[str, time]:
        words = self.raw(lang, "time_words")
        return {word.lower(): time.fromisoformat(value) for word, value in words.items()}

    def time_vocabulary(self, lang: str) -> TimeVocabulary:
        """Everything a person may type around a time in this language (see read_time)."""
        if lang not in self._time_vocabularies:
            self._time_vocabularies[lang] = TimeVocabulary(
                aliases=self.time_words(lang),
                prefixes=tuple(self.raw(lang, "meta.time_prefixes")),
                suffixes=tuple(self.raw(lang, "meta.time_suffixes")),
                day_parts=dict(self.raw(lang, "day_parts")),
                minutes={
                    word: int(value) for word, value in self.raw(lang, "minute_words").items()
                },
                exact=frozenset(self.raw(lang, "timing.exact_words")),
                hours=dict(self.raw(lang, "hour_words")),
                phrases=dict(self.raw(lang, "hour_phrases")),
            )
        return self._time_vocabularies[lang]

    def slot_times(self, lang: str) -> dict[str, time]:
        """The suggested times behind the morning/midday/evening buttons (and "this evening")."""
        return {name: time.fromisoformat(value) for name, value in self.raw(lang, "slots").items()}

    def strip_time_suffix(self, lang: str, text: str) -> str:
        """Drop words like the German "Uhr" ("19 Uhr") that only say "this is a time"."""
        cleaned = text.strip()
        for suffix in self.raw(lang, "meta.time_suffixes"):
            if cleaned.lower().endswith(suffix):
                cleaned = cleaned[: len(cleaned) - len(suffix)].strip()
                break
        return cleaned

    def reply_words(self, lang: str) -> dict[str, str]:
        """Phrase → reply kind, across the user's language and the default one.

        Built once per language: every typed message is matched against it.
        """
        if lang not in self._reply_words:
            mapping: dict[str, str] = {}
            for code in dict.fromkeys([self.default, lang]):
                for kind, phrases in self.raw(code, "reply_words").items():
                    for phrase in phrases:
                        mapping[normalise(phrase)] = kind
            self._reply_words[lang] = mapping
        return self._reply_words[lang]

    def pain_words(self, lang: str) -> dict[str, list[str]]:
        """Concern → phrases (and "none" → denials), the person's language and the default's.

        Someone may write in either, whatever their Telegram is set to.
        """
        if lang not in self._pain_words:
            merged: dict[str, list[str]] = {}
            for code in dict.fromkeys([self.default, lang]):
                for concern, phrases in self.raw(code, "pain_words").items():
                    merged.setdefault(concern, []).extend(phrases)
            self._pain_words[lang] = merged
        return self._pain_words[lang]

    def format_time(self, lang: str, value: time) -> str:
        if self.raw(lang, "meta.clock") == "24h":
            return f"{value.hour:02d}:{value.minute:02d}"
        hour = value.hour % 12 or 12
        suffix = "am" if value.hour < 12 else "pm"
        return f"{hour}:{value.minute:02d} {suffix}"

    def format_weekdays(self, lang: str, weekdays: list[int]) -> str:
        names = [self.raw(lang, "meta.weekdays_short")[day] for day in weekdays]
        if len(names) <= 1:
            return "".join(names)
        return f"{', '.join(names[:-1])} {self.raw(lang, 'meta.list_and')} {names[-1]}"
