"""Personal free text is sealed with AES-GCM before it reaches the database.

A stored value reads `v1:<key id>:<base64url(nonce + ciphertext)>`. The key id is
the first 4 bytes of the key's SHA-256, so after a rotation each value names the key
that can open it, and a missing key is reported instead of guessed at. The header
is authenticated too (it is the associated data), so it can't be swapped.

The key ring is process-wide state, set once at start-up with `configure`. Why not
per engine: column types are built once, when the models are imported, and are
shared by every engine in the process; the bot runs one database per process, so
one ring is the truth for it. Tests that switch keys call `configure` again
(`BotRuntime.build` does), which is all a process running one bot at a time needs.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from bot.settings import DATA_KEY_BYTES, SettingsError

VERSION = "v1"
_NONCE_BYTES = 12
# Anything else is plaintext from before encryption, read as it is and sealed on rekey.
_SEALED_RE = re.compile(r"^v1:([0-9a-f]{8}):([A-Za-z0-9_-]+={0,2})$")


class DataKeyError(SettingsError):
    """The key ring can't open a stored value: a missing, wrong or unconfigured key."""


def new_key() -> str:
    """A fresh key as DATA_KEY expects it."""
    return base64.urlsafe_b64encode(os.urandom(DATA_KEY_BYTES)).decode("ascii")


def key_id(key: bytes) -> str:
    return hashlib.sha256(key).digest()[:4].hex()


def is_sealed(stored: str) -> bool:
    return _SEALED_RE.match(stored) is not None


def sealed_key_id(stored: str) -> str | None:
    """Which key sealed a stored value; None for legacy plaintext."""
    match = _SEALED_RE.match(stored)
    return match.group(1) if match else None


class KeyRing:
    """The first key seals; every key opens, so old values stay readable during a rotation."""

    def __init__(self, keys: Sequence[bytes]) -> None:
        if not keys:
            raise SettingsError("a data key ring needs at least one key.")
        ids: dict[str, AESGCM] = {}
        for key in keys:
            if len(key) != DATA_KEY_BYTES:
                raise SettingsError(f"data keys are {DATA_KEY_BYTES} bytes; got {len(key)}.")
            kid = key_id(key)
            ids.setdefault(kid, AESGCM(key))
        self.primary_id = key_id(keys[0])
        self._ciphers = ids

    @property
    def key_ids(self) -> tuple[str, ...]:
        return tuple(self._ciphers)

    def seal(self, plaintext: str) -> str:
        header = f"{VERSION}:{self.primary_id}"
        nonce = os.urandom(_NONCE_BYTES)
        body = self._ciphers[self.primary_id].encrypt(
            nonce, plaintext.encode("utf-8"), header.encode("ascii")
        )
        return f"{header}:{base64.urlsafe_b64encode(nonce + body).decode('ascii')}"

    def open(self, stored: str) -> str:
        """The plaintext of a stored value; legacy plaintext comes back unchanged."""
        match = _SEALED_RE.match(stored)
        if match is None:
            return stored
        kid, payload = match.groups()
        cipher = self._ciphers.get(kid)
        if cipher is None:
            raise DataKeyError(
                f"a value was sealed with data key {kid}, which is not in DATA_KEY "
                f"(key ids there: {', '.join(self._ciphers)})."
            )
        try:
            raw = base64.urlsafe_b64decode(payload)
            data = cipher.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], f"v1:{kid}".encode())
        except (InvalidTag, ValueError, binascii.Error) as exc:
            raise DataKeyError(f"a value sealed with data key {kid} is damaged.") from exc
        return data.decode("utf-8")

    def is_current(self, stored: str) -> bool:
        """Sealed with the first key already, so rekey can leave it alone."""
        return sealed_key_id(stored) == self.primary_id


_ring: KeyRing | None = None


def configure(ring: KeyRing | None) -> None:
    """Set the process-wide ring (None forgets it, so nothing is sealed by accident)."""
    global _ring
    _ring = ring


def current() -> KeyRing:
    if _ring is None:
        raise DataKeyError(
            "no data key is configured: set DATA_KEY (see `python -m bot genkey`) "
            "before touching the database."
        )
    return _ring
