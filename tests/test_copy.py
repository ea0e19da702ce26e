"""The copy: every key the code asks for exists, and the voice stays kind."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.domain.replies import parse_reply
from bot.domain.types import Barrier, Concern, Feeling, ReplyKind
from bot.settings import REPO_ROOT
from bot.texts import Texts
from bot.views.enrolment import SLOT_WORDS

TEXTS = Texts.load(REPO_ROOT / "config")
KEY_IN_CODE = re.compile(
    r"""(?:\bt|\.get|turn\.t)\(\s*(?:[a-z_]+,\s*)?["']([a-z_]+\.[a-z_]+)["']"""
)
# Words the product never says to a client (see ../shared/SPEC.md, "Tone").
BANNED = ("fail", "missed", "you should", "don't forget", "streak", "!!")


def _static_keys() -> set[str]:
    keys: set[str] = set()
    for path in Path(REPO_ROOT / "bot").rglob("*.py"):
        keys.update(KEY_IN_CODE.findall(path.read_text(encoding="utf-8")))
    return keys


def _dynamic_keys() -> set[str]:
    keys = {f"reply.{kind.value}" for kind in ReplyKind}
    keys |= {f"nudge.recorded_{kind.value}" for kind in ReplyKind}
    keys |= {f"buttons.{kind.value}" for kind in ReplyKind}
    keys |= {f"buttons.feel_{feeling.value}" for feeling in Feeling}
    keys |= {f"buttons.slot_{word}" for word in SLOT_WORDS}
    keys |= {f"answers.alert_{concern.value}" for concern in Concern}
    keys |= {f"answers.{concern.value}_heard" for concern in Concern}
    keys |= {f"buttons.barrier_{barrier.value}" for barrier in Barrier}
    keys |= {f"commands.{name}" for name in ("start", "help", "cancel", "newclient")}
    return keys


@pytest.mark.parametrize("lang", TEXTS.languages)
def test_every_key_the_code_uses_exists(lang: str) -> None:
    keys = _static_keys() | _dynamic_keys()
    assert len(keys) > 60  # the scan found the code's keys
    missing = []
    for key in sorted(keys):
        try:
            TEXTS.variants(lang, key)
        except KeyError:
            missing.append(key)
    assert missing == []


def _all_strings(node: object) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        return [s for item in node for s in _all_strings(item)]
    if isinstance(node, dict):
        return [s for value in node.values() for s in _all_strings(value)]
    return []


@pytest.mark.parametrize("lang", TEXTS.languages)
def test_the_voice_never_blames(lang: str) -> None:
    for section in ("start", "enrol", "nudge", "reply", "answers", "buttons", "help", "errors"):
        for text in _all_strings(TEXTS.raw(lang, section)):
            lowered = text.lower()
            assert not [word for word in BANNED if word in lowered], text


def test_frequent_messages_have_variants() -> None:
    for key in ("nudge.intro", "reply.done", "reply.some", "reply.not_today", "reply.later"):
        assert len(TEXTS.variants("en", key)) >= 2, key


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("done", "done"),
        ("Did it!", "done"),
        ("✅", "done"),
        ("done, it was hard", "done"),
        ("some of it", "some"),
        ("half", "some"),
        ("later", "later"),
        ("Not today, sorry", "not_today"),
        ("no", "not_today"),
        ("skip", "skipped"),
        ("nothing", None),
        ("donkey", None),
        ("x" * 200, None),
        ("", None),
    ],
)
def test_typed_replies(text: str, kind: str | None) -> None:
    assert parse_reply(text, TEXTS.reply_words("en")) == kind


def test_slot_times_and_time_suffixes_exist_per_language() -> None:
    for lang in TEXTS.languages:
        assert set(TEXTS.slot_times(lang)) == {"morning", "midday", "evening"}
    assert TEXTS.strip_time_suffix("de", "19 Uhr") == "19"
    assert TEXTS.strip_time_suffix("en", "7 o'clock") == "7"


def test_a_language_is_merged_from_its_files_and_a_key_defined_twice_is_refused(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "locales" / "en"
    folder.mkdir(parents=True)
    (folder / "core.toml").write_text('[commands]\nhelp = "What I can do"\n')
    (folder / "pause.toml").write_text(
        '[commands]\npause = "Take a break"\n[pause]\nok = "Paused."\n'
    )
    texts = Texts.load(tmp_path)
    assert texts.get("en", "commands.help") == "What I can do"
    assert texts.get("en", "commands.pause") == "Take a break"
    (folder / "again.toml").write_text('[pause]\nok = "Paused again."\n')
    with pytest.raises(ValueError, match=r"pause\.ok"):
        Texts.load(tmp_path)
