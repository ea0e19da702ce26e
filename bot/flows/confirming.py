"""Asking "are you sure?" before something that can't be taken back (/stop, /deletemydata).

The question opens a one-step dialog, so only a press on the question just asked
counts: an old keyboard from last week, or a forged press, changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.db.dialogs import DialogState
from bot.db.pauses import Notice
from bot.flows.notices import tell_therapists
from bot.flows.router import dialog_of
from bot.flows.turn import Turn
from bot.views.callbacks import Callback
from bot.views.confirm import NO, YES, confirm_keyboard


async def ask(turn: Turn, flow: str, prefix: str, therapist: str) -> None:
    """Ask `<flow>.confirm`, with the buttons `buttons.<flow>_yes` and `buttons.<flow>_no`."""
    await turn.save(DialogState(flow, "confirm"))
    markup = confirm_keyboard(
        turn.svc.texts, turn.lang, prefix, f"buttons.{flow}_yes", f"buttons.{flow}_no"
    )
    await turn.say(turn.t(f"{flow}.confirm", therapist=therapist), markup)


async def said_yes(turn: Turn, callback: Callback, flow: str) -> bool | None:
    """True: go ahead. False: they said no, and heard `<flow>.kept`. None: the press
    doesn't answer an open question (the dispatcher refuses it politely)."""
    answer = callback.args[0] if callback.args else ""
    if answer not in (YES, NO) or await dialog_of(turn, flow) is None:
        return None
    await turn.answer(close=True)
    if answer == NO:
        await turn.end_dialog()
        await turn.say(turn.t(f"{flow}.kept"))
        return False
    return True


async def done(turn: Turn, flow: str, therapist: str, notices: Sequence[Notice]) -> None:
    """Say `<flow>.done` to the client, then `<flow>.therapist` to each therapist."""
    await turn.say(turn.t(f"{flow}.done", therapist=therapist))
    await tell_therapists(turn, notices, f"{flow}.therapist")
