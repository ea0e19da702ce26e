"""Output helpers shared by every benchmark.

Each benchmark prints a table for people and, as the very last line of stdout, one
compact JSON object for machines (CI, comparison scripts). Keeping both in one place
means every benchmark formats numbers the same way and nobody prints after the JSON.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Mapping
from typing import Any

PASS = "PASS"
FAIL = "FAIL"


def format_value(value: object) -> str:
    """Human-friendly rendering: floats get a precision that suits their size."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return str(value)
        magnitude = abs(value)
        if magnitude >= 1000:
            return f"{value:,.0f}"
        if magnitude >= 100:
            return f"{value:.1f}"
        if magnitude >= 0.01 or magnitude == 0:
            return f"{value:.3f}"
        return f"{value:.4g}"
    if isinstance(value, int):
        return f"{value:,}"
    if value is None:
        return "-"
    return str(value)


def verdict(ok: bool) -> str:
    return PASS if ok else FAIL


def target_row(
    name: str, value: float | None, limit: float, unit: str = "", *, lower_is_better: bool = True
) -> tuple[str, str]:
    """A row like ``ready_s  1.234 s (target ≤ 2 s) PASS`` so targets read at a glance."""
    if value is None:
        return name, f"- (target {'≤' if lower_is_better else '≥'} {limit:g}{unit}) {FAIL}"
    ok = value <= limit if lower_is_better else value >= limit
    sign = "≤" if lower_is_better else "≥"
    return name, f"{format_value(value)}{unit} (target {sign} {limit:g}{unit}) {verdict(ok)}"


def print_table(title: str, rows: list[tuple[str, object]]) -> None:
    """Print a two-column table (name, value) with a title; values are formatted by type."""
    rendered = [(str(name), format_value(value)) for name, value in rows]
    key_width = max((len(name) for name, _ in rendered), default=0)
    value_width = max((len(value) for _, value in rendered), default=0)
    width = max(len(title), key_width + 2 + value_width)
    out = [title, "=" * width]
    out.extend(f"{name:<{key_width}}  {value}" for name, value in rendered)
    out.append("-" * width)
    print("\n".join(out), flush=True)


def _jsonable(value: Any) -> Any:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None  # strict JSON has no NaN/Infinity; consumers would choke on them
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def emit_json(figures: Mapping[str, Any]) -> None:
    """Print the figures as one compact JSON line; call it last so it is stdout's last line."""
    sys.stdout.write(json.dumps(_jsonable(figures), separators=(",", ":"), sort_keys=False))
    sys.stdout.write("\n")
    sys.stdout.flush()
