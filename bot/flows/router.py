"""Each flow declares what it answers; the dispatcher reads those declarations.

A flow module builds one `Router` and decorates its coroutines with what they
answer: a command (`@router.command("pause")`), a press on one of its buttons
(`@router.button(PAUSE)`, by callback prefix), or text typed at one of its dialog
steps (`@router.step("until")`). The `Dispatcher` collects the routers, checks
that no two claim the same command or prefix, and installs them in
python-telegram-bot. Adding a feature is a new module and one line in
`bot/flows/__init__.py`, never another branch in a central if-chain; this is how
aiogram composes a Router per feature.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

from telegram import Message, Update
from telegram.constants import MessageLimit
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.db import dialogs
from bot.db.dialogs import DialogState
from bot.flows.turn import Turn
from bot.views.callbacks import Callback, decode

log = logging.getLogger(__name__)
MAX_TEXT = MessageLimit.MAX_TEXT_LENGTH

CommandHandlerFn = Callable[[Turn], Awaitable[None]]
# A button handler returns False when the press does not fit (stale or forged).
ButtonHandlerFn = Callable[[Turn, Callback], Awaitable[bool | None]]
StepHandlerFn = Callable[[Turn, DialogState, str], Awaitable[None]]
# A location shared at a dialog step: (turn, state, latitude, longitude).
LocationHandlerFn = Callable[[Turn, DialogState, float, float], Awaitable[None]]
TextHandlerFn = Callable[[Turn, str], Awaitable[None]]
# Anything but text at a dialog step (a photo, a video, a sticker, a location the step
# did not ask for): the step answers in its own terms instead of the general fallback.
AttachmentHandlerFn = Callable[[Turn, DialogState, Message], Awaitable[None]]
F = TypeVar("F")


class Audience(StrEnum):
    """Whose command menu shows a command."""

    EVERYONE = "everyone"
    CLIENTS = "clients"
    THERAPISTS = "therapists"
    ADMINS = "admins"  # therapists who may also add and remove therapists


@dataclass(frozen=True)
class Command:
    name: str
    handler: CommandHandlerFn
    menu: Audience | None  # None: works, but stays out of the menu


@dataclass
class Router:
    """One flow's declarations. `flow` names its dialog rows (None: no dialog)."""

    flow: str | None = None
    commands: list[Command] = field(default_factory=list)
    buttons: dict[str, ButtonHandlerFn] = field(default_factory=dict)
    steps: dict[str, StepHandlerFn] = field(default_factory=dict)
    locations: dict[str, LocationHandlerFn] = field(default_factory=dict)
    attachments: dict[str, AttachmentHandlerFn] = field(default_factory=dict)

    def command(self, name: str, *, menu: Audience | None = None) -> Callable[[F], F]:
        def register(handler: F) -> F:
            self.commands.append(Command(name, handler, menu))  # type: ignore[arg-type]
            return handler

        return register

    def button(self, *prefixes: str) -> Callable[[F], F]:
        def register(handler: F) -> F:
            for prefix in prefixes:
                self.buttons[prefix] = handler  # type: ignore[assignment]
            return handler

        return register

    def step(self, *names: str) -> Callable[[F], F]:
        """Text typed at one of this flow's dialog steps."""
        return self._at_steps(self.steps, names)

    def location(self, *names: str) -> Callable[[F], F]:
        """A location shared (Telegram's location button) at one of this flow's steps."""
        return self._at_steps(self.locations, names)

    def attachment(self, *names: str) -> Callable[[F], F]:
        """Anything but text (photo, video, sticker, ...) sent at one of this flow's steps."""
        return self._at_steps(self.attachments, names)

    def _at_steps(self, table: dict[str, Any], names: tuple[str, ...]) -> Callable[[F], F]:
        if self.flow is None:
            raise ValueError("only a router with a flow name has dialog steps")

        def register(handler: F) -> F:
            for name in names:
                table[name] = handler
            return handler

        return register


async def dialog_of(turn: Turn, flow: str) -> DialogState | None:
    """The person's dialog if it belongs to `flow`: a button of another flow is stale."""
    async with turn.svc.db.transaction() as session:
        state = await dialogs.load(session, turn.user.id)
    return state if state is not None and state.flow == flow else None


async def dialog_at(turn: Turn, flow: str, step: str) -> DialogState | None:
    """The person's dialog if it is at `step` of `flow`: a button for another step is stale."""
    state = await dialog_of(turn, flow)
    return state if state is not None and state.step == step else None


class Dispatcher:
    """Routes updates to the flows that declared them."""

    def __init__(self, routers: Sequence[Router], free_text: TextHandlerFn) -> None:
        self.routers = list(routers)
        self._free_text = free_text
        self._flows: dict[str, Router] = {}
        self._buttons: dict[str, ButtonHandlerFn] = {}
        self.commands: dict[str, Command] = {}
        for router in self.routers:
            if router.flow is not None:
                _claim(self._flows, router.flow, router, "flow")
            for prefix, handler in router.buttons.items():
                _claim(self._buttons, prefix, handler, "callback prefix")
            for command in router.commands:
                _claim(self.commands, command.name, command, "command")

    def menu(self, *audiences: Audience) -> list[Command]:
        """Commands for a menu shown to these audiences, in the order the flows declared them."""
        wanted = {*audiences, Audience.EVERYONE}
        return [c for c in self.commands.values() if c.menu in wanted]

    def install(self, app: Application) -> None:  # type: ignore[type-arg]
        private = filters.ChatType.PRIVATE
        for command in self.commands.values():
            app.add_handler(CommandHandler(command.name, _command(command.handler), private))
        app.add_handler(CallbackQueryHandler(self.on_button))
        app.add_handler(
            MessageHandler(
                filters.UpdateType.MESSAGE & filters.LOCATION & private, self.on_location
            )
        )
        app.add_handler(
            MessageHandler(
                filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND & private,
                self.on_text,
            )
        )
        app.add_handler(
            MessageHandler(
                filters.UpdateType.MESSAGE & ~filters.TEXT & ~filters.COMMAND & private,
                self.on_attachment,
            )
        )

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        turn = Turn.of(update, context)
        message = update.effective_message
        if turn is None or message is None or message.text is None:
            return
        text = message.text.strip()[:MAX_TEXT]
        state, router = await self._dialog(turn)
        step = router.steps.get(state.step) if router is not None and state is not None else None
        if step is not None and state is not None:
            await step(turn, state, text)
        else:
            await self._free_text(turn, text)

    async def on_location(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A shared location goes to the step that asked for one; the coordinates are
        handed over and never stored or logged here."""
        turn = Turn.of(update, context)
        message = update.effective_message
        if turn is None or message is None or message.location is None:
            return
        state, router = await self._dialog(turn)
        handler = (
            router.locations.get(state.step) if router is not None and state is not None else None
        )
        if handler is None or state is None:
            await self._attachment(turn, state, router, message)
            return
        await handler(turn, state, message.location.latitude, message.location.longitude)

    async def on_attachment(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A photo, video, sticker or other non-text message: the dialog step's own
        answer if it has one, else the general "I can only read text"."""
        turn = Turn.of(update, context)
        message = update.effective_message
        if turn is None or message is None:
            return
        state, router = await self._dialog(turn)
        await self._attachment(turn, state, router, message)

    async def _attachment(
        self, turn: Turn, state: DialogState | None, router: Router | None, message: Message
    ) -> None:
        handler = (
            router.attachments.get(state.step) if router is not None and state is not None else None
        )
        if handler is None or state is None:
            await turn.say(turn.t("reply.unsupported"))
            return
        await handler(turn, state, message)

    async def _dialog(self, turn: Turn) -> tuple[DialogState | None, Router | None]:
        async with turn.svc.db.transaction() as session:
            state = await dialogs.load(session, turn.user.id)
        return state, self._flows.get(state.flow) if state is not None else None

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        turn = Turn.of(update, context)
        if turn is None or update.callback_query is None:
            return
        callback = decode(update.callback_query.data)
        handler = self._buttons.get(callback.prefix) if callback is not None else None
        if handler is None or callback is None or await handler(turn, callback) is False:
            # A button from an earlier step, another flow, or forged data: change nothing.
            await turn.answer(turn.t("reply.stale"), close=True)


def _claim(table: dict[str, F], key: str, value: F, what: str) -> None:
    if key in table:
        raise ValueError(f"two flows declare the {what} {key!r}")
    table[key] = value


def _command(
    handler: CommandHandlerFn,
) -> Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]:
    async def run(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if (turn := Turn.of(update, context)) is not None:
            await handler(turn)

    return run
