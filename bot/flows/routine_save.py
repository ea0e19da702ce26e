"""What saving the builder's draft does: a new client with an invite, or an edit of a
client's routine as a new version (the client gets a short, warm note of what changed).
"""

from __future__ import annotations

import logging
from datetime import time

from telegram.error import Forbidden, TelegramError

from bot.db import clients, dialogs, routine_edits
from bot.db.dialogs import DialogState
from bot.db.models import Client, Exercise, ReminderSlot, Therapist
from bot.domain.builder import Changes, Draft, changes
from bot.domain.schedule import EVERY_DAY, mask_to_weekdays
from bot.domain.types import ClientStatus, Frequency
from bot.flows.guard import is_therapist, own_therapist_id
from bot.flows.invites import send_invite
from bot.flows.turn import Turn
from bot.texts import Texts

log = logging.getLogger(__name__)


def draft_of(exercise: Exercise) -> Draft:
    return {
        "id": exercise.id,
        "name": exercise.name,
        "dose": exercise.dose,
        "notes": exercise.notes,
        "media": exercise.media_file_id,
        "kind": exercise.media_kind,
    }


def spec_of(draft: Draft) -> clients.ExerciseSpec:
    return clients.ExerciseSpec(
        draft["name"],
        draft["dose"],
        draft.get("notes") or None,
        draft.get("media") or None,
        draft.get("kind") or None,
    )


def _frequency(state: DialogState) -> tuple[Frequency, int | None]:
    frequency = Frequency(state.data["frequency"])
    return frequency, state.data.get("times") if frequency is Frequency.WEEKLY else None


async def therapist_row(turn: Turn) -> int:
    """The therapist's id, making their row first if they are an admin without one."""
    async with turn.svc.db.transaction() as session:
        therapist = await clients.ensure_therapist(
            session, turn.user.id, turn.user.full_name, turn.lang, turn.now
        )
    assert therapist.id is not None
    return therapist.id


async def create(turn: Turn, state: DialogState) -> None:
    """The new client, their routine (version 1) and an invite, in one transaction."""
    if not await is_therapist(turn):  # removed by an admin while building
        await turn.end_dialog()
        await turn.say(turn.t("therapists.only"))
        return
    frequency, times = _frequency(state)
    label = state.data["label"]
    async with turn.svc.db.transaction() as session:
        therapist = await clients.ensure_therapist(
            session, turn.user.id, turn.user.full_name, turn.lang, turn.now
        )
        _client, invite, token = await clients.create_client_with_invite(
            session,
            therapist,
            label,
            [spec_of(draft) for draft in state.data["exercises"]],
            frequency,
            times,
            turn.now,
            turn.svc.settings.invite_ttl,
        )
        await dialogs.clear(session, turn.user.id)
    assert invite.id is not None
    await send_invite(turn, "newclient.invite", label, token, invite.id, invite.expires_at)


async def save_edit(turn: Turn, state: DialogState) -> None:
    """The edited routine in place as the next version; the client's reminders follow a
    new frequency. Checked again here: the client must still be this therapist's."""
    frequency, times = _frequency(state)
    drafts: list[Draft] = state.data["exercises"]
    therapist_id = await own_therapist_id(turn) or 0
    async with turn.svc.db.transaction() as session:
        own = await routine_edits.own_routine(session, therapist_id, state.data["client_id"])
        if own is not None:
            before = [draft_of(exercise) for exercise in own.exercises]
            was = (own.routine.frequency, own.routine.times_per_week)
            pairs = [(draft.get("id"), spec_of(draft)) for draft in drafts]
            routine = await routine_edits.save_edit(session, own, pairs, frequency, times, turn.now)
            slots: list[ReminderSlot] = []
            if (frequency, times) != was:
                usual = turn.svc.texts.slot_times(own.client.language)
                slots = await routine_edits.follow_frequency(
                    session,
                    own.client,
                    frequency,
                    times,
                    (usual["morning"], usual["evening"]),
                    turn.now,
                )
            therapist = await session.get(Therapist, therapist_id)
        await dialogs.clear(session, turn.user.id)
    if own is None or therapist is None:
        await turn.say(turn.t("builder.client_gone"))
        return
    client = own.client
    told = False
    what, new_frequency = changes(before, drafts), (frequency, times) != was
    joined = client.status != ClientStatus.INVITED and client.reachable
    if joined and client.chat_id and (what or new_frequency):
        name = therapist.display_name
        note = change_note(turn.svc.texts, client, name, what, new_frequency, slots)
        told = await _tell(turn, client.chat_id, note)
    key = "builder.edit_saved_told" if told else "builder.edit_saved"
    await turn.say(turn.t(key, label=client.label, version=routine.version))


def change_note(
    texts: Texts,
    client: Client,
    therapist: str,
    what: Changes,
    new_frequency: bool,
    slots: list[ReminderSlot],
) -> str:
    """A few warm lines in the client's language: what is new, changed, gone, and when."""
    lang = client.language
    lines = [texts.get(lang, "builder.note_intro", therapist=therapist)]
    for key, names in (
        ("builder.note_added", what.added),
        ("builder.note_changed", what.changed),
        ("builder.note_removed", what.removed),
    ):
        if names:
            lines.append(texts.get(lang, key, names=", ".join(names)))
    if what.reordered and not (what.added or what.removed or what.changed):
        lines.append(texts.get(lang, "builder.note_reordered"))
    if new_frequency and slots:
        times = [time.fromisoformat(slot.local_time) for slot in slots]
        at = f" {texts.raw(lang, 'meta.list_and')} ".join(texts.format_time(lang, t) for t in times)
        days = slots[0].weekdays
        if days == EVERY_DAY:
            lines.append(texts.get(lang, "builder.note_every_day", times=at))
        else:
            named = texts.format_weekdays(lang, mask_to_weekdays(days))
            lines.append(texts.get(lang, "builder.note_days", days=named, times=at))
    lines.append(texts.get(lang, "builder.note_outro"))
    return "\n".join(lines)


async def _tell(turn: Turn, chat_id: int, text: str) -> bool:
    try:
        await turn.tell(chat_id, text)
    except Forbidden:
        return False
    except TelegramError:
        log.warning("could not tell a client their routine changed")
        return False
    return True
