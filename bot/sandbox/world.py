"""The sandbox's world: the embedded Bot API, the real bot pointed at it, and a clock to move.

Everything the bot runs here is what production runs (BotRuntime.build, the same
handlers, engine and database code); only the API URL, the token, the database
file and the clock differ, exactly as in the tests.
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.app import BotRuntime
from bot.clock import ManualClock
from bot.db import nudges
from bot.sandbox.botapi import BotApiStub, FakeUser
from bot.sandbox.botapi.models import ApiCall
from bot.scheduling.followups import Followups
from bot.settings import Settings

# Looks like a token so every check the bot makes passes; Telegram never sees it.
TOKEN = "123456789:SANDBOX-local-token-never-sent-to-telegram"
BOT_USERNAME = "homework_sandbox_bot"
# How long a "typing…" (sendChatAction) shows, as in Telegram's apps.
TYPING_S = 5.0


@dataclass(frozen=True)
class Person:
    """One of the people on the page: who they are on 'Telegram' and what they play."""

    key: str
    user_id: int
    first_name: str
    language_code: str
    role: str


PEOPLE = (
    # An ADMIN_IDS user, so they can /newclient at once.
    Person("therapist", 1001, "Dana", "en", "therapist"),
    Person("client1", 2001, "Alex", "en", "client"),
    Person("client2", 2002, "Lucía", "es", "client (Spanish Telegram)"),
)


class Sandbox:
    """Start with `await Sandbox.start()`, stop with `await sandbox.stop()`."""

    def __init__(self, workdir: Path, clock: ManualClock, stub: BotApiStub) -> None:
        self.workdir = workdir
        self.clock = clock
        self.stub = stub
        self.runtime: BotRuntime | None = None
        self.users: dict[str, FakeUser] = {}
        self._typing_since: dict[int, tuple[float, str]] = {}
        self._tempdir: tempfile.TemporaryDirectory[str] | None = None

    @classmethod
    async def start(cls, workdir: Path | None = None) -> Sandbox:
        """A fresh world: a new SQLite file and data key of its own, the clock at now."""
        tempdir = None
        if workdir is None:
            tempdir = tempfile.TemporaryDirectory(prefix="homework-sandbox-")
            workdir = Path(tempdir.name)
        # Ticking: time passes as usual between fast-forwards, as it does for a real bot.
        clock = ManualClock(datetime.now(UTC), ticking=True)
        stub = BotApiStub(
            TOKEN,
            bot_username=BOT_USERNAME,
            # Telegram's documented 30 messages a second; the stub also holds the bot to
            # its text, caption, button and callback-data limits, as Telegram does.
            global_limit_per_s=30.0,
            clock=lambda: clock.now().timestamp(),
        )
        sandbox = cls(workdir, clock, stub)
        sandbox._tempdir = tempdir
        await stub.start()
        stub.on_finish("sendChatAction", sandbox._typing)
        for method in ("sendMessage", "sendPhoto", "sendVideo", "sendDocument"):
            stub.on_finish(method, sandbox._typed)
        for person in PEOPLE:
            sandbox.users[person.key] = stub.user(
                person.user_id, person.first_name, language_code=person.language_code
            )
        settings = Settings(
            token=TOKEN,
            database_url=f"sqlite+aiosqlite:///{workdir / 'sandbox.db'}",
            data_keys=(os.urandom(32),),
            admin_ids=frozenset({PEOPLE[0].user_id}),
            api_url=stub.url,
            startup_retry_s=5.0,
        )
        runtime = BotRuntime.build(settings, clock)
        try:
            await runtime.start()
        except BaseException:
            await stub.stop()
            if tempdir is not None:
                tempdir.cleanup()
            raise
        sandbox.runtime = runtime
        return sandbox

    async def stop(self) -> None:
        if self.runtime is not None:
            runtime, self.runtime = self.runtime, None
            await runtime.stop()
        await self.stub.stop()
        if self._tempdir is not None:
            self._tempdir.cleanup()

    # -- typing ---------------------------------------------------------------------------------

    def _typing(self, call: ApiCall) -> None:
        if call.ok:
            action = str(call.params.get("action", "typing"))
            self._typing_since[int(call.params["chat_id"])] = (time.monotonic(), action)

    def _typed(self, call: ApiCall) -> None:
        """A message ends the chat action, as in Telegram."""
        chat_id = call.params.get("chat_id")
        if isinstance(chat_id, int):
            self._typing_since.pop(chat_id, None)

    def chat_action(self, chat_id: int) -> str | None:
        """The bot's current chat action in a chat ("typing", "upload_photo"), if any."""
        since, action = self._typing_since.get(chat_id, (0.0, None))
        return action if time.monotonic() - since < TYPING_S else None

    # -- the clock ------------------------------------------------------------------------------

    async def next_due(self) -> datetime | None:
        """When the bot next has something to send on its own: a nudge, a re-nudge or a
        follow-up (the same questions the engine asks to arm itself)."""
        runtime = self._running
        followups = Followups(runtime.db, runtime.texts, runtime.settings.followup_after)
        async with runtime.db.transaction() as session:
            wakes = [await nudges.next_wake(session), await followups.next_wake(session)]
        return min((wake for wake in wakes if wake is not None), default=None)

    async def fast_forward(self, how: str) -> datetime | None:
        """Move the clock ("next", "hour" or "day"); the engine wakes as the clock jumps.

        Returns where the clock went, or None when "next" finds nothing scheduled.
        """
        now = self.clock.now()
        if how == "hour":
            target: datetime | None = now + timedelta(hours=1)
        elif how == "day":
            target = now + timedelta(days=1)
        elif how == "next":
            target = await self.next_due()
            if target is not None and target.tzinfo is None:  # SQLite hands back naive UTC
                target = target.replace(tzinfo=UTC)
        else:
            raise ValueError(f"unknown fast-forward {how!r}")
        if target is None:
            return None
        # A second past a due instant, so it is plainly due; never backwards.
        self.clock.set(max(target, now) + timedelta(seconds=1 if how == "next" else 0))
        self.stub.state.notify()  # the page shows the new time at once
        return target

    @property
    def _running(self) -> BotRuntime:
        if self.runtime is None:
            raise RuntimeError("the sandbox is not running")
        return self.runtime
