"""Settings come from the environment so the same build runs on a laptop and on a host.

An optional `.env` file in the working directory is read first (real environment
variables win), which keeps local runs free of shell exports.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from dotenv import load_dotenv

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_API_URL = "https://api.telegram.org"
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./data/bot.db"

# Telegram tokens look like "<numeric bot id>:<35 url-safe characters>"; we accept a
# little more slack on the secret part so self-hosted test servers can use their own.
_TOKEN_RE = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{20,}$")
_KEY_RE = re.compile(r"^[A-Za-z0-9_-]+={0,2}$")
DATA_KEY_BYTES = 32
# What Telegram accepts as a webhook's secret_token.
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
LOG_FORMATS = ("text", "json")


class SettingsError(Exception):
    """Raised with a one-line, user-facing explanation of what to fix."""


@dataclass(frozen=True)
class Settings:
    token: str
    database_url: str = DEFAULT_DATABASE_URL
    admin_ids: frozenset[int] = field(default_factory=frozenset)
    api_url: str = DEFAULT_API_URL
    log_level: str = "INFO"
    config_dir: Path = REPO_ROOT / "config"
    default_language: str = "en"
    invite_ttl: timedelta = timedelta(days=14)
    nudge_grace: timedelta = timedelta(hours=2)
    followup_after: timedelta = timedelta(hours=2)  # one gentle follow-up after no answer
    nudge_lease: timedelta = timedelta(seconds=60)
    sender_lease: timedelta = timedelta(seconds=10)
    request_timeout_s: float = 10.0
    safety_interval_s: float = 30.0
    rate_per_s: float = 30.0
    per_chat_interval_s: float = 1.0
    webhook_url: str | None = None
    webhook_secret: str | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    metrics_listen: str = "0.0.0.0"
    metrics_port: int | None = None
    log_format: str = "text"
    startup_retry_s: float = 60.0
    # Empty: an SQLite file gets a key file beside it (bot/keys.py). Never in a repr.
    data_keys: tuple[bytes, ...] = field(default=(), repr=False)

    @property
    def bot_base_url(self) -> str:
        return f"{self.api_url.rstrip('/')}/bot"

    @property
    def bot_file_url(self) -> str:
        return f"{self.api_url.rstrip('/')}/file/bot"


def token_problem(token: str | None) -> str | None:
    """Return why a token is unusable, or None; kept separate so tests can check it."""
    if not token:
        return (
            "TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather in Telegram "
            "(send /newbot), then put the token it gives you in TELEGRAM_BOT_TOKEN "
            "(environment or .env); `python -m bot sandbox` runs without one."
        )
    if not _TOKEN_RE.match(token):
        return (
            "TELEGRAM_BOT_TOKEN does not look like a bot token (expected "
            "'123456789:ABC...'): copy it again from @BotFather (send /mybots, "
            "pick your bot, then 'API Token')."
        )
    return None


_ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}


def normalize_database_url(raw: str) -> str:
    """Accept the URLs hosts hand out and give SQLAlchemy the async driver we ship.

    Heroku-style hosts give `postgres://…?sslmode=require`; SQLAlchemy wants
    `postgresql+asyncpg://`, and asyncpg calls that option `ssl`.
    """
    raw = raw.strip() or DEFAULT_DATABASE_URL
    scheme, sep, rest = raw.partition("://")
    if not sep:
        raise SettingsError(
            f"DATABASE_URL must look like 'postgresql://user:pass@host:5432/db' or "
            f"'sqlite:///./data/bot.db'; got {raw.split('@')[-1]!r}."
        )
    backend, _, driver = scheme.lower().partition("+")
    backend = "postgresql" if backend == "postgres" else backend
    if backend not in _ASYNC_DRIVERS:
        raise SettingsError(
            f"DATABASE_URL must be a PostgreSQL or SQLite URL; got a {backend!r} one."
        )
    wanted = _ASYNC_DRIVERS[backend]
    if driver and f"{backend}+{driver}" != wanted:
        raise SettingsError(
            f"DATABASE_URL names the driver {driver!r}; use {wanted}:// (or plain "
            f"{backend}://), the asynchronous driver the bot ships with."
        )
    if backend == "postgresql":
        rest = re.sub(r"([?&])sslmode=", r"\1ssl=", rest)
    return f"{wanted}://{rest}"


def database_url_from_env(env: dict[str, str] | None = None) -> str:
    """For commands that need the database but not the bot token (`python -m bot migrate`)."""
    if env is None:
        load_dotenv(Path.cwd() / ".env", override=False)
        env = dict(os.environ)
    return normalize_database_url(env.get("DATABASE_URL", ""))


def startup_retry_from_env(env: dict[str, str] | None = None) -> float:
    """How long `migrate` waits for a database that is not up yet (STARTUP_RETRY_S)."""
    if env is None:
        load_dotenv(Path.cwd() / ".env", override=False)
        env = dict(os.environ)
    return _positive_float(env, "STARTUP_RETRY_S", 60)


def _parse_admin_ids(raw: str) -> frozenset[int]:
    ids: set[int] = set()
    for part in raw.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not part.lstrip("-").isdigit():
            raise SettingsError(
                f"ADMIN_IDS must be comma-separated numeric Telegram user ids; got {part!r}."
            )
        ids.add(int(part))
    return frozenset(ids)


def data_keys_from_env(env: dict[str, str] | None = None) -> tuple[bytes, ...]:
    """For commands that need the data key but not the bot token (migrate, rekey)."""
    if env is None:
        load_dotenv(Path.cwd() / ".env", override=False)
        env = dict(os.environ)
    return parse_data_keys(env.get("DATA_KEY", ""))


def parse_data_keys(raw: str, source: str = "DATA_KEY") -> tuple[bytes, ...]:
    """Comma-separated keys, first one current; the error names the entry, never its value."""
    keys: list[bytes] = []
    entries = [entry.strip() for entry in raw.split(",")]
    for position, entry in enumerate(entries, start=1):
        if not entry:
            continue
        key = b""
        if _KEY_RE.match(entry):
            try:
                key = base64.urlsafe_b64decode(entry + "=" * (-len(entry) % 4))
            except (binascii.Error, ValueError):
                key = b""
        if len(key) != DATA_KEY_BYTES:
            raise SettingsError(
                f"{source} must be URL-safe base64 of {DATA_KEY_BYTES} random bytes, "
                f"comma-separated when rotating; entry {position} is not "
                "(`python -m bot genkey` prints a new key)."
            )
        keys.append(key)
    return tuple(keys)


def _positive_float(env: dict[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a number; got {raw!r}.") from exc
    if value <= 0:
        raise SettingsError(f"{name} must be greater than zero; got {raw!r}.")
    return value


def _port(env: dict[str, str], name: str) -> int | None:
    raw = env.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise SettingsError(f"{name} must be a port number (1-65535); got {raw!r}.")
    return int(raw)


def _webhook_secret(env: dict[str, str], webhook_url: str | None) -> str | None:
    """Required with a webhook: replicas behind a load balancer must all check the same one,
    so a per-process random secret would refuse every other replica's updates."""
    secret = env.get("WEBHOOK_SECRET", "").strip() or None
    if webhook_url and secret is None:
        raise SettingsError(
            "WEBHOOK_SECRET must be set when WEBHOOK_URL is (1-256 of A-Z a-z 0-9 _ -, "
            "the same on every replica)."
        )
    if secret is not None and not _SECRET_RE.match(secret):
        raise SettingsError("WEBHOOK_SECRET may only hold 1-256 of A-Z a-z 0-9 _ -.")
    return secret


def load_settings(env: dict[str, str] | None = None, *, read_dotenv: bool = True) -> Settings:
    """Build Settings, raising SettingsError with one clear line when something is off."""
    if env is None:
        if read_dotenv:
            load_dotenv(Path.cwd() / ".env", override=False)
        env = dict(os.environ)
    token = env.get("TELEGRAM_BOT_TOKEN", "").strip()
    problem = token_problem(token)
    if problem:
        raise SettingsError(problem)
    level = env.get("LOG_LEVEL", "INFO").strip().upper() or "INFO"
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
        raise SettingsError(f"LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR; got {level!r}.")
    log_format = env.get("LOG_FORMAT", "").strip().lower() or "text"
    if log_format not in LOG_FORMATS:
        raise SettingsError(f"LOG_FORMAT must be text or json; got {log_format!r}.")
    # PORT is what Heroku-style hosts assign; it wins so the same config runs there.
    webhook_port = _port(env, "PORT") or _port(env, "WEBHOOK_PORT") or 8443
    webhook_url = env.get("WEBHOOK_URL", "").strip() or None
    return Settings(
        token=token,
        database_url=normalize_database_url(env.get("DATABASE_URL", "")),
        admin_ids=_parse_admin_ids(env.get("ADMIN_IDS", "")),
        api_url=env.get("TELEGRAM_API_URL", "").strip() or DEFAULT_API_URL,
        log_level=level,
        config_dir=Path(env.get("CONFIG_DIR", "").strip() or REPO_ROOT / "config"),
        default_language=env.get("DEFAULT_LANGUAGE", "").strip() or "en",
        invite_ttl=timedelta(days=_positive_float(env, "INVITE_TTL_DAYS", 14)),
        nudge_grace=timedelta(hours=_positive_float(env, "NUDGE_GRACE_HOURS", 2)),
        followup_after=timedelta(hours=_positive_float(env, "FOLLOWUP_AFTER_H", 2)),
        nudge_lease=timedelta(seconds=_positive_float(env, "NUDGE_LEASE_S", 60)),
        sender_lease=timedelta(seconds=_positive_float(env, "SENDER_LEASE_S", 10)),
        request_timeout_s=_positive_float(env, "TELEGRAM_TIMEOUT_S", 10),
        safety_interval_s=_positive_float(env, "SCHEDULER_SAFETY_INTERVAL_S", 30),
        rate_per_s=_positive_float(env, "SEND_RATE_PER_S", 30),
        per_chat_interval_s=_positive_float(env, "PER_CHAT_INTERVAL_S", 1),
        webhook_url=webhook_url,
        webhook_secret=_webhook_secret(env, webhook_url),
        webhook_listen=env.get("WEBHOOK_LISTEN", "").strip() or "0.0.0.0",
        webhook_port=webhook_port,
        metrics_listen=env.get("METRICS_LISTEN", "").strip() or "0.0.0.0",
        metrics_port=_port(env, "METRICS_PORT"),
        log_format=log_format,
        startup_retry_s=_positive_float(env, "STARTUP_RETRY_S", 60),
        data_keys=parse_data_keys(env.get("DATA_KEY", "")),
    )
