"""Messages between a client and their therapist, relayed by the bot (/message).

The text is sealed at rest. The bot's copy in the recipient's chat is remembered
(chat and message id), so a therapist who replies to that copy reaches the client.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import Client, Message, Therapist
from bot.domain.types import ClientStatus, MessageDirection


@dataclass(frozen=True)
class Pair:
    """A client and their therapist, as one conversation."""

    client: Client
    therapist: Therapist


def _pairs() -> object:
    return select(Client, Therapist).join(  # type: ignore[call-overload]
        Therapist, col(Therapist.id) == col(Client.therapist_id)
    )


async def pair_of_client_user(
    session: AsyncSession, user_id: int, client_id: int | None = None
) -> Pair | None:
    """The person's most recent joined client record (or the given one, if it is theirs)."""
    query = _pairs().where(  # type: ignore[attr-defined]
        col(Client.telegram_user_id) == user_id, col(Client.status) != ClientStatus.INVITED
    )
    if client_id is not None:
        query = query.where(col(Client.id) == client_id)
    row = (await session.exec(query.order_by(col(Client.joined_at).desc()).limit(1))).first()
    return Pair(*row) if row is not None else None


async def record(
    session: AsyncSession,
    client_id: int,
    direction: MessageDirection,
    text: str,
    now: datetime,
    reply_to: int | None = None,
) -> int:
    message = Message(
        client_id=client_id, direction=direction, text=text, created_at=now, reply_to_id=reply_to
    )
    session.add(message)
    await session.flush()
    assert message.id is not None
    return message.id


async def delivered(
    session: AsyncSession, message_id: int, chat_id: int, relay_message_id: int, now: datetime
) -> None:
    await session.exec(
        update(Message)  # type: ignore[call-overload]
        .where(col(Message.id) == message_id)
        .values(delivered_at=now, relay_chat_id=chat_id, relay_message_id=relay_message_id)
    )


@dataclass(frozen=True)
class Relayed:
    """A message the bot delivered into this chat, and who it was between."""

    message_id: int
    direction: MessageDirection
    pair: Pair


async def relayed_in_chat(
    session: AsyncSession, user_id: int, chat_id: int, relay_message_id: int
) -> Relayed | None:
    """The relayed message someone replied to, if it was delivered to them."""
    row = (
        await session.exec(
            _pairs()  # type: ignore[attr-defined]
            .add_columns(Message.id, Message.direction)
            .join(Message, col(Message.client_id) == col(Client.id))
            .where(
                col(Message.relay_chat_id) == chat_id,
                col(Message.relay_message_id) == relay_message_id,
            )
        )
    ).first()
    if row is None:
        return None
    client, therapist, message_id, direction = row
    recipient = (
        therapist.telegram_user_id
        if direction == MessageDirection.TO_THERAPIST
        else client.telegram_user_id
    )
    if recipient != user_id:
        return None
    return Relayed(message_id, MessageDirection(direction), Pair(client, therapist))


async def pair_of_therapist(
    session: AsyncSession, therapist_id: int, client_id: int
) -> Pair | None:
    """The client and their therapist, if the client is this therapist's."""
    query = _pairs().where(  # type: ignore[attr-defined]
        col(Client.id) == client_id, col(Client.therapist_id) == therapist_id
    )
    row = (await session.exec(query)).first()
    return Pair(*row) if row is not None else None


async def message_from_client(
    session: AsyncSession, therapist_id: int, message_id: int
) -> Pair | None:
    """Who wrote a message, if it is a client's message to this therapist."""
    query = (
        _pairs()  # type: ignore[attr-defined]
        .join(Message, col(Message.client_id) == col(Client.id))
        .where(
            col(Message.id) == message_id,
            col(Message.direction) == MessageDirection.TO_THERAPIST,
            col(Client.therapist_id) == therapist_id,
        )
    )
    row = (await session.exec(query)).first()
    return Pair(*row) if row is not None else None
