"""The temporary folder of one benchmark run (database, logs).

Removed when the run ends, unless `--keep` asked for it or the run went wrong:
then its path is printed so the database and the bot's log can be inspected.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Self


class Workdir:
    def __init__(self, name: str, *, keep: bool = False) -> None:
        self.name = name
        self.path = Path(tempfile.mkdtemp(prefix=f"bench-{name}-"))
        self.keep = keep  # a run may set it later, e.g. when a target was missed

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc_type is not None:
            print(f"kept {self.path} for diagnosis", file=sys.stderr)
        elif self.keep:
            print(f"kept {self.path}")
        else:
            shutil.rmtree(self.path, ignore_errors=True)
