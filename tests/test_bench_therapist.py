"""`python -m bench therapist` runs end to end at a tiny size and ends with its JSON line.

Why: the benchmark seeds straight into the bot's tables and drives a real bot
process, so a change to the schema, the list's buttons or the chart would
otherwise only show up when someone runs the full benchmark.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

from bot.settings import REPO_ROOT


def test_the_therapist_benchmark_runs_small() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            "therapist",
            "--clients",
            "25",
            "--days",
            "21",
            "--requests",
            "6",
            "--charts",
            "1",
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["clients"] == 25
    assert {"list_p50_ms", "list_p95_ms", "chart_ms"} <= figures.keys()
    assert all(figures[key] > 0 for key in ("list_p50_ms", "list_p95_ms", "chart_ms"))
    assert re.search(r"^bot log errors +0$", result.stdout, re.MULTILINE), result.stdout
