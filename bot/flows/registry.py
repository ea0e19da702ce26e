"""Every flow's Router, and how they are installed into python-telegram-bot.

`ROUTERS` is the whole list; the order only sets the order of the command menus.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, MessageHandler, TypeHandler, filters

from bot.flows import (
    after_answer,
    bad_input,
    builder,
    client_actions,
    client_messages,
    clients,
    enrolment,
    erasure,
    followups,
    general,
    invites,
    language,
    later,
    messages,
    newclient,
    nudge_replies,
    patterns,
    pause,
    privacy,
    progress,
    reports,
    routine,
    routine_edit,
    settings,
    stop,
    templates,
    therapist_settings,
    therapists,
    timing,
)
from bot.flows.router import Dispatcher, Router

ROUTERS: tuple[Router, ...] = (
    enrolment.router,
    nudge_replies.router,
    after_answer.router,
    later.router,
    followups.router,
    patterns.router,
    messages.router,
    newclient.router,
    builder.router,
    routine_edit.router,
    progress.router,
    routine.router,
    timing.router,
    invites.router,
    clients.router,
    client_actions.router,
    templates.router,
    reports.router,
    therapists.router,
    general.router,
    pause.router,
    stop.router,
    privacy.router,
    erasure.router,
    language.router,
    settings.router,
    client_messages.router,
    therapist_settings.router,
)


def install(app: Application) -> Dispatcher:  # type: ignore[type-arg]
    """Register every flow with python-telegram-bot, plus the fallbacks after them."""
    private = filters.ChatType.PRIVATE
    dispatcher = Dispatcher(ROUTERS, free_text=messages.typed)
    # First: anything not ours (groups, channels, inline presses) goes no further.
    app.add_handler(TypeHandler(Update, bad_input.gate), group=-3)
    app.add_handler(TypeHandler(Update, language.recall_choice), group=-2)
    app.add_handler(TypeHandler(Update, general.mark_reachable), group=-1)
    dispatcher.install(app)
    app.add_handler(MessageHandler(filters.COMMAND & private, general.unknown_command))
    app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & private, general.unsupported))
    app.add_error_handler(general.on_error)
    return dispatcher
