"""Settings and start-up: clear one-line errors, and a token that never reaches the logs."""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.app import BotRuntime
from bot.logging_setup import configure_logging
from bot.sandbox.botapi import BotApiStub
from bot.settings import (
    DEFAULT_DATABASE_URL,
    Settings,
    SettingsError,
    load_settings,
    token_problem,
)
from tests.conftest import TOKEN

REPO = Path(__file__).resolve().parent.parent


def test_missing_and_malformed_tokens_are_explained() -> None:
    assert "@BotFather" in (token_problem(None) or "")
    assert "python -m bot sandbox" in (token_problem(None) or "")
    assert "@BotFather" in (token_problem("hello") or "")
    assert token_problem("123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw") is None


def test_defaults_and_parsing() -> None:
    settings = load_settings({"TELEGRAM_BOT_TOKEN": TOKEN, "ADMIN_IDS": "12, 34;56"})
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.admin_ids == frozenset({12, 34, 56})
    assert settings.bot_base_url == "https://api.telegram.org/bot"
    assert settings.bot_file_url == "https://api.telegram.org/file/bot"
    custom = load_settings(
        {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": "http://127.0.0.1:81/"}
    )
    assert custom.bot_base_url == "http://127.0.0.1:81/bot"


@pytest.mark.parametrize(
    ("env", "fragment"),
    [
        ({"ADMIN_IDS": "12,abc"}, "ADMIN_IDS"),
        ({"LOG_LEVEL": "loud"}, "LOG_LEVEL"),
        ({"NUDGE_GRACE_HOURS": "-1"}, "NUDGE_GRACE_HOURS"),
    ],
)
def test_bad_values_name_the_variable(env: dict[str, str], fragment: str) -> None:
    with pytest.raises(SettingsError, match=fragment):
        load_settings({"TELEGRAM_BOT_TOKEN": TOKEN, **env})


@pytest.mark.parametrize("token", ["", "not-a-token"])
def test_python_m_bot_without_a_usable_token_exits_with_one_line(
    token: str, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    env["TELEGRAM_BOT_TOKEN"] = token
    result = subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=tmp_path,  # no .env here
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "TELEGRAM_BOT_TOKEN" in lines[0] and "@BotFather" in lines[0]


async def test_token_never_appears_in_logs(stub: BotApiStub, settings: Settings) -> None:
    stream = io.StringIO()
    configure_logging("DEBUG", settings.token, stream)
    try:
        runtime = BotRuntime.build(settings)
        await runtime.start()
        user = stub.user(5005, "Lee")
        sent = await user.send("/help")
        await user.wait_for("Here's what I can do", after=sent.message_id)
        logging.getLogger("test").info("url was %s/bot%s/getMe", settings.api_url, settings.token)
        await runtime.stop()
    finally:
        logging.getLogger().handlers.clear()
    output = stream.getvalue()
    assert "getUpdates" in output or "getMe" in output  # we did capture request logging
    assert settings.token not in output
    assert settings.token.split(":")[1] not in output


def test_operations_settings() -> None:
    base = {"TELEGRAM_BOT_TOKEN": TOKEN}
    defaults = load_settings(base)
    assert (defaults.webhook_port, defaults.metrics_port) == (8443, None)
    assert (defaults.log_format, defaults.startup_retry_s) == ("text", 60.0)
    hosted = load_settings(
        {**base, "PORT": "5000", "WEBHOOK_PORT": "8443", "METRICS_PORT": "9100"}
        | {"LOG_FORMAT": "JSON", "STARTUP_RETRY_S": "2.5"}
    )
    assert (hosted.webhook_port, hosted.metrics_port) == (5000, 9100)  # PORT wins
    assert (hosted.log_format, hosted.startup_retry_s) == ("json", 2.5)
    assert load_settings({**base, "WEBHOOK_PORT": "8080"}).webhook_port == 8080


@pytest.mark.parametrize(
    ("env", "fragment"),
    [
        ({"WEBHOOK_URL": "https://bot.example.test"}, "WEBHOOK_SECRET must be set"),
        ({"WEBHOOK_URL": "https://x.test", "WEBHOOK_SECRET": "has space"}, "WEBHOOK_SECRET"),
        ({"PORT": "http"}, "PORT"),
        ({"METRICS_PORT": "70000"}, "METRICS_PORT"),
        ({"LOG_FORMAT": "xml"}, "LOG_FORMAT"),
        ({"STARTUP_RETRY_S": "0"}, "STARTUP_RETRY_S"),
    ],
)
def test_bad_operations_values_are_one_line(env: dict[str, str], fragment: str) -> None:
    with pytest.raises(SettingsError, match=fragment) as raised:
        load_settings({"TELEGRAM_BOT_TOKEN": TOKEN, **env})
    assert "\n" not in str(raised.value)
