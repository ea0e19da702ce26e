"""The pending-update queue behind ``getUpdates``.

Why it mirrors Telegram's semantics closely: python-telegram-bot's ``Updater`` relies on them.
Updates stay queued until a later call's ``offset`` confirms them; ``timeout`` long-polls and
returns as soon as something arrives; a second concurrent ``getUpdates`` terminates the first
with 409 Conflict (this is how "two bot instances running" shows up in real life).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from .errors import ApiError

# Sent by default when the bot never passed allowed_updates (Bot API docs).
DEFAULT_ALLOWED = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)
CONFLICT_OTHER_POLL = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)


def update_type(update: dict[str, Any]) -> str:
    return next(key for key in update if key != "update_id")


class UpdateQueue:
    """Updates waiting for the bot, with long-poll wake-ups."""

    def __init__(self, first_update_id: int) -> None:
        self._next_id = first_update_id
        self.pending: list[dict[str, Any]] = []
        self.delivered_ids: set[int] = set()
        self.allowed: frozenset[str] = DEFAULT_ALLOWED
        self._generation = 0
        self._closed = False
        self._changed = asyncio.Event()

    def _wake(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    def push(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Queue ``{"update_id": n, kind: payload}`` and wake any waiting long-poll."""
        update = {"update_id": self._next_id, kind: payload}
        self._next_id += 1
        self.pending.append(update)
        self._wake()
        return update

    def drop_pending(self) -> int:
        """Forget everything not yet confirmed (``drop_pending_updates=True``)."""
        dropped = len(self.pending)
        self.pending.clear()
        return dropped

    def close(self) -> None:
        """Release every waiting long-poll (they return ``[]``) so shutdown never hangs."""
        self._closed = True
        self._wake()

    def _confirm(self, offset: int | None) -> None:
        if offset is None or offset == 0:
            return
        if offset < 0:
            self.pending = self.pending[offset:]
        else:
            self.pending = [u for u in self.pending if u["update_id"] >= offset]

    def _ready(self, limit: int) -> list[dict[str, Any]]:
        self.pending = [u for u in self.pending if update_type(u) in self.allowed]
        batch = self.pending[:limit]
        self.delivered_ids.update(u["update_id"] for u in batch)
        return batch

    async def poll(
        self, offset: int | None, limit: int, wait_s: float, allowed: list[str] | None
    ) -> list[dict[str, Any]]:
        """One ``getUpdates`` call; ``wait_s`` is its long-poll ``timeout``."""
        if allowed is not None:
            self.allowed = frozenset(allowed) if allowed else DEFAULT_ALLOWED
        self._confirm(offset)
        self._generation += 1
        generation = self._generation
        self._wake()  # an older long-poll learns it has been superseded
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(wait_s, 0.0)
        while True:
            if generation != self._generation:
                raise ApiError(409, CONFLICT_OTHER_POLL)
            ready = self._ready(limit)
            remaining = deadline - loop.time()
            if ready or self._closed or remaining <= 0:
                return ready
            changed = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)
