"""The weekly digest's words: one short line per client, those needing a look first."""

from __future__ import annotations

from datetime import date

from bot.domain.digest import DigestRow, ordered, split_lines
from bot.domain.types import ClientStatus
from bot.texts import Texts


def _line(texts: Texts, lang: str, row: DigestRow) -> str:
    def t(key: str, **values: object) -> str:
        return texts.get(lang, f"digest.{key}", **values)

    if row.status == ClientStatus.INVITED:  # nothing to count yet
        parts = [t("line_label", label=row.label)]
    else:
        parts = [t("line", label=row.label, done=row.sessions, scheduled=row.scheduled)]
    if row.concerns:
        parts.append(t("concerns", n=row.concerns))
    if not row.reachable:
        parts.append(t("status_unreachable"))
    elif row.quiet:
        parts.append(t("status_quiet"))
    if row.status != ClientStatus.ACTIVE:
        parts.append(t(f"status_{row.status}"))
    return " · ".join(parts)


def digest_messages(
    texts: Texts, lang: str, rows: list[DigestRow], first: date, last: date
) -> list[str]:
    """The digest as one message, or several when it would pass Telegram's 4096."""
    head = texts.get(lang, "digest.title", first=first.isoformat(), last=last.isoformat())
    if not rows:
        return [f"{head}\n\n{texts.get(lang, 'digest.no_clients')}"]
    rows = ordered(rows)
    attention = [row for row in rows if row.attention]
    others = [row for row in rows if not row.attention]
    lines = [texts.get(lang, "digest.legend")]
    if attention:
        lines += ["", texts.get(lang, "digest.attention")]
        lines += [_line(texts, lang, row) for row in attention]
    if others:
        lines += ["", texts.get(lang, "digest.others")] if attention else [""]
        lines += [_line(texts, lang, row) for row in others]
    return split_lines(head, lines)
