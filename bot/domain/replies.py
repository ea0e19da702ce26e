"""Reading a typed answer to a nudge ("did it", "not today", "✅"), and pain in it."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence

_TRAILING = re.compile(r"[\s.!?,;:)(]+$")
_WORD = re.compile(r"\w*[^\W\d_]\w*")  # a word with at least one letter in it
_SPACES = re.compile(r"\s+")
MAX_REPLY_CHARS = 60


def normalise(text: str) -> str:
    """Lower-case, without accents or Spanish opening marks: "¡Ya está!" is "ya esta"."""
    decomposed = unicodedata.normalize("NFD", text.strip().lower().lstrip("¡¿"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", _TRAILING.sub("", unicodedata.normalize("NFC", plain)))


def parse_reply(text: str, phrases: dict[str, str]) -> str | None:
    """Map text to a reply kind using the configured phrases.

    The longest phrase that matches the whole text, or its start followed by a
    word break, wins: "not today, sorry" is not_today, never "no".
    """
    if not text or len(text) > MAX_REPLY_CHARS:
        return None
    cleaned = normalise(text)
    if cleaned in phrases:
        return phrases[cleaned]
    best: tuple[int, str] | None = None
    for phrase, kind in phrases.items():
        if cleaned.startswith(phrase):
            rest = cleaned[len(phrase) :]
            if (not rest or not rest[0].isalnum()) and (best is None or len(phrase) > best[0]):
                best = (len(phrase), kind)
    return best[1] if best else None


# Letters, digits and apostrophes make words; everything else separates them.
_NOT_WORD = re.compile(r"[^\w']+")
MAX_CONCERN_CHARS = 2000
# The first kind listed wins when a message says several things ("too hard, it hurt").
CONCERN_ORDER = ("painful", "hard")


def _words(text: str) -> str:
    folded = text[:MAX_CONCERN_CHARS].lower().replace("\u2019", "'")
    return f" {' '.join(_NOT_WORD.sub(' ', folded).split())} "


def find_concern(text: str, words: Mapping[str, Sequence[str]]) -> str | None:
    """Whether a message says it hurt or was too hard: "painful", "hard" or None.

    `words` holds, per concern, the phrases that say it, and under "none" the
    phrases that deny it ("no pain", "didn't hurt"); denials are taken out before
    looking, so "it didn't hurt" is nothing and "didn't hurt, just too hard" is hard.
    Phrases match whole words anywhere in the message: "my knee hurts" has "hurts".
    """
    if not text:
        return None
    cleaned = _words(text)
    for denial in sorted(words.get("none", ()), key=len, reverse=True):
        while (said := _words(denial)) in cleaned:
            cleaned = cleaned.replace(said, " ")
    for concern in CONCERN_ORDER:
        if any(_words(phrase) in cleaned for phrase in words.get(concern, ())):
            return concern
    return None


def looks_like_a_message(text: str) -> bool:
    """Words meant for someone ("can I skip the plank?"), not a stray "hi", "18:30" or
    emoji: only these are worth offering to pass on to the therapist."""
    return len(_WORD.findall(text)) >= 2
