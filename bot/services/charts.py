"""Charts as PNG bytes: a client's weeks in /progress, a therapist's adherence by week.

One function draws both: stacked bars per week of done / some / not today / no
reply, drawing only the series it is given labels for (a client's chart shows what
was done and nothing else). Colours are the Okabe–Ito palette, which stays
distinguishable with the common colour-vision differences, and each series also
has its own hatching; type is large, since the picture is read on a phone.

Drawing takes a few hundred milliseconds of CPU, so callers use `render_weekly_chart`,
which runs it in a worker thread off the event loop. matplotlib is imported on the
first chart rather than at start-up: its import costs start-up time and memory
that most processes never need. Its object-oriented API (a Figure per chart, the
Agg canvas, no pyplot state) is the part meant for use outside a GUI, and a lock
keeps two charts from drawing at once, since matplotlib promises no thread safety.
"""

from __future__ import annotations

import asyncio
import io
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.domain.adherence import Tally

SERIES = ("done", "some", "not_today", "no_reply")
COLOURS = {"done": "#009E73", "some": "#56B4E9", "not_today": "#E69F00", "no_reply": "#BBBBBB"}
HATCHES = {"done": "", "some": "//", "not_today": "..", "no_reply": "xx"}
_SIZE_IN = (8.0, 4.8)
_DPI = 100
_MIN_SLOTS = 4  # bar widths as if there were at least this many weeks
_BAR_WIDTH = 0.7
_MAX_ANNOTATED = 16  # weeks that each get their total and their label
_LOCK = threading.Lock()


@dataclass(frozen=True)
class WeekCounts:
    """One bar: a week's label (its Monday, or "this week") and its counts."""

    label: str
    done: int = 0
    some: int = 0
    not_today: int = 0
    no_reply: int = 0

    @classmethod
    def of(cls, label: str, tally: Tally) -> WeekCounts:
        return cls(label, tally.done, tally.some, tally.not_today, tally.no_reply)


@dataclass(frozen=True)
class ChartText:
    """The words on a chart, in the reader's language.

    `series` maps each series to draw (from SERIES, bottom of the stack first) to
    its legend label; series left out are not drawn at all.
    """

    title: str
    series: Mapping[str, str]


def weekly_chart(weeks: Sequence[WeekCounts], text: ChartText) -> bytes:
    """Stacked bars, one per week, with each bar's total written above it."""
    unknown = set(text.series) - set(SERIES)
    if unknown:
        raise ValueError(f"unknown chart series: {sorted(unknown)}")
    with _LOCK:
        return _draw(weeks, text)


async def render_weekly_chart(weeks: Sequence[WeekCounts], text: ChartText) -> bytes:
    """`weekly_chart` in a worker thread, so the bot keeps answering meanwhile."""
    return await asyncio.to_thread(weekly_chart, list(weeks), text)


def _bar(x: float, bottom: float, height: float) -> list[tuple[float, float]]:
    left, right = x - _BAR_WIDTH / 2, x + _BAR_WIDTH / 2
    return [(left, bottom), (right, bottom), (right, bottom + height), (left, bottom + height)]


def _draw(weeks: Sequence[WeekCounts], text: ChartText) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.collections import PolyCollection
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=_SIZE_IN, dpi=_DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = list(range(len(weeks)))
    bottoms = [0] * len(weeks)
    for series, label in text.series.items():
        values = [getattr(week, series) for week in weeks]
        # One collection per series rather than a patch per bar: a year is 200-odd bars,
        # and drawing them one by one was most of a long chart's time.
        axes.add_collection(
            PolyCollection(
                [
                    _bar(x, bottom, value)
                    for x, bottom, value in zip(positions, bottoms, values, strict=True)
                    if value
                ],
                label=label,
                facecolors=COLOURS[series],
                hatch=HATCHES[series] or None,
                edgecolors="white",
                linewidths=1.5,
            )
        )
        bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
    # A long history (a therapist's year) gets no number over each bar and a label on
    # every few weeks: both would crowd a phone's screen, and text is most of the drawing.
    crowded = len(weeks) > _MAX_ANNOTATED
    for x, total in zip(positions, bottoms, strict=True):
        if total and not crowded:
            axes.annotate(
                str(total),
                (x, total),
                xytext=(0, 4),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=18,
                fontweight="bold",
            )
    axes.set_title(text.title, fontsize=22, pad=14)
    step = -(-len(weeks) // _MAX_ANNOTATED) if crowded else 1
    axes.set_xticks(positions[::step], [week.label for week in weeks][::step])
    axes.tick_params(axis="both", labelsize=16, length=0)
    if len(weeks) > 5:
        for tick in axes.get_xticklabels():
            tick.set_rotation(30)
            tick.set_horizontalalignment("right")
    # A first week alone is one bar, not a slab across the whole picture.
    spare = max(_MIN_SLOTS - len(weeks), 0) / 2
    axes.set_xlim(-0.6 - spare, len(weeks) - 0.4 + spare)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=4))
    axes.set_ylim(0, max([*bottoms, 1]) * 1.15)
    axes.grid(axis="y", color="#DDDDDD", linewidth=1)
    axes.set_axisbelow(True)
    for side in ("top", "right", "left"):
        axes.spines[side].set_visible(False)
    if text.series:
        figure.legend(
            fontsize=16, frameon=False, loc="outside lower center", ncols=len(text.series)
        )
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
