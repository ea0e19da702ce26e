"""Telegram's text model: plain text + entities with UTF-16 offsets.

Why the stub parses ``parse_mode`` instead of storing the raw string: Telegram never keeps markup.
A bot that sends ``<b>Hi</b>`` gets back a Message whose ``text`` is ``Hi`` with a ``bold``
entity, and malformed markup (an unescaped ``<`` from user input in HTML, an unescaped ``.`` in
MarkdownV2) is rejected with ``400 Bad Request: can't parse entities: ...``. Emulating that lets
tests assert on what a user actually sees and catches the most common formatting bugs early.

The parsers follow the documented rules (https://core.telegram.org/bots/api#formatting-options)
closely but not byte-for-byte; error texts match Telegram's wording where it is well known.
Leading/trailing whitespace is trimmed and ``bot_command``/``url``/``mention``/``hashtag``/
``email`` entities are auto-detected, as the real server does.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

Entity = dict[str, Any]


class EntityParseError(Exception):
    """Markup that Telegram would refuse; the message follows ``can't parse entities: ``."""


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units -- the unit of every entity offset/length in the Bot API."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(src: str, index: int) -> int:
    return len(src[:index].encode("utf-8"))


@dataclass
class FormattedText:
    """Plain text plus the entities describing its formatting."""

    text: str
    entities: list[Entity] = field(default_factory=list)


@dataclass
class _Open:
    kind: str
    start: int  # UTF-16 offset in the output
    src_index: int  # index in the source, for error messages
    tag: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    emit: bool = True


class _Builder:
    """Accumulates output text while tracking the UTF-16 position for entity offsets."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self.pos = 0
        self.entities: list[Entity] = []

    def add(self, chunk: str) -> None:
        if chunk:
            self._parts.append(chunk)
            self.pos += utf16_len(chunk)

    def close(self, item: _Open) -> None:
        length = self.pos - item.start
        if item.emit and length > 0:
            self.entities.append(
                {"type": item.kind, "offset": item.start, "length": length, **item.extra}
            )

    def result(self) -> FormattedText:
        return FormattedText("".join(self._parts), sort_entities(self.entities))


def sort_entities(entities: list[Entity]) -> list[Entity]:
    """Telegram orders entities by offset, outer (longer) before inner."""
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))


# --------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------

_HTML_TAGS: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_TAG_RE = re.compile(r"([a-zA-Z][a-zA-Z0-9-]*)(.*)", re.S)
_ATTR_RE = re.compile(r"""([a-zA-Z_-][\w-]*)\s*(?:=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")
_CHAR_REF_RE = re.compile(r"&(#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});")


def _attributes(text: str) -> dict[str, str]:
    attrs: dict[str, str] = {}
    for match in _ATTR_RE.finditer(text):
        name, dq, sq, bare = match.groups()
        value = dq if dq is not None else sq if sq is not None else bare or ""
        attrs[name.lower()] = html.unescape(value)
    return attrs


def parse_html(src: str) -> FormattedText:
    """Telegram's HTML subset; unknown tags and unbalanced markup are errors (as in the API)."""
    out = _Builder()
    stack: list[_Open] = []
    i, n = 0, len(src)
    while i < n:
        char = src[i]
        if char == "<":
            end = src.find(">", i)
            if end == -1:
                raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(src, i)}")
            inner = src[i + 1 : end]
            if inner.startswith("/"):
                name = inner[1:].strip().lower()
                if not stack:
                    raise EntityParseError(
                        f'Unexpected end tag "{name}" at byte offset {_byte_offset(src, i)}'
                    )
                top = stack.pop()
                if top.tag != name:
                    raise EntityParseError(
                        f"Unmatched end tag at byte offset {_byte_offset(src, i)}, "
                        f'expected "</{top.tag}>", found "</{name}>"'
                    )
                out.close(top)
            else:
                stack.append(_open_html_tag(src, i, inner, stack, out.pos))
            i = end + 1
        elif char == "&":
            match = _CHAR_REF_RE.match(src, i)
            decoded = html.unescape(match.group(0)) if match else None
            if match and decoded != match.group(0):
                out.add(decoded or "")
                i = match.end()
            else:
                out.add("&")
                i += 1
        else:
            j = i
            while j < n and src[j] not in "<&":
                j += 1
            out.add(src[i:j])
            i = j
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    return out.result()


def _open_html_tag(src: str, index: int, inner: str, stack: list[_Open], pos: int) -> _Open:
    match = _TAG_RE.fullmatch(inner)
    name = match.group(1).lower() if match else ""
    if name not in _HTML_TAGS:
        raise EntityParseError(
            f'Unsupported start tag "{name}" at byte offset {_byte_offset(src, index)}'
        )
    attrs = _attributes(match.group(2)) if match else {}
    item = _Open(kind=_HTML_TAGS[name], start=pos, src_index=index, tag=name)
    if name == "span" and attrs.get("class") != "tg-spoiler":
        raise EntityParseError(
            f'Tag "span" must have class "tg-spoiler" at byte offset {_byte_offset(src, index)}'
        )
    if name == "a":
        url = attrs.get("href", "")
        item.emit = bool(url)
        item.extra = {"url": url}
    elif name == "tg-emoji":
        item.extra = {"custom_emoji_id": attrs.get("emoji-id", "")}
    elif name == "blockquote" and "expandable" in attrs:
        item.kind = "expandable_blockquote"
    elif name == "code" and stack and stack[-1].tag == "pre":
        language = attrs.get("class", "")
        if language.startswith("language-"):
            stack[-1].extra = {"language": language.removeprefix("language-")}
            item.emit = False
    return item


# --------------------------------------------------------------------------------------------
# MarkdownV2
# --------------------------------------------------------------------------------------------

_MDV2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_MDV2_TOGGLES: tuple[tuple[str, str], ...] = (
    ("||", "spoiler"),
    ("__", "underline"),
    ("*", "bold"),
    ("_", "italic"),
    ("~", "strikethrough"),
)


def _reserved(char: str) -> EntityParseError:
    return EntityParseError(
        f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
    )


def _unterminated(src: str, index: int) -> EntityParseError:
    return EntityParseError(
        f"Can't find end of the entity starting at byte offset {_byte_offset(src, index)}"
    )


def _read_escaped_until(src: str, i: int, terminator: str) -> tuple[str, int] | None:
    """Read from ``i`` up to an unescaped ``terminator``; returns (text, index after it)."""
    chunk: list[str] = []
    n = len(src)
    while i < n:
        if src[i] == "\\" and i + 1 < n:
            chunk.append(src[i + 1])
            i += 2
        elif src.startswith(terminator, i):
            return "".join(chunk), i + len(terminator)
        else:
            chunk.append(src[i])
            i += 1
    return None


def parse_markdown_v2(src: str) -> FormattedText:
    """MarkdownV2 with Telegram's strict escaping rules."""
    out = _Builder()
    stack: list[_Open] = []
    quote: _Open | None = None
    quote_end = 0
    line_start = True
    i, n = 0, len(src)
    while i < n:
        char = src[i]
        if line_start:
            line_start = False
            if char == ">" or src.startswith("**>", i):
                if quote is None:
                    expandable = src.startswith("**>", i)
                    kind = "expandable_blockquote" if expandable else "blockquote"
                    quote = _Open(kind=kind, start=out.pos, src_index=i)
                i += 3 if src.startswith("**>", i) else 1
                continue
            if quote is not None:
                # The quote ended with the previous line; its newline is not part of it.
                if quote_end > quote.start:
                    out.entities.append(
                        {
                            "type": quote.kind,
                            "offset": quote.start,
                            "length": quote_end - quote.start,
                        }
                    )
                quote = None
        if char == "\\":
            if i + 1 < n and 1 <= ord(src[i + 1]) <= 126:
                out.add(src[i + 1])
                i += 2
                continue
            raise _reserved("\\")
        if char == "\n":
            quote_end = out.pos
            out.add("\n")
            line_start = True
            i += 1
            continue
        if char == "`":
            i = _mdv2_code(src, i, out)
            continue
        if char == "[":
            stack.append(_Open(kind="text_link", start=out.pos, src_index=i))
            i += 1
            continue
        if char == "]":
            link = next((o for o in reversed(stack) if o.kind == "text_link"), None)
            if link is None or not src.startswith("(", i + 1):
                raise _reserved("]")
            parsed = _read_escaped_until(src, i + 2, ")")
            if parsed is None:
                raise _unterminated(src, link.src_index)
            link.extra = {"url": parsed[0]}
            stack.remove(link)
            out.close(link)
            i = parsed[1]
            continue
        toggle = next(((tok, kind) for tok, kind in _MDV2_TOGGLES if src.startswith(tok, i)), None)
        if toggle is not None:
            token, kind = toggle
            opened = next((o for o in reversed(stack) if o.kind == kind), None)
            if opened is None:
                stack.append(_Open(kind=kind, start=out.pos, src_index=i))
            else:
                stack.remove(opened)
                out.close(opened)
            i += len(token)
            continue
        if char in _MDV2_RESERVED:
            raise _reserved(char)
        out.add(char)
        i += 1
    if stack:
        raise _unterminated(src, stack[0].src_index)
    if quote is not None:
        out.close(quote)
    return out.result()


def _mdv2_code(src: str, i: int, out: _Builder) -> int:
    if src.startswith("```", i):
        parsed = _read_escaped_until(src, i + 3, "```")
        if parsed is None:
            raise _unterminated(src, i)
        body, after = parsed
        extra: dict[str, Any] = {}
        first, newline, rest = body.partition("\n")
        if newline and re.fullmatch(r"[\w+#.-]*", first):
            body = rest
            if first:
                extra = {"language": first}
        item = _Open(kind="pre", start=out.pos, src_index=i, extra=extra)
        out.add(body)
        out.close(item)
        return after
    parsed = _read_escaped_until(src, i + 1, "`")
    if parsed is None:
        raise _unterminated(src, i)
    item = _Open(kind="code", start=out.pos, src_index=i)
    out.add(parsed[0])
    out.close(item)
    return parsed[1]


# --------------------------------------------------------------------------------------------
# Legacy Markdown
# --------------------------------------------------------------------------------------------


def parse_markdown(src: str) -> FormattedText:
    """Legacy ``Markdown``: ``*bold*``, ``_italic_``, code, pre and ``[text](url)``; no nesting."""
    out = _Builder()
    i, n = 0, len(src)
    while i < n:
        char = src[i]
        if char == "\\" and i + 1 < n and src[i + 1] in "_*`[":
            out.add(src[i + 1])
            i += 2
        elif char in "*_":
            end = src.find(char, i + 1)
            if end == -1:
                raise _unterminated(src, i)
            item = _Open(kind="bold" if char == "*" else "italic", start=out.pos, src_index=i)
            out.add(src[i + 1 : end])
            out.close(item)
            i = end + 1
        elif src.startswith("```", i):
            end = src.find("```", i + 3)
            if end == -1:
                raise _unterminated(src, i)
            body = src[i + 3 : end]
            first, newline, rest = body.partition("\n")
            extra: dict[str, Any] = {}
            if newline and re.fullmatch(r"[\w+#.-]+", first):
                body, extra = rest, {"language": first}
            item = _Open(kind="pre", start=out.pos, src_index=i, extra=extra)
            out.add(body)
            out.close(item)
            i = end + 3
        elif char == "`":
            end = src.find("`", i + 1)
            if end == -1:
                raise _unterminated(src, i)
            item = _Open(kind="code", start=out.pos, src_index=i)
            out.add(src[i + 1 : end])
            out.close(item)
            i = end + 1
        elif char == "[":
            close = src.find("]", i + 1)
            if close == -1:
                raise _unterminated(src, i)
            if src.startswith("(", close + 1) and (url_end := src.find(")", close + 2)) != -1:
                item = _Open(
                    kind="text_link",
                    start=out.pos,
                    src_index=i,
                    extra={"url": src[close + 2 : url_end]},
                )
                out.add(src[i + 1 : close])
                out.close(item)
                i = url_end + 1
            else:
                out.add(src[i : close + 1])
                i = close + 1
        else:
            out.add(char)
            i += 1
    return out.result()


# --------------------------------------------------------------------------------------------
# Post-processing shared by all modes
# --------------------------------------------------------------------------------------------


def strip_whitespace(formatted: FormattedText) -> FormattedText:
    """Trim leading/trailing whitespace like Telegram, clipping entities to the kept text."""
    text = formatted.text
    stripped = text.strip()
    if stripped == text:
        return formatted
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    new_len = utf16_len(stripped)
    entities: list[Entity] = []
    for entity in formatted.entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, new_len)
        if end > start:
            entities.append({**entity, "offset": start, "length": end - start})
    return FormattedText(stripped, entities)


_DETECTORS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("url", re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>\"']+")),
    ("email", re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")),
    ("bot_command", re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/@])")),
    ("mention", re.compile(r"(?<![\w@])@[A-Za-z0-9_]{5,32}(?![\w@])")),
    ("hashtag", re.compile(r"(?<![\w#])#\w*[^\W\d]\w*")),
)
_OPAQUE = frozenset({"code", "pre", "text_link", "url", "email", "text_mention", "custom_emoji"})


def detect_entities(text: str, existing: list[Entity]) -> list[Entity]:
    """Entities the server adds by itself (commands, links, mentions, hashtags, e-mails)."""
    taken = [(e["offset"], e["offset"] + e["length"]) for e in existing if e["type"] in _OPAQUE]
    found: list[Entity] = []
    for kind, pattern in _DETECTORS:
        for match in pattern.finditer(text):
            value = match.group(0)
            if kind == "url":
                value = value.rstrip(".,;:!?)'\"")
            start = utf16_len(text[: match.start()])
            end = start + utf16_len(value)
            if any(start < hi and lo < end for lo, hi in taken):
                continue
            taken.append((start, end))
            found.append({"type": kind, "offset": start, "length": end - start})
    return found


def format_text(
    text: str, parse_mode: str | None = None, entities: list[Entity] | None = None
) -> FormattedText:
    """What Telegram stores for ``text`` sent with ``parse_mode``/``entities``.

    Raises:
        EntityParseError: markup Telegram would reject.
        ValueError: an unsupported ``parse_mode``.
    """
    if entities is not None:
        formatted = FormattedText(text, sort_entities([dict(e) for e in entities]))
    elif not parse_mode:
        formatted = FormattedText(text)
    else:
        mode = parse_mode.lower()
        if mode == "html":
            formatted = parse_html(text)
        elif mode == "markdownv2":
            formatted = parse_markdown_v2(text)
        elif mode == "markdown":
            formatted = parse_markdown(text)
        else:
            raise ValueError(parse_mode)
    formatted = strip_whitespace(formatted)
    formatted.entities = sort_entities(
        formatted.entities + detect_entities(formatted.text, formatted.entities)
    )
    return formatted
