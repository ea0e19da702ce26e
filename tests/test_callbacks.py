"""The callback-data codec: one lowercase letter, or T and one lowercase letter, as a
prefix; at most three short safe arguments; 64 bytes at most; anything else refused."""

from __future__ import annotations

import pytest

from bot.views.callbacks import decode, encode


@pytest.mark.parametrize(
    ("data", "prefix", "args"),
    [
        ("r:12:d", "r", ("12", "d")),
        ("Ta:rm:5", "Ta", ("rm", "5")),
        ("Tr:123", "Tr", ("123",)),
        ("Tq:", "Tq", ("",)),
        ("Ti:1:2:3", "Ti", ("1", "2", "3")),
    ],
)
def test_valid_data_round_trips(data: str, prefix: str, args: tuple[str, ...]) -> None:
    callback = decode(data)
    assert callback is not None and (callback.prefix, callback.args) == (prefix, args)
    assert encode(prefix, *args) == data


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        "T:1",  # T alone is not a prefix
        "TA:1",  # the second letter is lowercase
        "Tab:1",  # two letters at most
        "ta:1",  # two lowercase letters are not a prefix
        "A:1",
        "R:1",  # only T starts an uppercase prefix
        "Tr",  # no separator
        "Tr:1:2:3:4",  # three arguments at most
        "Tr:" + "1" * 41,  # an argument is 40 characters at most
        "Tr:a b",
        "Tr:ü",
        "Tr:1\n",
        "Tr:" + ":".join(["a" * 30] * 3),  # over 64 bytes
    ],
)
def test_anything_else_is_refused(data: str | None) -> None:
    assert decode(data) is None


def test_encode_refuses_what_decode_would() -> None:
    with pytest.raises(ValueError):
        encode("TA", 1)
    with pytest.raises(ValueError):
        encode("Tr", "a" * 30, "b" * 31)  # 65 bytes
    assert len(encode("Tr", "a" * 30, "b" * 30).encode()) == 64
