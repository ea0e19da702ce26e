"""Turn what a client types ("berlin", "São Paulo", "America/New_York") into IANA zones.

Clients rarely know their IANA zone name, but they know their city. The answer is
a ranked list rather than one zone because city names are ambiguous ("Sydney" is
also in Nova Scotia); the conversation layer decides whether to ask.
"""

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Self
from zoneinfo import available_timezones

MAX_INPUT_LENGTH = 80
"""Longer input is not a place name; refusing it bounds normalization work."""

UTC_ZONE = "UTC"
# A namesake at least this many times bigger wins outright (see _distinct_zones).
DOMINANCE = 10

# Exact spellings of "no offset" people use. Bare abbreviations such as "EST" or
# "CET" are deliberately *not* accepted as zones: in tzdata they are fixed-offset
# or legacy zones, so a client typing "EST" in July would silently get the wrong
# hour. They fall through to the city index (and usually to "unknown").
_UTC_SPELLINGS = frozenset({"utc", "gmt", "z"})

# Letters that Unicode does not decompose into base letter + accent, so NFKD alone
# would leave "Łódź" or "Tromsø" unmatched by their ASCII spellings.
_FOLD = str.maketrans(
    {
        "ø": "o",
        "ł": "l",
        "đ": "d",
        "ð": "d",
        "ħ": "h",
        "ı": "i",
        "ŧ": "t",
        "æ": "ae",
        "œ": "oe",
        "þ": "th",
    }
)
# Apostrophes vanish ("N'Djamena" = "Ndjamena"); other punctuation separates words
# ("Saint-Denis" = "Saint Denis", "St. Louis" = "St Louis").
_APOSTROPHES = re.compile(r"['`´‘’ʻʼ]")
_SLASH_SPACING = re.compile(r"\s*/\s*")
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—_.,;:/()\[\]·・]+")


def normalize_place_name(text: str) -> str:
    """Fold a place name to the key stored in ``config/cities.tsv``.

    Clients type without accents, in any case and with improvised punctuation,
    so "SÃO-PAULO", "sao paulo" and "São Paulo" must meet at one key. The data
    generator uses this same function, which is what keeps file and lookups in
    agreement.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    stripped = _APOSTROPHES.sub("", stripped.translate(_FOLD))
    return _SEPARATORS.sub(" ", stripped).strip()


class CityIndex:
    """Normalized city names mapped to time zones, most populous city first.

    Population is only used for ranking at load time; lookups return zone names
    because that is all a reminder needs.
    """

    __slots__ = ("_zones",)

    def __init__(self, zones_by_name: Mapping[str, Sequence[str]]) -> None:
        """Take an already normalized and ranked mapping (see ``from_rows``)."""
        self._zones: dict[str, tuple[str, ...]] = {
            name: tuple(zones) for name, zones in zones_by_name.items()
        }

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, str, int]]) -> Self:
        """Build from (name, zone, population) rows in any order and spelling.

        Names are normalized here, so callers (tests, ad-hoc data) may pass
        "São Paulo"; ``load`` skips that step because the generator already did it.
        """
        return cls._ranked((normalize_place_name(name), zone, pop) for name, zone, pop in rows)

    @classmethod
    def load(cls, path: Path) -> Self:
        """Read the TSV written by ``scripts/build_cities.py``.

        Names in the file are already normalized, and not normalizing them again
        is what keeps loading well under 100 ms, cheap enough to do lazily on the
        first time-zone question. Malformed lines raise, because a silently
        truncated index would make cities "unknown" for no visible reason.
        """
        return cls._ranked(_read_rows(path))

    @classmethod
    def _ranked(cls, rows: Iterable[tuple[str, str, int]]) -> Self:
        """Order each name's zones by population; duplicates keep their largest one."""
        found: dict[str, list[tuple[int, str]]] = {}
        for name, zone, population in rows:
            if name:
                found.setdefault(name, []).append((-population, zone))
        return cls({name: _distinct_zones(ranked) for name, ranked in found.items()})

    def lookup(self, name: str) -> list[str]:
        """Zones for a city name, best first; empty when the name is unknown."""
        if len(name) > MAX_INPUT_LENGTH:
            return []
        return list(self._zones.get(normalize_place_name(name), ()))

    def __len__(self) -> int:
        """Number of distinct names, mostly useful to assert a file loaded."""
        return len(self._zones)


def resolve_timezone(text: str, cities: CityIndex) -> list[str]:
    """Candidate IANA zone names for what a client typed, best first.

    An exact zone name wins over cities because someone who types
    "Europe/Berlin" knows what they want. Only names with a "/" count as zone
    names, for the reason given at ``_UTC_SPELLINGS``. "Berlin, Germany" falls
    back to the part before the comma, since the index has no countries.
    """
    if len(text) > MAX_INPUT_LENGTH:
        return []
    stripped = text.strip()
    if not stripped:
        return []
    folded = stripped.casefold()
    if folded in _UTC_SPELLINGS:
        return [UTC_ZONE]
    if "/" in folded:
        zone = _zone_names().get(_SLASH_SPACING.sub("/", folded).replace(" ", "_"))
        if zone is not None:
            return [zone]
    found = cities.lookup(stripped)
    if not found and "," in stripped:
        found = cities.lookup(stripped.split(",", 1)[0])
    return found


@cache
def _zone_names() -> dict[str, str]:
    """Case-folded IANA names containing a "/" mapped to their exact spelling.

    ``available_timezones()`` walks the tz database on disk, so it runs once per
    process rather than per message.
    """
    return {name.casefold(): name for name in available_timezones() if "/" in name}


def _distinct_zones(ranked: list[tuple[int, str]]) -> tuple[str, ...]:
    """Zones by descending population (name breaks ties), each zone once.

    Places far smaller than the biggest namesake are dropped: someone typing
    "Sydney" or "London" means the metropolis, and a choice between it and a
    town a tenth its size would only be noise.
    """
    if len(ranked) == 1:
        return (ranked[0][1],)
    ordered = sorted(ranked)
    floor = -ordered[0][0] / DOMINANCE
    return tuple(dict.fromkeys(zone for neg_pop, zone in ordered if -neg_pop >= floor))


def _read_rows(path: Path) -> list[tuple[str, str, int]]:
    """Data rows of the TSV, skipping blank lines and ``#`` comments."""
    rows: list[tuple[str, str, int]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line or line[0] == "#":
            continue
        fields = line.split("\t")
        if len(fields) != 3 or not fields[2].isdigit():
            raise ValueError(f"{path}:{number}: expected name<TAB>timezone<TAB>population")
        rows.append((fields[0], fields[1], int(fields[2])))
    return rows
