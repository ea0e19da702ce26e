"""Where the data key comes from, so it never lives in the database it protects.

DATA_KEY wins. Without it, an SQLite file gets a key file beside it (created on the
first run, mode 0600): the embedded default should just work on a laptop. A server
database (PostgreSQL) has no "beside", and a key on the database host would sit
with the data, so there DATA_KEY is required.
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.engine import make_url

from bot import crypto
from bot.db.keycheck import sqlite_holds_sealed_data
from bot.settings import Settings, SettingsError, parse_data_keys

log = logging.getLogger(__name__)


def key_file_for(database: Path) -> Path:
    """data/bot.db -> data/bot.key: beside the database, never inside it."""
    beside = database.with_suffix(".key")
    return beside if beside != database else database.with_name(database.name + ".key")


def ring_for(database_url: str, data_keys: Sequence[bytes]) -> crypto.KeyRing:
    if data_keys:
        return crypto.KeyRing(data_keys)
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        raise SettingsError(
            "DATA_KEY is not set: a server database needs its data key in the environment "
            "(`python -m bot genkey` prints one; keep it in your secret store)."
        )
    if url.database in (None, "", ":memory:"):
        # The data dies with the process, and so may its key.
        return crypto.KeyRing([os.urandom(32)])
    database = Path(url.database).expanduser()
    return crypto.KeyRing(_key_file_keys(key_file_for(database), database))


def configure(database_url: str, data_keys: Sequence[bytes]) -> crypto.KeyRing:
    """Resolve the ring for this database and make it the process's ring."""
    ring = ring_for(database_url, data_keys)
    crypto.configure(ring)
    return ring


def configure_for(settings: Settings) -> crypto.KeyRing:
    return configure(settings.database_url, settings.data_keys)


def _key_file_keys(path: Path, database: Path) -> tuple[bytes, ...]:
    try:
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        return _create_key_file(path, database)
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"cannot read the data key file {path}: {exc}.") from exc
    if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning("data key file %s is readable by others; chmod 600 it", path)
    keys = parse_data_keys(text.strip(), source=f"the data key file {path}")
    if not keys:
        raise SettingsError(f"the data key file {path} is empty; restore it or set DATA_KEY.")
    return keys


def _create_key_file(path: Path, database: Path) -> tuple[bytes, ...]:
    if sqlite_holds_sealed_data(database):
        raise SettingsError(
            f"the data key file {path} is missing but {database} holds encrypted data: "
            "restore the key file, or set DATA_KEY to the key it held."
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    key = crypto.new_key()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it a moment ago: use theirs
        return _key_file_keys(path, database)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    log.warning(
        "created the data key file %s; without it the names and notes in %s can't be read: "
        "back it up away from the database, and in production set DATA_KEY instead",
        path,
        database,
    )
    return parse_data_keys(key)
