"""Who may use the therapist's commands and buttons, decided in one place.

Admins (ADMIN_IDS) are therapists by configuration; anyone else is a therapist
while they have a Therapist row (made by an admin's invite link). Everyone else
gets one polite sentence for a therapist's command, and the usual "nothing
changed" for a therapist's button, so a forged press learns nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from bot.db import clients
from bot.db.models import Therapist
from bot.flows.turn import Turn
from bot.views.callbacks import Callback

Handler = TypeVar("Handler", bound=Callable[..., Awaitable[Any]])


async def _therapist_row(turn: Turn) -> Therapist | None:
    async with turn.svc.db.transaction() as session:
        return await clients.therapist_by_user(session, turn.user.id)


async def own_therapist_id(turn: Turn) -> int | None:
    """This person's therapist id, which scopes everything they see and change.

    None for non-therapists, and for an admin who has not set up a client yet (so
    they have nothing of their own to see).
    """
    row = await _therapist_row(turn)
    return row.id if row is not None else None


async def own_and_pressed(
    turn: Turn, callback: Callback, most_args: int = 1
) -> tuple[int, int] | None:
    """(this therapist's id, the id a workspace button carries first), for a store lookup
    scoped to the therapist; None for a non-therapist or anything forged or garbled.
    `most_args`: how many arguments the button may carry (the id, then its own choice)."""
    therapist_id = await own_therapist_id(turn)
    pressed = callback.int_arg(0) if 1 <= len(callback.args) <= most_args else None
    return (therapist_id, pressed) if therapist_id is not None and pressed is not None else None


async def is_therapist(turn: Turn) -> bool:
    return turn.svc.is_admin(turn.user.id) or await _therapist_row(turn) is not None


def _guarded(
    allowed: Callable[[Turn], Awaitable[bool]], refusal: str
) -> Callable[[Handler], Handler]:
    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def guarded(turn: Turn, *args: Any) -> Any:
            if await allowed(turn):
                return await handler(turn, *args)
            if args:  # a button press (turn, callback): the dispatcher's "nothing changed"
                return False
            await turn.say(turn.t(refusal))
            return None

        return guarded  # type: ignore[return-value]

    return decorate


async def _is_admin(turn: Turn) -> bool:
    return turn.svc.is_admin(turn.user.id)


therapists_only = _guarded(is_therapist, "therapists.only")
"""For a therapist's command handler `(turn)` or button handler `(turn, callback)`."""

admins_only = _guarded(_is_admin, "therapists.admins_only")
"""For an admin's command or button handler (adding and removing therapists)."""
