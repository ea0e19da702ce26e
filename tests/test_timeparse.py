"""Times of day as clients type them, and everything that must not pass as one."""

from datetime import time

import pytest

from bot.domain.timeparse import MAX_INPUT_LENGTH, parse_time_of_day

ALIASES = {"morning": time(8, 0), "Evening": time(19, 0), "vor dem Schlafen": time(22, 15)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7pm", time(19, 0)),
        ("7 pm", time(19, 0)),
        ("7PM", time(19, 0)),
        ("7p", time(19, 0)),
        ("7:30 pm", time(19, 30)),
        ("7.30pm", time(19, 30)),
        ("7:30pm", time(19, 30)),
        ("7:30 P.M.", time(19, 30)),
        ("7 a.m.", time(7, 0)),
        ("7 a.m", time(7, 0)),
        ("7am", time(7, 0)),
        ("11:59 pm", time(23, 59)),
        ("12am", time(0, 0)),
        ("12:30 am", time(0, 30)),
        ("12pm", time(12, 0)),
        ("12:45pm", time(12, 45)),
        ("19:30", time(19, 30)),
        ("19.30", time(19, 30)),
        ("19h30", time(19, 30)),
        ("19H30", time(19, 30)),
        ("19h", time(19, 0)),
        ("19 : 30", time(19, 30)),
        ("1930", time(19, 30)),
        ("0730", time(7, 30)),
        ("0000", time(0, 0)),
        ("730pm", time(19, 30)),
        ("1230am", time(0, 30)),
        ("7", time(7, 0)),
        ("07", time(7, 0)),
        ("19", time(19, 0)),
        ("0", time(0, 0)),
        ("00:00", time(0, 0)),
        ("23:59", time(23, 59)),
        ("  7pm  ", time(19, 0)),
        ("\t19:30\n", time(19, 30)),
        # Full-width digits and colon from CJK keyboards, Arabic-Indic digits.
        ("１９：３０", time(19, 30)),
        ("٧:٣٠", time(7, 30)),
        # The single-character "p.m." symbol folds to its letters.
        ("7㏘", time(19, 0)),
    ],
)
def test_accepts_what_people_type(text: str, expected: time) -> None:
    assert parse_time_of_day(text, {}) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "banana",
        "25:00",
        "24:00",
        "2400",
        "7:60",
        "19:99",
        "13pm",
        "0am",
        "00:00 pm",
        "7:5",
        "7.5pm",
        "7:300",
        "19h3",
        "123456",
        "7 pm pm",
        "7pm tomorrow",
        "-7",
        "7:30:15",
        "noon",
        "7" + " " * 50 + "pm",
        "1" * (MAX_INPUT_LENGTH + 1),
        "9" * 10_000,
    ],
)
def test_rejects_everything_else(text: str) -> None:
    assert parse_time_of_day(text, ALIASES) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("morning", time(8, 0)),
        ("MORNING", time(8, 0)),
        ("  Morning ", time(8, 0)),
        ("evening", time(19, 0)),
        ("vor  dem schlafen", time(22, 15)),
    ],
)
def test_aliases_come_from_config_case_insensitively(text: str, expected: time) -> None:
    assert parse_time_of_day(text, ALIASES) == expected


def test_no_alias_words_are_built_in() -> None:
    assert parse_time_of_day("morning", {}) is None
    assert parse_time_of_day("evening", {"abends": time(19, 0)}) is None


def test_alias_takes_precedence_over_digits() -> None:
    assert parse_time_of_day("7", {"7": time(19, 0)}) == time(19, 0)


def test_results_never_carry_seconds() -> None:
    assert parse_time_of_day("later", {"later": time(21, 5, 30, 12)}) == time(21, 5)
    for text in ("7:30pm", "1930", "19h30", "7"):
        parsed = parse_time_of_day(text, {})
        assert parsed is not None
        assert parsed.second == 0
        assert parsed.microsecond == 0
        assert parsed.tzinfo is None


def test_every_minute_of_the_day_round_trips_in_both_notations() -> None:
    for hour in range(24):
        for minute in range(60):
            expected = time(hour, minute)
            assert parse_time_of_day(f"{hour}:{minute:02d}", {}) == expected
            assert parse_time_of_day(f"{hour:02d}{minute:02d}", {}) == expected
            twelve = hour % 12 or 12
            suffix = "am" if hour < 12 else "pm"
            assert parse_time_of_day(f"{twelve}:{minute:02d} {suffix}", {}) == expected
