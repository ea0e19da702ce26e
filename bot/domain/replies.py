"""Reading a typed answer to a nudge ("did it", "not today", "✅")."""

from __future__ import annotations

import re
import unicodedata

_TRAILING = re.compile(r"[\s.!?,;:)(]+$")
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
