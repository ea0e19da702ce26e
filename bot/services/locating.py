"""The time zone a shared location lies in, found offline.

`timezonefinder` ships its boundary data inside the package, so no request leaves
the machine. Coordinates go in and only a zone name comes out: nothing here keeps
or logs them, and callers must not either.

The finder is built on first use, in a worker thread: importing it and opening its
data takes a few hundred milliseconds and some memory that a bot whose clients
type their city never needs, and that start-up should not pay for.
"""

from __future__ import annotations

import asyncio
import threading
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_lock = threading.Lock()


@cache
def _finder() -> Any:
    from timezonefinder import TimezoneFinder  # deferred: see the module docstring

    return TimezoneFinder(in_memory=False)


def zone_at_sync(latitude: float, longitude: float) -> str | None:
    """The IANA zone at a point on land, or None (at sea, off the map, unknown here).

    The sea's "Etc/GMT+3"-style zones are refused as well: a client on a ferry is
    better asked for their city than nudged by a fixed offset that ignores DST.
    """
    if not (-90.0 <= latitude <= 90.0 and -180.0 <= longitude <= 180.0):
        return None
    with _lock:
        zone = _finder().timezone_at_land(lng=longitude, lat=latitude)
    if not zone or zone.startswith("Etc/"):
        return None
    try:
        ZoneInfo(zone)  # the finder's data may be newer than this machine's tzdata
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return str(zone)


async def zone_at(latitude: float, longitude: float) -> str | None:
    return await asyncio.to_thread(zone_at_sync, latitude, longitude)
