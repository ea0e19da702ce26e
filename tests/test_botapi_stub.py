"""The Bot API stub speaks exactly what python-telegram-bot sends and expects.

Why these tests matter: every end-to-end test and benchmark drives the real bot through this
stub, so a shape mismatch here would make them prove nothing. Each test uses a real
``telegram.Bot`` (or ``Application``) pointed at the stub.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dtm
import time
import warnings
from collections.abc import AsyncIterator

import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MessageEntity,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, filters
from telegram.request import HTTPXRequest

from bot.sandbox.botapi import BotApiStub, UploadedFile, buttons

TOKEN = "123456789:TEST-token_for_the_stub"

# PTB itself reads the deprecated int ``retry_after`` when building RetryAfter (v22.2+).
pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")


@pytest.fixture
async def stub() -> AsyncIterator[BotApiStub]:
    async with BotApiStub(TOKEN) as server:
        yield server


def make_bot(stub: BotApiStub, token: str = TOKEN, *, read_timeout: float = 5.0) -> Bot:
    return Bot(
        token,
        base_url=f"{stub.url}/bot",
        base_file_url=f"{stub.url}/file/bot",
        request=HTTPXRequest(read_timeout=read_timeout),
        get_updates_request=HTTPXRequest(read_timeout=read_timeout),
    )


@pytest.fixture
async def bot(stub: BotApiStub) -> AsyncIterator[Bot]:
    async with make_bot(stub) as client:
        yield client


def retry_seconds(exc: RetryAfter) -> float:
    """``RetryAfter.retry_after`` is int or timedelta depending on PTB_TIMEDELTA."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


KEYBOARD = InlineKeyboardMarkup(
    [
        [InlineKeyboardButton("Yes, done ✅", callback_data="done:1")],
        [
            InlineKeyboardButton("Later", callback_data="later:1"),
            InlineKeyboardButton("Guide", url="https://example.org/guide"),
        ],
    ]
)


async def test_get_me_returns_the_bot_user(stub: BotApiStub, bot: Bot) -> None:
    me = await bot.get_me()
    assert me.id == 123456789  # the token's numeric prefix, as on Telegram
    assert me.is_bot and me.username == "homework_test_bot"
    assert bot.username == "homework_test_bot"
    assert stub.calls_to("getMe")[0].ok


async def test_send_message_with_inline_keyboard(stub: BotApiStub, bot: Bot) -> None:
    alice = stub.user(1001, "Alice", username="alice")
    sent = await bot.send_message(alice.chat_id, "Did you do the exercise?", reply_markup=KEYBOARD)

    assert sent.message_id == 1
    assert sent.chat.id == 1001 and sent.chat.type == "private"
    assert sent.from_user is not None and sent.from_user.is_bot
    assert sent.text == "Did you do the exercise?"
    assert sent.reply_markup == KEYBOARD
    assert isinstance(sent.date, dtm.datetime)

    stored = alice.last_message
    assert stored is not None and stored.message_id == sent.message_id
    assert buttons(stored) == ["Yes, done ✅", "Later", "Guide"]
    call = stub.calls_to("sendMessage")[0]
    assert call.params["chat_id"] == 1001  # decoded from the form field
    assert call.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "done:1"

    second = await bot.send_message(alice.chat_id, "Another one")
    assert second.message_id == 2  # per-chat increasing ids


async def test_send_message_validation(stub: BotApiStub, bot: Bot) -> None:
    alice = stub.user(1001, "Alice")
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(alice.chat_id, "   ")
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(alice.chat_id, "x" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(424242, "hello?")
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="d" * 65)]])
        await bot.send_message(alice.chat_id, "too much data", reply_markup=markup)
    assert alice.messages == []
    assert [c.status for c in stub.calls_to("sendMessage")] == [400, 400, 400, 400]


async def test_parse_mode_is_applied_like_telegram(stub: BotApiStub, bot: Bot) -> None:
    alice = stub.user(1001, "Alice")
    sent = await bot.send_message(alice.chat_id, "<b>Well done</b> &amp; see /help", "HTML")
    assert sent.text == "Well done & see /help"
    assert [e.type for e in sent.entities] == [MessageEntity.BOLD, MessageEntity.BOT_COMMAND]
    assert alice.last_message is not None and alice.last_message.raw_text.startswith("<b>")

    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(alice.chat_id, "3 < 5 is <b>true", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"(?i)Character '\.' is reserved"):
        await bot.send_message(alice.chat_id, "Done.", parse_mode=ParseMode.MARKDOWN_V2)


async def test_edit_message_text_and_not_modified(stub: BotApiStub, bot: Bot) -> None:
    alice = stub.user(1001, "Alice")
    sent = await bot.send_message(alice.chat_id, "Step 1", reply_markup=KEYBOARD)

    edited = await bot.edit_message_text(
        "Step 2", chat_id=alice.chat_id, message_id=sent.message_id, reply_markup=KEYBOARD
    )
    assert not isinstance(edited, bool)
    assert edited.text == "Step 2" and edited.edit_date is not None
    assert edited.reply_markup == KEYBOARD
    assert alice.messages[0].text == "Step 2" and alice.messages[0].edits == 1

    with pytest.raises(BadRequest, match=r"(?i)message is not modified") as info:
        await bot.edit_message_text(
            "Step 2", chat_id=alice.chat_id, message_id=sent.message_id, reply_markup=KEYBOARD
        )
    # PTB strips "Bad Request: " and str.capitalize()s the rest (lower-casing it).
    assert "exactly the same as a current content and reply markup" in info.value.message

    # Like Telegram: an edit without reply_markup drops the inline keyboard.
    await bot.edit_message_text("Step 2", chat_id=alice.chat_id, message_id=sent.message_id)
    assert alice.messages[0].buttons == []

    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_reply_markup(chat_id=alice.chat_id, message_id=sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("nope", chat_id=alice.chat_id, message_id=999)


async def test_get_updates_parses_a_command_message(stub: BotApiStub, bot: Bot) -> None:
    alice = stub.user(1001, "Alice", username="alice", language_code="de")
    sent = await alice.send("/start abc")

    updates = await bot.get_updates(timeout=0)
    assert len(updates) == 1
    update = updates[0]
    assert isinstance(update, Update) and update.message is not None
    message = update.message
    assert message.message_id == sent.message_id
    assert message.text == "/start abc"
    assert message.entities == (MessageEntity(MessageEntity.BOT_COMMAND, 0, 6),)
    assert message.from_user is not None and message.from_user.language_code == "de"
    assert message.chat.id == 1001 and message.chat.username == "alice"
    assert filters.COMMAND.check_update(update)

    # Not yet confirmed: delivered again; confirmed by offset: gone.
    assert [u.update_id for u in await bot.get_updates()] == [update.update_id]
    assert await bot.get_updates(offset=update.update_id + 1) == ()
    assert stub.pending_updates == []


async def test_user_actions_produce_valid_updates(stub: BotApiStub, bot: Bot) -> None:
    alice = stub.user(1001, "Alice")
    first = await alice.send("I feel ok")
    await alice.edit(first, "I feel great")
    await alice.send_location(52.52, 13.40)
    await alice.send_sticker()

    updates = await bot.get_updates()
    assert [u.effective_message.message_id for u in updates] == [1, 1, 2, 3]  # type: ignore[union-attr]
    assert updates[1].edited_message is not None
    assert updates[1].edited_message.text == "I feel great"
    assert updates[2].message is not None and updates[2].message.location is not None
    assert updates[3].message is not None and updates[3].message.text is None
    assert updates[3].message.sticker is not None


async def test_callback_query_round_trip(stub: BotApiStub, bot: Bot) -> None:
    alice = stub.user(1001, "Alice")
    sent = await bot.send_message(alice.chat_id, "Did you do it?", reply_markup=KEYBOARD)

    query_id = await alice.press(sent.message_id, "Yes, done")  # unique substring
    (update,) = await bot.get_updates()
    query = update.callback_query
    assert query is not None
    assert query.id == query_id and query.data == "done:1"
    assert query.from_user.id == 1001 and query.chat_instance
    assert query.message is not None and query.message.message_id == sent.message_id

    assert await bot.answer_callback_query(query_id, text="Great!", show_alert=True)
    (answer,) = alice.callback_answers
    assert answer.text == "Great!" and answer.show_alert

    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query_id)
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query("1234")
    with pytest.raises(AssertionError, match=r"available buttons: \['Yes, done ✅'"):
        await alice.press(sent.message_id, "Skip")
    with pytest.raises(AssertionError, match="no callback_data"):
        await alice.press(sent.message_id, "Guide")

    # Forged data, even on another user's message (ids are per chat, so never re-resolved).
    mallory = stub.user(666, "Mallory")
    await bot.send_message(mallory.chat_id, "unrelated message with the same id")
    alice_msg = alice.messages[0]
    with pytest.raises(AssertionError, match="use press_data"):
        await mallory.press(alice_msg, "Later")
    forged_id = await mallory.press_data(alice_msg, "done:1")
    (forged,) = await bot.get_updates(offset=update.update_id + 1)
    assert forged.callback_query is not None and forged.callback_query.id == forged_id
    assert forged.callback_query.from_user.id == 666
    assert forged.callback_query.message is not None
    assert forged.callback_query.message.chat.id == alice.chat_id


async def test_long_poll_wakes_early_and_times_out(stub: BotApiStub, bot: Bot) -> None:
    alice = stub.user(1001, "Alice")
    started = time.monotonic()
    assert await bot.get_updates(timeout=dtm.timedelta(milliseconds=300)) == ()
    assert 0.25 <= time.monotonic() - started < 2

    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.1)
    started = time.monotonic()
    await alice.send("hello")
    updates = await poll
    assert len(updates) == 1
    assert time.monotonic() - started < 1


async def test_stop_releases_a_waiting_long_poll() -> None:
    server = await BotApiStub(TOKEN).start()
    async with make_bot(server) as client:
        poll = asyncio.create_task(client.get_updates(timeout=30))
        await asyncio.sleep(0.1)
        started = time.monotonic()
        await server.stop()
        with contextlib.suppress(NetworkError):  # the connection may be closed under the client
            assert await poll == ()
        assert time.monotonic() - started < 2


async def test_fault_injection_429_and_5xx(stub: BotApiStub, bot: Bot) -> None:
    alice = stub.user(1001, "Alice")
    stub.fail_next("sendMessage", status=429, retry_after=7)
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(alice.chat_id, "hi")
    assert retry_seconds(info.value) == 7
    assert alice.messages == []  # a faulted call has no side effects

    stub.fail_next("sendMessage", status=502, description="Bad Gateway")
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(alice.chat_id, "hi")

    await bot.send_message(alice.chat_id, "hi")
    assert [m.text for m in alice.messages] == ["hi"]
    assert stub.stats["429"] == 1 and stub.stats["502"] == 1


async def test_forbidden_and_blocked_users(stub: BotApiStub, bot: Bot) -> None:
    alice = stub.user(1001, "Alice")
    bob = stub.user(1002, "Bob")
    stub.fail_next(
        "sendMessage",
        status=403,
        description="Forbidden: bot was blocked by the user",
        chat_id=1002,
    )
    await bot.send_message(alice.chat_id, "alice is unaffected")
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(bob.chat_id, "hi")

    stub.block(alice.chat_id)
    for _ in range(2):
        with pytest.raises(Forbidden, match="bot was blocked by the user"):
            await bot.send_message(alice.chat_id, "still there?")
    stub.unblock(alice.chat_id)
    await bot.send_message(alice.chat_id, "welcome back")

    carol = stub.user(1003, "Carol", started=False)
    with pytest.raises(Forbidden, match="can't initiate conversation"):
        await bot.send_message(carol.chat_id, "hello stranger")


async def test_wrong_token_and_unknown_method(stub: BotApiStub) -> None:
    async with make_bot(stub) as good:
        with pytest.raises(EndPointNotFound):
            await good.do_api_request("noSuchMethod")
    with pytest.raises(InvalidToken):
        async with make_bot(stub, "987654321:wrong-token") as bad:
            await bad.get_me()


async def test_delay_simulates_a_timeout_that_still_delivers(stub: BotApiStub) -> None:
    alice = stub.user(1001, "Alice")
    async with make_bot(stub, read_timeout=0.2) as impatient:
        stub.delay_next("sendMessage", 0.5)
        with pytest.raises(TimedOut):
            await impatient.send_message(alice.chat_id, "slow")
    delivered = await alice.wait_for("slow", timeout=2)
    assert delivered.message_id == 1


async def test_rate_limits_answer_429(stub: BotApiStub) -> None:
    async with BotApiStub(TOKEN, per_chat_limit_per_s=1, global_limit_per_s=3) as limited:
        users = [limited.user(2000 + i) for i in range(4)]
        async with make_bot(limited) as client:
            await client.send_message(users[0].chat_id, "one")
            with pytest.raises(RetryAfter) as info:
                await client.send_message(users[0].chat_id, "two")
            assert retry_seconds(info.value) >= 1
            await client.send_message(users[1].chat_id, "three")
            await client.send_message(users[2].chat_id, "four")
            with pytest.raises(RetryAfter):
                await client.send_message(users[3].chat_id, "global limit")
        assert limited.stats["429"] == 2
        assert len(limited.sent_messages) == 3


async def test_hooks_see_every_call_arrive_and_finish_without_recording() -> None:
    # Benchmarks count through these hooks with record_calls off, 429s and faults included.
    async with BotApiStub(TOKEN, record_calls=False, per_chat_limit_per_s=1) as quiet:
        alice = quiet.user(1001, "Alice")
        arrived: list[str] = []
        finished: list[tuple[str, int, object]] = []
        quiet.on_arrival("sendMessage", lambda call: arrived.append(call.params["text"]))
        quiet.on_finish(
            "SENDMESSAGE",  # method names are case-insensitive, as on Telegram
            lambda call: finished.append(
                (call.params["text"], call.status, call.result and call.result["text"])
            ),
        )
        quiet.on_finish("getMe", lambda call: 1 / 0)  # a broken hook is a visible stub bug
        async with make_bot(quiet) as client:
            await client.send_message(alice.chat_id, "one")
            with pytest.raises(RetryAfter):
                await client.send_message(alice.chat_id, "too soon")
            quiet.fail_next("sendMessage", status=502)
            with pytest.raises(NetworkError):
                await client.send_message(alice.chat_id, "bad gateway")
        assert arrived == ["one", "too soon", "bad gateway"]
        assert finished == [
            ("one", 200, "one"),
            ("too soon", 429, None),
            ("bad gateway", 502, None),
        ]
        assert quiet.calls == []
        assert [type(exc) for exc in quiet.internal_errors] == [ZeroDivisionError]


async def test_media_uploads_and_file_ids(stub: BotApiStub, bot: Bot) -> None:
    alice = stub.user(1001, "Alice")
    photo = await bot.send_photo(alice.chat_id, b"\x89PNG fake image", caption="Your worksheet")
    assert photo.photo and photo.caption == "Your worksheet"
    upload = stub.calls_to("sendPhoto")[0].params["photo"]
    assert isinstance(upload, UploadedFile) and upload.data == b"\x89PNG fake image"

    again = await bot.send_photo(alice.chat_id, photo.photo[-1].file_id)
    assert again.photo[-1].file_id == photo.photo[-1].file_id

    doc = await bot.send_document(alice.chat_id, b"%PDF-1.4", filename="plan.pdf")
    assert doc.document is not None and doc.document.file_name == "plan.pdf"
    file = await bot.get_file(doc.document.file_id)
    assert await file.download_as_bytearray() == bytearray(b"%PDF-1.4")

    video = await bot.send_video(alice.chat_id, "BAACAgIAAxkBAAI-existing-id")
    assert video.video is not None and video.video.file_id == "BAACAgIAAxkBAAI-existing-id"
    assert [next(iter(m.content)) for m in alice.messages] == [
        "photo",
        "photo",
        "document",
        "video",
    ]


async def test_command_scopes_are_separate_and_checked(stub: BotApiStub, bot: Bot) -> None:
    alice = stub.user(1001, "Alice")
    stub.user(1002, "Bob", started=False)
    everyone = BotCommandScopeAllPrivateChats()
    await bot.set_my_commands([BotCommand("help", "Help")], scope=everyone)
    await bot.set_my_commands([BotCommand("hilfe", "Hilfe")], scope=everyone, language_code="de")
    await bot.set_my_commands([BotCommand("clients", "Clients")], scope=BotCommandScopeChat(1001))
    assert [c.command for c in await bot.get_my_commands(scope=everyone)] == ["help"]
    assert [c.command for c in await bot.get_my_commands(scope=everyone, language_code="de")] == [
        "hilfe"
    ]
    chat_scope = {"type": "chat", "chat_id": alice.chat_id}
    assert stub.commands(chat_scope) == [{"command": "clients", "description": "Clients"}]
    assert stub.commands() == []  # the default scope is another scope
    for unknown in (1002, 9999):  # never pressed Start / never seen: Telegram has no such chat
        with pytest.raises(BadRequest, match="hat not found"):
            await bot.set_my_commands([BotCommand("x", "X")], scope=BotCommandScopeChat(unknown))
    await bot.delete_my_commands(scope=BotCommandScopeChat(1001))
    assert stub.commands(chat_scope) == []
    assert [c.command for c in await bot.get_my_commands(scope=everyone)] == ["help"]


async def test_commands_webhook_and_chat_actions(stub: BotApiStub, bot: Bot) -> None:
    alice = stub.user(1001, "Alice")
    await bot.set_my_commands([BotCommand("start", "Begin"), BotCommand("today", "Today")])
    assert [c.command for c in await bot.get_my_commands()] == ["start", "today"]
    assert stub.commands()[1] == {"command": "today", "description": "Today"}
    await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()

    assert await bot.delete_webhook(drop_pending_updates=True)
    info = await bot.get_webhook_info()
    assert info.url == "" and info.pending_update_count == 0

    assert await bot.send_chat_action(alice.chat_id, "typing")
    assert alice.chat_actions == ["typing"]


async def test_wait_for_reports_the_chat_on_timeout(stub: BotApiStub, bot: Bot) -> None:
    alice = stub.user(1001, "Alice")
    await alice.send("hi")
    await bot.send_message(alice.chat_id, "Hello Alice", reply_markup=KEYBOARD)
    with pytest.raises(AssertionError, match=r"(?s)'Goodbye'.*#2 bot text: 'Hello Alice'"):
        await alice.wait_for("Goodbye", timeout=0.1)
    assert (await alice.wait_for("Hello")).message_id == 2
    with pytest.raises(AssertionError):
        await alice.wait_for("Hello", timeout=0.05, after=2)


async def test_drives_a_real_application(stub: BotApiStub) -> None:
    """The full PTB stack (Updater long-polling, handlers, shutdown) works against the stub."""

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        args = " ".join(context.args or [])
        await update.effective_message.reply_text(f"Welcome! args={args}", reply_markup=KEYBOARD)

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("Noted")
        await query.edit_message_text(f"You chose {query.data}")

    app = (
        Application.builder()
        .token(TOKEN)
        .base_url(f"{stub.url}/bot")
        .base_file_url(f"{stub.url}/file/bot")
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(pressed))

    alice = stub.user(1001, "Alice")
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(timeout=1)
        try:
            sent = await alice.send("/start abc")
            welcome = await alice.wait_for("Welcome!", after=sent.message_id)
            assert welcome.text == "Welcome! args=abc"

            query_id = await alice.press(welcome, "Later")
            edited = await alice.wait_for_edit(welcome, "You chose later:1")
            assert edited.buttons == []
            assert (await alice.wait_for_answer(query_id)).text == "Noted"
        finally:
            await app.updater.stop()
            await app.stop()
    assert stub.internal_errors == []
