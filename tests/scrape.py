"""Reading the bot's /healthz and /metrics the way a monitor or Prometheus would."""

from __future__ import annotations

import aiohttp
from prometheus_client.parser import text_string_to_metric_families


async def get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        return response.status, await response.text()


def sample(exposition: str, name: str, **labels: str) -> float | None:
    """The value of one sample (e.g. `bot_updates_total`), or None if it is absent."""
    for family in text_string_to_metric_families(exposition):
        for found in family.samples:
            if found.name == name and all(found.labels.get(k) == v for k, v in labels.items()):
                return float(found.value)
    return None
