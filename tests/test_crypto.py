"""The key ring and where keys come from: round trip, rotation, wrong keys, bad DATA_KEY."""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot import crypto, keys
from bot.db.models import Client
from bot.settings import SettingsError, load_settings, parse_data_keys
from tests.conftest import TOKEN


def ring(*keys_: bytes) -> crypto.KeyRing:
    return crypto.KeyRing(list(keys_))


def test_round_trip_with_a_fresh_nonce_each_time() -> None:
    key = os.urandom(32)
    first, second = ring(key).seal("Jo Müller 🦵"), ring(key).seal("Jo Müller 🦵")
    assert first != second
    assert first.startswith(f"v1:{crypto.key_id(key)}:")
    assert "Müller" not in first
    assert ring(key).open(first) == ring(key).open(second) == "Jo Müller 🦵"
    assert ring(key).open("") == "" and ring(key).open(ring(key).seal("")) == ""


def test_plaintext_from_before_encryption_reads_as_itself() -> None:
    assert ring(os.urandom(32)).open("Anna K. (knee)") == "Anna K. (knee)"
    assert not crypto.is_sealed("v1:not-a-key-id:abc")


def test_rotation_first_key_seals_every_key_opens() -> None:
    old, new = os.urandom(32), os.urandom(32)
    sealed_old = ring(old).seal("label")
    rotating = ring(new, old)
    assert rotating.open(sealed_old) == "label"
    assert not rotating.is_current(sealed_old)
    sealed_new = rotating.seal("label")
    assert rotating.is_current(sealed_new) and crypto.sealed_key_id(sealed_new) == crypto.key_id(
        new
    )
    assert ring(new).open(sealed_new) == "label"
    with pytest.raises(crypto.DataKeyError, match=crypto.key_id(old)):
        ring(new).open(sealed_old)


def test_wrong_or_damaged_values_raise_a_one_line_error() -> None:
    key = os.urandom(32)
    sealed = ring(key).seal("secret note")
    with pytest.raises(crypto.DataKeyError, match="not in DATA_KEY"):
        ring(os.urandom(32)).open(sealed)
    header, body = sealed.rsplit(":", 1)
    raw = bytearray(base64.urlsafe_b64decode(body))
    raw[-1] ^= 1
    with pytest.raises(crypto.DataKeyError, match="damaged") as caught:
        ring(key).open(f"{header}:{base64.urlsafe_b64encode(bytes(raw)).decode()}")
    assert "\n" not in str(caught.value) and "secret" not in str(caught.value)


def test_data_key_parsing_padded_unpadded_and_lists() -> None:
    a, b = crypto.new_key(), crypto.new_key()
    assert len(base64.urlsafe_b64decode(a)) == 32
    parsed = parse_data_keys(f" {a} , {b.rstrip('=')} ,")
    assert parsed == (base64.urlsafe_b64decode(a), base64.urlsafe_b64decode(b))
    settings = load_settings({"TELEGRAM_BOT_TOKEN": TOKEN, "DATA_KEY": f"{a},{b}"})
    assert settings.data_keys == parsed
    assert a not in repr(settings)


@pytest.mark.parametrize(
    "raw",
    [
        "hunter2",
        base64.urlsafe_b64encode(os.urandom(16)).decode(),
        f"{crypto.new_key()},not base64!",
        "+/" * 22,  # standard, not URL-safe, base64
    ],
)
def test_malformed_data_key_is_one_line_without_the_value(raw: str) -> None:
    with pytest.raises(SettingsError, match="DATA_KEY must be URL-safe base64") as caught:
        load_settings({"TELEGRAM_BOT_TOKEN": TOKEN, "DATA_KEY": raw})
    message = str(caught.value)
    assert "\n" not in message and "genkey" in message
    assert all(part not in message for part in raw.split(",") if len(part) > 3)


def test_sealed_columns_refuse_sql_comparisons() -> None:
    assert "IS NULL" in str(sa.select(Client.id).where(Client.first_name.is_(None)))  # type: ignore[union-attr]
    with pytest.raises(TypeError, match="encrypted"):
        sa.select(Client.id).where(Client.label == "Anna")
    with pytest.raises(TypeError, match="encrypted"):
        sa.select(Client.id).order_by(Client.label.desc())  # type: ignore[attr-defined]


def test_unconfigured_ring_refuses_to_seal() -> None:
    crypto.configure(None)
    with pytest.raises(crypto.DataKeyError, match="no data key"):
        crypto.current()


def test_key_file_is_created_beside_the_sqlite_file_once(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'data' / 'bot.db'}"
    first = keys.ring_for(url, ())
    path = tmp_path / "data" / "bot.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert keys.ring_for(url, ()).primary_id == first.primary_id
    assert keys.key_file_for(tmp_path / "x.key") == tmp_path / "x.key.key"
    explicit = os.urandom(32)
    assert keys.ring_for(url, (explicit,)).primary_id == crypto.key_id(explicit)


def test_a_server_database_needs_data_key() -> None:
    with pytest.raises(SettingsError, match="DATA_KEY is not set") as caught:
        keys.ring_for("postgresql+asyncpg://bot@127.0.0.1/bot", ())
    assert "\n" not in str(caught.value)
