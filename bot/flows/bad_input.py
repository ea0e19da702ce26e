"""The gate in front of every flow: only what a person does in a private chat gets in.

The bot asks Telegram for messages, edits and button presses only (ALLOWED_UPDATES),
but other kinds can still arrive (a webhook set up elsewhere, a bot added to a
group, a press on an inline message, a business chat). Those stop here, with no
answer and no error. An edited message is answered once, briefly, and never read
as a new answer: it would record something twice or restart a flow.
"""

from __future__ import annotations

from telegram import Chat, Update
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.flows.turn import Turn

ALLOWED_UPDATES = (Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY)


def _private(chat: Chat | None) -> bool:
    return chat is not None and chat.type == Chat.PRIVATE


def is_ours(update: Update) -> bool:
    """A message or a press on a message, in a private chat with a person."""
    if update.message is not None:
        return _private(update.message.chat) and update.message.from_user is not None
    query = update.callback_query
    return query is not None and query.message is not None and _private(query.message.chat)


async def gate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if is_ours(update):
        return
    edited = update.edited_message
    if edited is not None and _private(edited.chat) and (turn := Turn.of(update, context)):
        await turn.say(turn.t("answers.edited"))
    raise ApplicationHandlerStop
