"""What /progress says and draws: what was done, in words and in a chart of weeks.

Only what was done is ever put into words ("some of it" counted as done); a week
without sessions gets a fresh-page line rather than a zero, and the chart shows
done and some-of-it bars only.
"""

from __future__ import annotations

from datetime import date

from bot.domain.adherence import Progress, WeekTally
from bot.domain.types import Win
from bot.services.charts import ChartText, WeekCounts
from bot.texts import Texts

CHART_WEEKS = 8  # a phone-sized picture: the last two months at most
_WIN_KEYS = {
    Win.FIRST: "progress.win_first",
    Win.MILESTONE: "progress.win_milestone",
    Win.BEST_WEEK: "progress.win_best_week",
    Win.ALL_ANSWERED: "progress.win_all_answered",
}


def short_date(texts: Texts, lang: str, day: date) -> str:
    month = texts.raw(lang, "progress.months")[day.month - 1]
    return texts.get(lang, "progress.date", day=day.day, month=month)


def sessions(texts: Texts, lang: str, count: int) -> str:
    key = "progress.sessions_one" if count == 1 else "progress.sessions_other"
    return texts.get(lang, key, n=count)


def progress_text(texts: Texts, lang: str, summary: Progress) -> str:
    """Title, this week, since starting, the week's small wins; every line a kind one."""
    week, total = summary.week.tally, summary.total
    if total.sessions == 0:
        key = (
            "progress.nothing_yet" if total.answered or total.no_reply else "progress.no_nudge_yet"
        )
        return f"{texts.get(lang, 'progress.title')}\n\n{texts.get(lang, key)}"
    if week.sessions:
        counted = sessions(texts, lang, week.sessions)
        if week.some:
            split = texts.get(lang, "progress.split", done=week.done, some=week.some)
            counted = f"{counted} ({split})"
        this_week = texts.get(lang, "progress.this_week", sessions=counted)
    else:
        this_week = texts.get(lang, "progress.week_fresh")
    since = texts.get(
        lang,
        "progress.since",
        date=short_date(texts, lang, summary.started),
        sessions=sessions(texts, lang, total.sessions),
    )
    parts = [texts.get(lang, "progress.title"), "", this_week, since]
    wins = [texts.get(lang, _WIN_KEYS[win], n=summary.milestone) for win in summary.wins]
    if wins:
        parts += ["", *wins]
    if total.some:
        parts += ["", texts.get(lang, "progress.some_counts")]
    return "\n".join(parts)


def wants_chart(summary: Progress) -> bool:
    """A chart of nothing says nothing; it comes once there is something to draw."""
    return summary.total.sessions > 0


def chart_weeks(
    texts: Texts, lang: str, weeks: list[WeekTally], count: int = CHART_WEEKS
) -> list[WeekCounts]:
    """The last `count` weeks as bars, the current one labelled "this week"."""
    shown = weeks[-count:]
    return [
        WeekCounts.of(
            texts.get(lang, "progress.chart_this_week")
            if index == len(shown) - 1
            else short_date(texts, lang, week.start),
            week.tally,
        )
        for index, week in enumerate(shown)
    ]


def chart_text(texts: Texts, lang: str) -> ChartText:
    """Done and some of it only: the client's chart never draws what was not done."""
    return ChartText(
        texts.get(lang, "progress.chart_title"),
        {
            "done": texts.get(lang, "progress.chart_done"),
            "some": texts.get(lang, "progress.chart_some"),
        },
    )
