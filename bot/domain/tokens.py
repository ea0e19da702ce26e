"""Invite tokens: unguessable, URL-safe, and never stored in the clear."""

from __future__ import annotations

import hashlib
import re
import secrets

# 24 random bytes = 192 bits, 32 URL-safe characters: well inside Telegram's
# 64-character limit for /start parameters and far beyond guessing.
TOKEN_BYTES = 24
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    """A database leak must not hand out working links, so only the hash is kept."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def looks_like_token(text: str) -> bool:
    return bool(_TOKEN_RE.match(text))
