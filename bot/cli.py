"""Maintenance commands: `python -m bot genkey` and `python -m bot rekey`.

They run instead of the bot and exit; errors are one line, like the bot's own.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable

from bot import crypto, keys
from bot.db.database import Database
from bot.db.keycheck import verify_data_key
from bot.db.sealing import ColumnCount, rekey
from bot.settings import SettingsError, data_keys_from_env, database_url_from_env


def genkey() -> int:
    """Print a new DATA_KEY: URL-safe base64 of 32 random bytes."""
    print(crypto.new_key())
    return 0


async def _rekey(database_url: str) -> list[ColumnCount]:
    db = Database.from_url(database_url)
    try:
        await verify_data_key(db)  # a ring that fits nothing fails here, in one line
        await db.upgrade()
        return await rekey(db)
    finally:
        await db.dispose()


def rekey_command() -> int:
    """Re-encrypt every stored personal value with the first DATA_KEY; prints counts."""
    url = database_url_from_env()
    ring = keys.configure(url, data_keys_from_env())
    counts = asyncio.run(_rekey(url))
    for count in counts:
        print(
            f"{count.table}.{count.column}: {count.rewritten} re-encrypted, "
            f"{count.unchanged} already current"
        )
    total = sum(count.rewritten for count in counts)
    print(f"rekey done: {total} values re-encrypted with key {ring.primary_id}")
    return 0


COMMANDS: dict[str, Callable[[], int]] = {"genkey": genkey, "rekey": rekey_command}


def run(name: str) -> int:
    try:
        return COMMANDS[name]()
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
