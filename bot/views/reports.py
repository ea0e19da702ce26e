"""What a therapist's chart and spreadsheet of one client (or all) look like.

The chart draws all four series, unlike the client's own: the therapist needs to
see the "not today" and the silence as well as the sessions, to know whom to ask.
"""

from __future__ import annotations

from datetime import date

from bot.domain.adherence import Tally, WeekTally
from bot.services.charts import ChartText, WeekCounts
from bot.texts import Texts
from bot.views.progress import chart_weeks, short_date
from bot.views.routine import MAX_CAPTION, clip

CHART_WEEKS = 12  # about three months, still legible on a phone
MAX_TITLE = 40  # a long label would shrink the title's type; the caption has it whole


def therapist_chart(
    texts: Texts, lang: str, label: str, weeks: list[WeekTally]
) -> tuple[list[WeekCounts], ChartText]:
    """The bars of the last weeks, titled with the client's label, in the therapist's words."""
    title = clip(label, MAX_TITLE)
    series = {
        "done": texts.get(lang, "progress.chart_done"),
        "some": texts.get(lang, "progress.chart_some"),
        "not_today": texts.get(lang, "reports.chart_not_today"),
        "no_reply": texts.get(lang, "reports.chart_no_reply"),
    }
    return chart_weeks(texts, lang, weeks, CHART_WEEKS), ChartText(title, series)


def chart_caption(texts: Texts, lang: str, label: str, weeks: list[WeekTally]) -> str:
    shown = weeks[-CHART_WEEKS:]
    total = Tally()
    for week in shown:
        total += week.tally
    text = texts.get(
        lang,
        "reports.chart_caption",
        label=label,
        date=short_date(texts, lang, shown[0].start) if shown else "",
        done=total.done,
        some=total.some,
        not_today=total.not_today,
        no_reply=total.no_reply,
    )
    return clip(text, MAX_CAPTION)


def csv_filename(label: str | None, day: date) -> str:
    """clients-2026-11-30.csv for everyone; a client's label for one (letters and digits kept)."""
    if label is None:
        return f"clients-{day.isoformat()}.csv"
    slug = "-".join("".join(c if c.isalnum() else " " for c in label).split())[:40]
    return f"{slug or 'client'}-{day.isoformat()}.csv"
