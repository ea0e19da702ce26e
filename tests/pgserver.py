"""A throwaway PostgreSQL server for tests and benchmarks.

Why our own: every database feature must pass on PostgreSQL as well as SQLite, and
a developer or CI machine should need nothing but Debian's `postgresql` package.
The server lives in a temporary folder, listens on a random port on 127.0.0.1,
runs with fsync off (nothing here needs to survive a power cut), and is removed
when stopped. PostgreSQL refuses to run as root, so under root it runs as the
`postgres` account (or `nobody`).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tests.botprocess import free_port

USER = "bot"
_TOOLS = ("initdb", "pg_ctl", "psql")


class PostgresUnavailable(Exception):
    """No PostgreSQL binaries here; the message says how to get them."""


def find_bindir() -> Path:
    """The folder with initdb and pg_ctl: PATH first, then Debian's versioned folders."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: (
            int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0
        ),
    )
    if candidates:
        return Path(candidates[-1]).parent
    raise PostgresUnavailable(
        "PostgreSQL binaries (initdb, pg_ctl) not found: install Debian's `postgresql` "
        "package (apt-get install postgresql) to run the PostgreSQL half"
    )


def _run_as() -> str | None:
    """PostgreSQL will not run as root; pick an unprivileged account when we are root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    raise PostgresUnavailable("running as root and no 'postgres' or 'nobody' account exists")


@dataclass
class PgServer:
    bindir: Path
    root: Path
    port: int
    run_as: str | None

    @classmethod
    def start(cls) -> PgServer:
        bindir = find_bindir()
        run_as = _run_as()
        root = Path(tempfile.mkdtemp(prefix="homework-pg-"))
        if run_as is not None:
            os.chown(root, pwd.getpwnam(run_as).pw_uid, -1)
        server = cls(bindir, root, free_port(), run_as)
        try:
            server._initdb()
            server._pg_ctl_start()
        except BaseException:  # Ctrl-C during initdb too: leave no server or folder behind
            server.stop()
            raise
        return server

    @property
    def datadir(self) -> Path:
        return self.root / "data"

    def _run(self, tool: str, *args: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8", "TZ": "UTC"}
        result = subprocess.run(
            [str(self.bindir / tool), *args],
            user=self.run_as,
            env=env,
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"{tool} failed ({result.returncode}): {result.stderr.strip()}")
        return result

    def _initdb(self) -> None:
        self._run(
            "initdb",
            "-D",
            str(self.datadir),
            "-U",
            USER,
            "--auth=trust",
            "--encoding=UTF8",
            "--no-sync",
        )

    def _pg_ctl_start(self) -> None:
        options = " ".join(
            [
                f"-p {self.port}",
                "-c listen_addresses=127.0.0.1",
                f"-c unix_socket_directories={self.root}",
                "-c fsync=off",
                "-c synchronous_commit=off",
                "-c full_page_writes=off",
                "-c max_connections=300",
                "-c shared_buffers=64MB",
            ]
        )
        log = self.root / "server.log"
        self._run("pg_ctl", "-D", str(self.datadir), "-l", str(log), "-o", options, "-w", "start")

    def url(self, database: str = "postgres", driver: str = "asyncpg") -> str:
        return f"postgresql+{driver}://{USER}@127.0.0.1:{self.port}/{database}"

    def psql(self, sql: str, database: str = "postgres") -> str:
        return self._run(
            "psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", USER, "-d", database,
            "-v", "ON_ERROR_STOP=1", "-At", "-c", sql,
        ).stdout  # fmt: skip

    def create_database(self, name: str) -> str:
        """A new empty database; returns its SQLAlchemy URL."""
        self.psql(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def dump(self, database: str) -> str:
        """The whole database as pg_dump writes it: what a backup or a thief would see."""
        return self._run(
            "pg_dump", "-h", "127.0.0.1", "-p", str(self.port), "-U", USER, database
        ).stdout

    def stop(self) -> None:
        if (self.datadir / "postmaster.pid").exists():
            with contextlib.suppress(Exception):
                self._run("pg_ctl", "-D", str(self.datadir), "-m", "immediate", "stop")
        shutil.rmtree(self.root, ignore_errors=True)
