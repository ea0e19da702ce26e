"""The sending marks' libpq connection reaches the database the bot's URL names.

Why: the marks open their own connection (bot/db/pg_marks.py), so a URL that works
for the bot (a host's `?sslmode=require`, a password with symbols, a Unix socket)
must work for them too, or every nudge's request would fail at its gate.
"""

from __future__ import annotations

from psycopg.conninfo import conninfo_to_dict
from sqlalchemy.engine import make_url

from bot.db.pg_marks import conninfo_from_url
from bot.settings import normalize_database_url


def conninfo(raw: str) -> dict[str, object]:
    return conninfo_to_dict(conninfo_from_url(make_url(normalize_database_url(raw))))


def test_a_hosts_url_keeps_its_host_port_user_password_and_ssl_mode() -> None:
    got = conninfo("postgres://clinic:p%40ss w'rd@db.example:6543/physio?sslmode=require")
    assert got["host"] == "db.example"
    assert got["port"] == "6543"
    assert got["user"] == "clinic"
    assert got["password"] == "p@ss w'rd"
    assert got["dbname"] == "physio"
    assert got["sslmode"] == "require"


def test_a_unix_socket_folder_is_the_host() -> None:
    got = conninfo("postgresql://clinic@/physio?host=/run/postgresql")
    assert got["host"] == "/run/postgresql"
    assert "password" not in got
    assert "sslmode" not in got
