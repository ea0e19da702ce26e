"""Start-up explains itself: a rejected token or an unreachable API in one line each,
never a traceback, an unclosed session or the token.
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from bot.sandbox.botapi import BotApiStub
from tests.botprocess import BotProcess, bot_env, free_port, run_bot
from tests.conftest import TOKEN

# Shaped like a token, so settings accept it, but not the stub's: getMe answers 401.
WRONG_TOKEN = "987654321:AAwrong-token-the-stub-does-not-know"


def assert_one_error_line(bot: BotProcess, token: str) -> str:
    """Every line but the last is a retry warning; the last is the one error line."""
    text = bot.text
    assert "Traceback" not in text, text
    assert "Unclosed" not in text, text
    assert token not in text and token.split(":")[1] not in text, text
    *warnings, last = bot.lines
    assert all(" WARNING bot.startup: " in line for line in warnings), text
    assert " ERROR " in last, text
    return last


async def test_rejected_token_is_one_line_about_botfather(stub: BotApiStub, tmp_path: Path) -> None:
    bot = await run_bot(bot_env(WRONG_TOKEN, stub.url, tmp_path), tmp_path)
    assert bot.proc.returncode == 1
    assert len(bot.lines) == 1, bot.text
    line = assert_one_error_line(bot, WRONG_TOKEN)
    assert "@BotFather" in line and "TELEGRAM_BOT_TOKEN" in line
    assert stub.stats["401"] == 1  # refused at once, not retried


async def test_unreachable_api_is_retried_then_named(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"  # nobody listens there
    env = bot_env(TOKEN, url, tmp_path, STARTUP_RETRY_S="2")
    started = time.monotonic()
    bot = await run_bot(env, tmp_path)
    assert bot.proc.returncode == 1
    assert time.monotonic() - started < 15
    line = assert_one_error_line(bot, TOKEN)
    assert f"at {url} " in line and "/bot" not in line
    warnings = bot.lines[:-1]
    assert len(warnings) >= 2, bot.text  # one per try: at 0 s, then after 1 s
    assert all(f"at {url} is not reachable" in warning for warning in warnings)


@pytest.fixture
async def hanging_up_server() -> AsyncIterator[str]:
    """A TCP server that accepts each connection and closes it without a word."""

    async def hang_up(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.close()

    server = await asyncio.start_server(hang_up, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        yield f"http://127.0.0.1:{port}"


async def test_server_that_hangs_up_is_retried_then_named(
    hanging_up_server: str, tmp_path: Path
) -> None:
    env = bot_env(TOKEN, hanging_up_server, tmp_path, STARTUP_RETRY_S="2")
    bot = await run_bot(env, tmp_path)
    assert bot.proc.returncode == 1
    line = assert_one_error_line(bot, TOKEN)
    assert f"at {hanging_up_server} " in line


@pytest.fixture
async def error_page_server() -> AsyncIterator[str]:
    """An HTTP server (a proxy, say) answering every request with a 502 HTML page."""

    async def bad_gateway(_request: web.Request) -> web.Response:
        return web.Response(status=502, text="<html>Bad gateway</html>", content_type="text/html")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", bad_gateway)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


async def test_error_pages_are_retried_then_named(error_page_server: str, tmp_path: Path) -> None:
    env = bot_env(TOKEN, error_page_server, tmp_path, STARTUP_RETRY_S="2")
    bot = await run_bot(env, tmp_path)
    assert bot.proc.returncode == 1
    line = assert_one_error_line(bot, TOKEN)
    assert f"at {error_page_server} " in line and "Bad Gateway" in line


async def test_sigterm_while_waiting_for_the_api_exits_0_at_once(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    bot = BotProcess(bot_env(TOKEN, url, tmp_path, STARTUP_RETRY_S="60"), tmp_path)
    await bot.start()
    try:
        stream = bot.proc.stdout
        assert stream is not None
        bot.output += await asyncio.wait_for(stream.readline(), 30)  # the first warning
        signalled = time.monotonic()
        bot.proc.send_signal(signal.SIGTERM)
        code = await bot.finish(timeout=15)
    finally:
        await bot.close()
    assert code == 0, bot.text
    assert time.monotonic() - signalled < 5
    assert "Traceback" not in bot.text and "Unclosed" not in bot.text, bot.text
    assert all(" WARNING bot.startup: " in line for line in bot.lines), bot.text


async def test_unreachable_database_is_retried_then_named(stub: BotApiStub, tmp_path: Path) -> None:
    url = f"postgresql://someone:hunter2-secret@127.0.0.1:{free_port()}/clinic"
    env = bot_env(TOKEN, stub.url, tmp_path, STARTUP_RETRY_S="2", DATABASE_URL=url)
    bot = await run_bot(env, tmp_path)
    assert bot.proc.returncode == 1
    line = assert_one_error_line(bot, TOKEN)
    assert "hunter2" not in bot.text and "someone" not in bot.text, bot.text
    assert "the database at postgresql://127.0.0.1:" in line and "/clinic" in line, line
    assert "DATABASE_URL" in line
    assert len(bot.lines) >= 3, bot.text  # it was retried, one warning per try
    assert stub.stats["method:getMe"] == 0  # the database comes first


@pytest.mark.postgres_only
async def test_missing_database_is_one_line_at_once(
    stub: BotApiStub, database_url: str, tmp_path: Path
) -> None:
    url = database_url.rsplit("/", 1)[0] + "/no_such_clinic"
    env = bot_env(TOKEN, stub.url, tmp_path, STARTUP_RETRY_S="30", DATABASE_URL=url)
    started = time.monotonic()
    bot = await run_bot(env, tmp_path)
    assert bot.proc.returncode == 1
    assert time.monotonic() - started < 15  # not retried for 30 s
    assert len(bot.lines) == 1, bot.text
    line = assert_one_error_line(bot, TOKEN)
    assert "no_such_clinic" in line and "does not exist" in line and "DATABASE_URL" in line
