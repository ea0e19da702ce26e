"""/language: anyone picks the language the bot speaks with them, whatever their app's.

The choice is stored per person and looked up before every update
(`recall_choice`), so every reply, and the nudges and alerts written from the
client and therapist rows, follow it from then on; so does the person's own
command menu.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot.db import person_settings
from bot.flows.router import Audience, Router
from bot.flows.turn import CHOSEN_LANGUAGE, Turn, edit_quietly, services
from bot.views.callbacks import LANGUAGE, Callback
from bot.views.settings import FROM_SETTINGS, language_keyboard, settings_view

log = logging.getLogger(__name__)
router = Router()


@router.command("language", menu=Audience.EVERYONE)
async def offer_languages(turn: Turn) -> None:
    await turn.say(turn.t("language.choose"), language_keyboard(turn.svc.texts, turn.lang))


@router.button(LANGUAGE)
async def language_chosen(turn: Turn, callback: Callback) -> bool:
    code, *rest = callback.args or ("",)
    from_settings = rest == [FROM_SETTINGS]
    if code not in turn.svc.texts.languages or (rest and not from_settings):
        return False
    async with turn.svc.db.transaction() as session:
        await person_settings.choose_language(session, turn.user.id, code, turn.now)
        prefs = await person_settings.preferences(session, turn.user.id)
    if turn.svc.languages is not None:
        turn.svc.languages.remember(turn.user.id, code)
    turn.lang = code  # the rest of this turn speaks the new language already
    await turn.answer(turn.t("language.chosen") if from_settings else None)
    await publish_menu(turn)
    if from_settings:
        await edit_quietly(turn.query, *settings_view(turn.svc.texts, turn.lang, prefs))
    else:
        await edit_quietly(turn.query, turn.t("language.chosen"))
    return True


async def publish_menu(turn: Turn) -> None:
    """This person's command menu in their language, whatever their app's language is."""
    if turn.svc.menus is not None:
        await turn.svc.menus.publish_for_person(turn.svc.db, turn.user.id, turn.lang)


async def recall_choice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Before any flow runs: the person's chosen language, for this update's Turn."""
    user = update.effective_user
    choices = services(context).languages
    if user is None or choices is None:
        return
    chosen = await choices.of(user.id)
    if chosen is not None:
        setattr(context, CHOSEN_LANGUAGE, chosen)
