"""Parsing feeds: feedparser on bytes (never on a URL), with errors kept as data.

A feed with a problem but with entries is still used, as feedparser's `bozo` flag intends: real
feeds are often slightly broken, and readers lose news if they refuse them.
"""

from __future__ import annotations

import calendar
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import feedparser

from bot.models import FeedItem
from bot.text import clean, html_paragraphs

log = logging.getLogger(__name__)

MAX_ITEMS = 500  # a feed with more entries than this is cut: nobody publishes that much at once


@dataclass(slots=True)
class ParsedFeed:
    title: str | None
    link: str | None
    items: list[FeedItem] = field(default_factory=list)
    problem: str | None = None  # what feedparser complained about, kept even when entries were found
    usable: bool = True  # false when nothing could be read at all


def parse_feed(body: bytes, *, url: str, content_type: str | None = None) -> ParsedFeed:
    headers = {"content-type": content_type} if content_type else None
    try:
        parsed: Any = feedparser.parse(body, response_headers=headers, sanitize_html=False,
                                       resolve_relative_uris=False)
    except Exception as error:  # noqa: BLE001 - a parser crash on hostile input is a feed status, not ours
        log.warning("feed parser failed on %s: %s", url, error)
        return ParsedFeed(None, None, problem=f"parser error: {type(error).__name__}", usable=False)
    problem = None
    if parsed.get("bozo"):
        exception = parsed.get("bozo_exception")
        problem = f"{type(exception).__name__}: {exception}"[:300] if exception else "malformed feed"
    feed = parsed.get("feed") or {}
    items = []
    for entry in (parsed.get("entries") or [])[:MAX_ITEMS]:
        item = _item(entry)
        if item is not None:
            items.append(item)
    usable = bool(items) or (problem is None and bool(feed.get("title") or parsed.get("version")))
    if not usable and problem is None:
        problem = "not a feed (no entries and no feed header)"
    return ParsedFeed(clean(feed.get("title") or "") or None, feed.get("link"), items, problem, usable)


def _item(entry: Any) -> FeedItem | None:
    title = clean(_html_text(entry.get("title") or ""))
    link = entry.get("link") or None
    summary_html = entry.get("summary") or entry.get("description") or ""
    content_html = ""
    for content in entry.get("content") or []:
        value = content.get("value") or ""
        if len(value) > len(content_html):
            content_html = value
    summary_paragraphs = html_paragraphs(summary_html)
    paragraphs = html_paragraphs(content_html) if content_html else summary_paragraphs
    if not (title or link or paragraphs):
        return None
    if not title:
        title = (paragraphs[0][:120] + "…") if paragraphs and len(paragraphs[0]) > 120 else (
            paragraphs[0] if paragraphs else link or "")
    return FeedItem(
        title=title, link=link if isinstance(link, str) else None,
        guid=entry.get("id") if isinstance(entry.get("id"), str) else None,
        published=_date(entry),
        summary="\n".join(summary_paragraphs), content="\n".join(paragraphs),
        author=clean(entry.get("author") or "") or None,
        paragraphs=tuple(paragraphs),
    )


def _html_text(value: str) -> str:
    return " ".join(html_paragraphs(value)) if "<" in value or "&" in value else value


def _date(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            try:
                return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
            except (OverflowError, ValueError, TypeError):
                continue
    return None
