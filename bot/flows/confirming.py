"""Asking "are you sure?" before something that can't be taken back (/stop, /deletemydata).

The question opens a one-step dialog, so only a press on the question just asked
counts: an old keyboard from last week, or a forged press, changes nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from bot.db.dialogs import DialogState
from bot.db.pauses import Notice
from bot.flows.notices import tell_therapists
from bot.flows.router import Router, dialog_of
from bot.flows.turn import Turn
from bot.views.callbacks import Callback
from bot.views.confirm import NO, YES, confirm_keyboard

Action = Callable[[Turn], Awaitable[None]]


async def ask(turn: Turn, flow: str, prefix: str, therapist: str) -> None:
    """Ask `<flow>.confirm`, with the buttons `buttons.<flow>_yes` and `buttons.<flow>_no`."""
    await turn.save(DialogState(flow, "confirm"))
    markup = confirm_keyboard(
        turn.svc.texts, turn.lang, prefix, f"buttons.{flow}_yes", f"buttons.{flow}_no"
    )
    await turn.say(turn.t(f"{flow}.confirm", therapist=therapist), markup)


def on_yes(router: Router, prefix: str) -> Callable[[Action], Action]:
    """Run the decorated action when the question `ask` put is answered yes.

    A no hears `<flow>.kept`; a press that answers no open question (an old
    keyboard, forged data) is refused by the dispatcher and changes nothing.
    """
    flow = router.flow
    assert flow is not None, "a confirmation lives in its flow's dialog"

    def register(action: Action) -> Action:
        @router.button(prefix)
        async def answered(turn: Turn, callback: Callback) -> bool:
            answer = callback.args[0] if callback.args else ""
            if answer not in (YES, NO) or await dialog_of(turn, flow) is None:
                return False
            await turn.answer(close=True)
            if answer == YES:
                await action(turn)
            else:
                await turn.end_dialog()
                await turn.say(turn.t(f"{flow}.kept"))
            return True

        return action

    return register


async def done(turn: Turn, flow: str, therapist: str, notices: Sequence[Notice]) -> None:
    """Say `<flow>.done` to the client, then `<flow>.therapist` to each therapist."""
    await turn.say(turn.t(f"{flow}.done", therapist=therapist))
    await tell_therapists(turn, notices, f"{flow}.therapist")
