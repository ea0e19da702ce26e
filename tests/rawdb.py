"""The database as an attacker with a copy of it would see it: bytes, not rows."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url


def raw_database_bytes(database_url: str) -> bytes:
    """SQLite: the file and its -wal (recent commits live there); PostgreSQL: a pg_dump."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        assert url.database, "an in-memory database has no bytes at rest"
        base = Path(url.database)
        return b"".join(
            path.read_bytes()
            for path in (base, base.with_name(base.name + "-wal"))
            if path.exists()
        )
    if url.get_backend_name() == "postgresql":
        libpq = url.set(drivername="postgresql").render_as_string(hide_password=False)
        return subprocess.run(
            [_pg_dump(), "--no-owner", "--dbname", libpq],
            capture_output=True,
            check=True,
            timeout=60,
        ).stdout
    raise AssertionError(f"no raw reader for {url.get_backend_name()}")


def _pg_dump() -> str:
    found = shutil.which("pg_dump")
    if found:
        return found
    initdb = shutil.which("initdb")
    if initdb and os.path.exists(beside := os.path.join(os.path.dirname(initdb), "pg_dump")):
        return beside
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_dump"))
    assert candidates, "pg_dump not found on PATH, beside initdb or in /usr/lib/postgresql"
    return candidates[-1]
