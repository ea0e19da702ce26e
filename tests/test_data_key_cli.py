"""`python -m bot` with a wrong, missing or malformed data key says so in one line;
`genkey` and `rekey` do their one job and exit."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text
from sqlmodel import select

from bot import crypto, keys
from bot.db.database import Database
from bot.db.models import Client, Therapist
from tests.conftest import START, TOKEN
from tests.rawdb import stored_strings

REPO = Path(__file__).resolve().parent.parent
BOT_VARIABLES = ("TELEGRAM_BOT_TOKEN", "DATABASE_URL", "DATA_KEY", "TELEGRAM_API_URL")


def python_m_bot(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in BOT_VARIABLES}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,  # no .env here
        env={**clean, "PYTHONPATH": str(REPO), "TELEGRAM_API_URL": "http://127.0.0.1:9", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


async def written_with(ring: crypto.KeyRing, url: str, label: str = "Anna K. (knee)") -> None:
    """A database holding one therapist and one client, sealed with `ring`."""
    crypto.configure(ring)
    db = Database.from_url(url)
    await db.upgrade()
    async with db.transaction() as session:
        therapist = Therapist(telegram_user_id=1, display_name="Dana Physio", created_at=START)
        session.add(therapist)
        await session.flush()
        assert therapist.id is not None
        session.add(Client(therapist_id=therapist.id, label=label, created_at=START))
    await db.dispose()


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


async def test_a_wrong_data_key_stops_the_bot_in_one_line(
    database_url: str, tmp_path: Path
) -> None:
    old = os.urandom(32)
    await written_with(crypto.KeyRing([old]), database_url)
    result = python_m_bot(
        tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, DATABASE_URL=database_url, DATA_KEY=crypto.new_key()
    )
    line = one_error_line(result)
    assert "DATA_KEY cannot decrypt the stored data" in line
    assert crypto.key_id(old) in line


async def test_a_lost_key_file_is_not_silently_replaced(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "bot.db")
    await written_with(keys.ring_for(url, ()), url)
    (tmp_path / "bot.key").unlink()
    line = one_error_line(python_m_bot(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, DATABASE_URL=url))
    assert "bot.key is missing" in line and "holds encrypted data" in line
    assert not (tmp_path / "bot.key").exists()


def test_server_database_without_key_and_malformed_keys_are_one_line(tmp_path: Path) -> None:
    server = python_m_bot(
        tmp_path,
        TELEGRAM_BOT_TOKEN=TOKEN,
        DATABASE_URL="postgresql+asyncpg://bot:secret@127.0.0.1:9/bot",
    )
    assert "DATA_KEY is not set" in one_error_line(server)
    malformed = python_m_bot(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, DATA_KEY="too-short")
    line = one_error_line(malformed)
    assert "DATA_KEY must be URL-safe base64" in line and "too-short" not in line


def test_genkey_prints_a_new_key(tmp_path: Path) -> None:
    result = python_m_bot(tmp_path, "genkey")
    assert result.returncode == 0 and len(result.stdout.splitlines()) == 1
    assert len(base64.urlsafe_b64decode(result.stdout.strip())) == 32
    assert not list(tmp_path.iterdir())  # nothing written: no database, no key file


async def test_rekey_reseals_everything_with_the_first_key(
    database_url: str, tmp_path: Path
) -> None:
    old, new = os.urandom(32), os.urandom(32)
    await written_with(crypto.KeyRing([old]), database_url)
    db = Database.from_url(database_url)
    async with db.engine.begin() as connection:  # a row from before encryption
        await connection.execute(
            text(
                "INSERT INTO therapist (id, telegram_user_id, display_name, language, created_at)"
                " VALUES (2, 2, 'Plain Text', 'en', '2026-11-23 06:00:00')"
            )
        )
    rotating = ",".join(base64.urlsafe_b64encode(k).decode() for k in (new, old))

    result = python_m_bot(tmp_path, "rekey", DATABASE_URL=database_url, DATA_KEY=rotating)
    assert result.returncode == 0, result.stderr
    assert "therapist.display_name: 2 re-encrypted, 0 already current" in result.stdout
    assert "client.label: 1 re-encrypted" in result.stdout
    assert f"with key {crypto.key_id(new)}" in result.stdout

    stored = await stored_strings(db, "therapist", "display_name")
    stored += await stored_strings(db, "client", "label")
    assert all(crypto.sealed_key_id(value or "") == crypto.key_id(new) for value in stored)
    crypto.configure(crypto.KeyRing([new]))  # the old key can now be dropped
    try:
        async with db.transaction() as session:
            names = [t.display_name for t in await session.exec(select(Therapist))]
            labels = [c.label for c in await session.exec(select(Client))]
    finally:
        await db.dispose()
    assert (sorted(names), labels) == (["Dana Physio", "Plain Text"], ["Anna K. (knee)"])

    again = python_m_bot(tmp_path, "rekey", DATABASE_URL=database_url, DATA_KEY=rotating)
    assert "rekey done: 0 values re-encrypted" in again.stdout
