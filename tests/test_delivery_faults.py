"""Telegram misbehaving: 429s, 5xx, timeouts and blocked users lose and duplicate nothing.

The one unavoidable duplicate (Telegram accepted a request but the answer timed
out, so we retried) is shown here and counted in the engine's stats.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from bot.clock import ManualClock
from bot.db.models import Client, Nudge
from bot.sandbox.botapi import BotApiStub
from bot.scheduling.engine import EngineConfig
from tests.conftest import THERAPIST_ID, RuntimeFactory, rows
from tests.journeys import enrol_daily_at_nine_utc

DUE = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
FAST = EngineConfig(backoff_s=0.01, max_attempts=3)


async def _enrol_clients(stub: BotApiStub, user_ids: list[int]) -> None:
    therapist = stub.user(THERAPIST_ID, "Dana")
    for user_id in user_ids:
        await enrol_daily_at_nine_utc(therapist, stub.user(user_id, f"U{user_id}"))


def _nudge_sends(stub: BotApiStub, chat_id: int) -> list[object]:
    """Nudges Telegram accepted for a chat (the stub only stores accepted messages)."""
    return [m for m in stub.messages(chat_id) if "Bridge: 3 x 10" in (m.text or "")]


async def test_429_is_obeyed_and_nothing_is_dropped(
    stub: BotApiStub, start_bot: RuntimeFactory, clock: ManualClock
) -> None:
    runtime = await start_bot(FAST)
    await _enrol_clients(stub, [8001, 8002, 8003])
    stub.fail_next("sendMessage", status=429, retry_after=1, chat_id=8001)
    stub.fail_next("sendMessage", status=429, retry_after=1, chat_id=8002)
    clock.set(DUE)
    for user_id in (8001, 8002, 8003):
        await stub.user(user_id, "x").wait_for("Bridge: 3 x 10", timeout=10)
    await runtime.engine.idle()
    assert [len(_nudge_sends(stub, c)) for c in (8001, 8002, 8003)] == [1, 1, 1]
    nudges = await rows(runtime, Nudge)
    assert all(r.status == "sent" for r in nudges)
    assert sum(r.attempt_log.split().count("429") for r in nudges) == 2
    assert runtime.engine.stats["429"] == 2
    # The pause applied to everyone: apart from requests already on the wire, nothing
    # was sent in the second after a 429.
    calls = stub.calls_to("sendMessage")
    last_refusal = max(c.at for c in calls if c.status == 429)
    later = [c.at - last_refusal for c in calls if c.status == 200 and c.at > last_refusal]
    assert len([gap for gap in later if gap >= 0.9]) >= 2
    assert not [gap for gap in later if 0.05 < gap < 0.9]


async def test_server_errors_are_retried_with_backoff(
    stub: BotApiStub, start_bot: RuntimeFactory, clock: ManualClock
) -> None:
    runtime = await start_bot(FAST)
    await _enrol_clients(stub, [8101])
    stub.fail_next("sendMessage", status=502, description="Bad Gateway", count=2, chat_id=8101)
    clock.set(DUE)
    await stub.user(8101, "x").wait_for("Bridge: 3 x 10")
    await runtime.engine.idle()
    [row] = await rows(runtime, Nudge)
    assert row.status == "sent" and row.attempts == 3
    assert row.attempt_log.split() == ["net", "net", "ok"]
    assert len(_nudge_sends(stub, 8101)) == 1


async def test_persistent_trouble_is_handed_back_and_retried_later(
    stub: BotApiStub, start_bot: RuntimeFactory, clock: ManualClock
) -> None:
    runtime = await start_bot(FAST)
    await _enrol_clients(stub, [8201])
    stub.fail_next(
        "sendMessage", status=500, description="Internal Server Error", count=3, chat_id=8201
    )
    clock.set(DUE)
    await stub.wait_for_call("sendMessage", lambda c: c.status == 500, after=0)
    await runtime.engine.idle()
    [row] = await rows(runtime, Nudge)
    assert row.status == "claimed" and row.attempts == 3 and row.retry_at is not None
    assert _nudge_sends(stub, 8201) == []
    clock.advance(timedelta(minutes=1))
    await stub.user(8201, "x").wait_for("Bridge: 3 x 10")
    await runtime.engine.idle()
    [row] = await rows(runtime, Nudge)
    assert row.status == "sent" and row.attempts == 4


async def test_timeout_after_telegram_accepted_is_the_counted_duplicate(
    stub: BotApiStub, start_bot: RuntimeFactory, clock: ManualClock
) -> None:
    runtime = await start_bot(FAST, request_timeout_s=1.0)
    await _enrol_clients(stub, [8301])
    stub.delay_next("sendMessage", 1.5, chat_id=8301)  # carried out after the bot gave up waiting
    clock.set(DUE)
    await stub.user(8301, "x").wait_for("Bridge: 3 x 10")
    await runtime.engine.idle()
    await stub.user(8301, "x").wait_quiet(1.0)
    [row] = await rows(runtime, Nudge)
    assert row.status == "sent"
    assert row.attempt_log.split() == ["timeout", "ok"]
    assert runtime.engine.stats["ambiguous_retry"] == 1
    assert len(_nudge_sends(stub, 8301)) == 2  # the documented, counted case


async def test_blocked_bot_stops_nudges_until_the_person_writes_again(
    stub: BotApiStub, start_bot: RuntimeFactory, clock: ManualClock
) -> None:
    runtime = await start_bot(FAST)
    await _enrol_clients(stub, [8401])
    user = stub.user(8401, "x")
    stub.block(8401)
    clock.set(DUE)
    await stub.wait_for_call("sendMessage", lambda c: c.status == 403, after=0)
    await runtime.engine.idle()
    [row] = await rows(runtime, Nudge)
    assert row.status == "undeliverable" and row.attempt_log.split() == ["403"]
    async with runtime.db.transaction() as session:
        client = (await session.exec(select(Client).where(Client.telegram_user_id == 8401))).one()
    assert client.reachable is False

    refused = len(stub.calls_to("sendMessage"))
    clock.set(DUE + timedelta(days=1))
    await runtime.engine.idle()
    assert len(stub.calls_to("sendMessage")) == refused  # no attempt while blocked

    stub.unblock(8401)
    sent = await user.send("hi again")
    await user.wait_for(lambda m: m.message_id > sent.message_id)
    clock.set(DUE + timedelta(days=2))
    await user.wait_for("Bridge: 3 x 10")


async def test_burst_with_mixed_faults_delivers_each_exactly_once_in_due_order(
    stub: BotApiStub, start_bot: RuntimeFactory, clock: ManualClock
) -> None:
    runtime = await start_bot(FAST)
    users = list(range(8501, 8521))
    await _enrol_clients(stub, users)
    stub.fail_next("sendMessage", status=429, retry_after=1, chat_id=8505)
    for user_id in (8502, 8510, 8517):
        stub.fail_next("sendMessage", status=502, description="Bad Gateway", chat_id=user_id)
    clock.set(DUE)
    for user_id in users:
        await stub.user(user_id, "x").wait_for("Bridge: 3 x 10", timeout=10)
    await runtime.engine.idle()
    assert all(len(_nudge_sends(stub, u)) == 1 for u in users)
    assert {r.status for r in await rows(runtime, Nudge)} == {"sent"}


async def test_answers_to_people_wait_out_flood_control(
    stub: BotApiStub, start_bot: RuntimeFactory
) -> None:
    await start_bot()
    user = stub.user(8601, "Flo")
    stub.fail_next("sendMessage", status=429, retry_after=1, chat_id=8601)
    sent = await user.send("/help")
    await user.wait_for("Here's what I can do", after=sent.message_id, timeout=5)
    refused = [c for c in stub.calls_to("sendMessage") if c.status == 429]
    accepted = [c for c in stub.calls_to("sendMessage") if c.status == 200]
    assert len(refused) == 1 and accepted[-1].at - refused[0].at >= 0.9
