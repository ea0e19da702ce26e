"""A local Telegram Bot API for driving the real bot over HTTP: tests, benchmarks, the sandbox.

Usage::

    async with BotApiStub(TOKEN) as stub:
        app = (
            ApplicationBuilder()
            .token(TOKEN)
            .base_url(f"{stub.url}/bot")
            .base_file_url(f"{stub.url}/file/bot")
            .build()
        )
        alice = stub.user(1001, "Alice")
        sent = await alice.send("/start")
        reply = await alice.wait_for("Welcome", after=sent.message_id)
        await alice.press(reply, "Begin")

Modules: ``server`` (HTTP + public API), ``methods`` (Bot API methods), ``users`` (FakeUser),
``state``/``models`` (chat history), ``updates`` (getUpdates queue), ``faults`` (fault
injection, rate limits), ``formatting`` (parse_mode/entities), ``params`` (wire decoding).
"""

from .errors import ApiError
from .faults import SlidingWindowLimiter
from .formatting import FormattedText, format_text, utf16_len
from .models import ApiCall, CallbackAnswer, StoredFile, StoredMessage, buttons
from .params import UploadedFile
from .server import BotApiStub
from .users import FakeUser

__all__ = [
    "ApiCall",
    "ApiError",
    "BotApiStub",
    "CallbackAnswer",
    "FakeUser",
    "FormattedText",
    "SlidingWindowLimiter",
    "StoredFile",
    "StoredMessage",
    "UploadedFile",
    "buttons",
    "format_text",
    "utf16_len",
]
