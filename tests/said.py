"""Matching the bot's words by copy key, whichever variant it picked and whatever it filled in."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

from bot.settings import REPO_ROOT
from bot.texts import Texts


@cache
def texts() -> Texts:
    return Texts.load(REPO_ROOT / "config")


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{[a-z_]+\}", template)
    return re.compile(".*?".join(re.escape(part) for part in parts), re.DOTALL)


def said(key: str, lang: str = "en") -> Callable[[object], bool]:
    """A wait_for matcher: the message is one of the key's variants, placeholders filled."""
    patterns = [_pattern(variant) for variant in texts().variants(lang, key)]

    def match(message: object) -> bool:
        text = getattr(message, "text", None) or ""
        return any(pattern.fullmatch(text) for pattern in patterns)

    match.__name__ = f"said({key!r}, {lang!r})"
    return match
