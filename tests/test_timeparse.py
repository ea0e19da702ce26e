"""Times of day as clients type them, and everything that must not pass as one."""

from datetime import time

import pytest

from bot.domain.timeparse import (
    MAX_INPUT_LENGTH,
    TimeReading,
    TimeVocabulary,
    parse_time_of_day,
    read_time,
)

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


# --- read_time: words, phrases and what needs confirming -------------------------------

ENGLISH = TimeVocabulary(
    aliases={"morning": time(8, 0), "after lunch": time(13, 30), "noon": time(12, 0)},
    exact=frozenset({"Noon"}),
    hours={"seven": 7, "eight": 8, "twelve": 12, "one": 1},
    phrases={"half past {h}": 30, "quarter to {h}": -15, "{h} thirty": 30},
    day_parts={"am": "am", "in the morning": "am", "pm": "pm", "in the evening": "pm"}
    | {"tonight": "pm"},
    prefixes=("at", "around"),
    suffixes=("o'clock",),
)
GERMAN = TimeVocabulary(
    aliases={"abends": time(19, 0)},
    hours={"sieben": 7, "acht": 8},
    phrases={"halb {h}": -30, "viertel nach {h}": 15, "viertel vor {h}": -15},
    day_parts={"morgens": "am", "abends": "pm"},
    prefixes=("um", "gegen"),
    suffixes=("uhr", "h"),
)


def either(hour: int, minute: int) -> TimeReading:
    return TimeReading((time(hour, minute), time(hour + 12, minute)))


def certain(hour: int, minute: int) -> TimeReading:
    return TimeReading((time(hour, minute),))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7pm", certain(19, 0)),
        ("19:30", certain(19, 30)),
        ("at 7:30 pm", certain(19, 30)),
        ("around 8am", certain(8, 0)),
        ("7 o'clock in the evening", certain(19, 0)),
        ("7 in the morning", certain(7, 0)),
        ("7 tonight", certain(19, 0)),
        ("19:00 in the evening", certain(19, 0)),
        ("half past seven", either(7, 30)),
        ("Half past 7", certain(7, 30)),  # digits read as the 24-hour clock, as "7:30" is
        ("half past seven pm", certain(19, 30)),
        ("half past seven in the evening", certain(19, 30)),
        ("at half past seven in the morning", certain(7, 30)),
        ("quarter to eight", either(7, 45)),
        ("quarter to one", either(0, 45)),
        ("half past twelve", either(0, 30)),
        ("seven thirty", either(7, 30)),
        ("seven", either(7, 0)),
        ("seven o'clock", either(7, 0)),
        ("half past seven!", either(7, 30)),
        ("morning", TimeReading((time(8, 0),), vague=True)),
        ("After  Lunch", TimeReading((time(13, 30),), vague=True)),
        ("around lunch", None),
        ("noon", certain(12, 0)),
        ("at noon", certain(12, 0)),
    ],
)
def test_read_time_in_english(text: str, expected: TimeReading | None) -> None:
    assert read_time(text, ENGLISH) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("halb acht", either(7, 30)),
        ("halb acht abends", certain(19, 30)),
        ("um halb 8", certain(7, 30)),
        ("halb 20", certain(19, 30)),
        ("viertel nach sieben morgens", certain(7, 15)),
        ("viertel vor acht", either(7, 45)),
        ("gegen 18 Uhr", certain(18, 0)),
        ("19h", certain(19, 0)),
        ("7 abends", certain(19, 0)),
        ("19 abends", certain(19, 0)),
        ("19 morgens", None),  # the day part contradicts the hour
        ("abends", TimeReading((time(19, 0),), vague=True)),
    ],
)
def test_read_time_in_german(text: str, expected: TimeReading | None) -> None:
    assert read_time(text, GERMAN) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "at",
        "banana",
        "half past",
        "half past thirteen",
        "half past 25",
        "quarter to banana",
        "seven seven",
        "pm",
        "in the evening",
        "7:60 pm",
        "x" * (MAX_INPUT_LENGTH + 1),
    ],
)
def test_read_time_refuses_what_is_not_a_time(text: str) -> None:
    assert read_time(text, ENGLISH) is None


def test_only_a_certain_reading_has_a_certain_time() -> None:
    assert certain(19, 30).certain == time(19, 30)
    assert either(7, 30).certain is None
    assert TimeReading((time(8, 0),), vague=True).certain is None


def test_markers_only_count_as_whole_words() -> None:
    words = TimeVocabulary(hours={"seven": 7}, day_parts={"m": "pm"}, suffixes=("h",))
    assert read_time("seven", words) == either(7, 0)
    assert read_time("sevenm", words) is None
    assert read_time("7 m", words) == certain(19, 0)
