"""Parsing feeds: feedparser on bytes (never on a URL), with errors kept as data.

A feed with a problem but with entries is still used, as feedparser's `bozo` flag intends: real
feeds are often slightly broken, and readers lose news if they refuse them. Before feedparser
sees a document, bot.ingest.xmlsafe strips entity declarations that could expand without bound or
reach outside the document.
"""

from __future__ import annotations

import calendar
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import feedparser

from bot.ingest.html_text import clean, html_paragraphs
from bot.ingest.xmlsafe import defuse
from bot.models import FeedItem

log = logging.getLogger(__name__)

MAX_ITEMS = 500  # a feed with more entries than this is cut: nobody publishes that much at once
# What one item may carry: far beyond any real headline, link or story, small enough that a hostile
# feed cannot fill the database (or a digest's memory) with one entry.
MAX_TITLE = 1000
MAX_LINK = 2000  # a longer link is dropped, not cut: a cut URL points somewhere else
MAX_GUID = 1000
MAX_AUTHOR = 300
MAX_TEXT = 200_000  # characters of summary and of content (what the topic rules read)


@dataclass(slots=True)
class ParsedFeed:
    title: str | None
    link: str | None
    items: list[FeedItem] = field(default_factory=list)
    problem: str | None = None  # what feedparser complained about, kept even when entries were found
    usable: bool = True  # false when nothing could be read at all
    ttl: timedelta | None = None  # RSS <ttl>: how long the publisher says the feed stays fresh


def parse_feed(body: bytes, *, url: str, content_type: str | None = None) -> ParsedFeed:
    """Items of a feed document; never raises. `url` only names the feed in logs."""
    if not body.strip():
        return ParsedFeed(None, None, problem="empty body", usable=False)
    defused = defuse(body)
    headers = {"content-type": content_type} if content_type else {}
    if defused.transcoded and content_type:
        headers["content-type"] = content_type.split(";")[0] + "; charset=utf-8"
    try:
        parsed: Any = feedparser.parse(defused.body, response_headers=headers, sanitize_html=False,
                                       resolve_relative_uris=False)
    except Exception as error:  # noqa: BLE001 - a parser crash on hostile input is a feed status, not ours
        log.warning("feed parser failed on %s: %s", url, error)
        return ParsedFeed(None, None, problem=f"parser error: {type(error).__name__}", usable=False)
    problems = [p for p in (defused.problem, _bozo(parsed)) if p]
    feed = parsed.get("feed") or {}
    items = []
    for entry in (parsed.get("entries") or [])[:MAX_ITEMS]:
        item = _item(entry)
        if item is not None:
            items.append(item)
    version = parsed.get("version") or ""
    # An empty feed is fine when it is well-formed; empty *and* broken means its items were lost.
    well_formed = not parsed.get("bozo") or "Encoding" in type(parsed.get("bozo_exception")).__name__
    usable = bool(items) or (bool(version) and well_formed and bool(feed.get("title") or feed.get("link")))
    if not usable:
        problems.insert(0, _not_a_feed(body, content_type, header=bool(version)))
    title = clean(_html_text(feed.get("title") or "")) or None
    link = feed.get("link") if isinstance(feed.get("link"), str) else None
    return ParsedFeed(title, link, items, "; ".join(problems)[:500] or None, usable, _ttl(feed.get("ttl")))


def _ttl(value: Any) -> timedelta | None:
    text = str(value or "").strip()
    return timedelta(minutes=min(int(text), 2880)) if text.isdigit() and int(text) > 0 else None


def _bozo(parsed: Any) -> str | None:
    if not parsed.get("bozo"):
        return None
    exception = parsed.get("bozo_exception")
    return f"{type(exception).__name__}: {exception}"[:300] if exception else "malformed feed"


def _not_a_feed(body: bytes, content_type: str | None, *, header: bool) -> str:
    """Why a document gave nothing, in words an operator can act on."""
    head = body[:4096].lstrip().lower()
    if (content_type and "html" in content_type.lower()) or head.startswith((b"<!doctype html", b"<html")):
        alternate = _alternate_link(body)
        return "an HTML page, not a feed" + (f" (it links to a feed at {alternate})" if alternate else "")
    if header:
        return "not a feed: a broken document with no readable entries"
    return "not a feed: no entries and no feed header"


_ALTERNATE = re.compile(rb"<link\b[^>]{0,1000}?type=[\"']application/(?:rss|atom)\+xml[\"'][^>]{0,1000}>",
                        re.IGNORECASE)
_HREF = re.compile(rb"href=[\"']([^\"'<>]{1,500})[\"']", re.IGNORECASE)


def _alternate_link(body: bytes) -> str | None:
    tag = _ALTERNATE.search(body[:200_000])
    href = _HREF.search(tag.group(0)) if tag else None
    return href.group(1).decode("utf-8", "replace") if href else None


def _item(entry: Any) -> FeedItem | None:
    title = clean(_html_text(entry.get("title") or ""))
    raw_link = entry.get("link")
    link = clean(raw_link).strip() or None if isinstance(raw_link, str) else None  # "\x00" is no link
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
    guid = clean(entry["id"]).strip() or None if isinstance(entry.get("id"), str) else None
    paragraphs = _bounded(paragraphs)
    return FeedItem(
        title=title[:MAX_TITLE], link=link if isinstance(link, str) and len(link) <= MAX_LINK else None,
        guid=guid[:MAX_GUID] if guid else guid,
        published=_date(entry),
        summary="\n".join(_bounded(summary_paragraphs)), content="\n".join(paragraphs),
        author=clean(str(entry.get("author") or ""))[:MAX_AUTHOR] or None,
        paragraphs=tuple(paragraphs),
        full_content=bool(content_html) and sum(map(len, paragraphs)) > sum(map(len, summary_paragraphs)) + 20,
    )


def _bounded(paragraphs: list[str]) -> list[str]:
    """The paragraphs that fit in MAX_TEXT characters (the last one cut to fit)."""
    kept, room = [], MAX_TEXT
    for paragraph in paragraphs:
        if room <= 0:
            break
        kept.append(paragraph[:room])
        room -= len(kept[-1]) + 1
    return kept


def _html_text(value: str) -> str:
    return " ".join(html_paragraphs(value)) if "<" in value or "&" in value else value


def _date(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = dict.get(entry, key)  # plain dict access: FeedParserDict's key aliases warn and misdirect
        if value:
            try:
                return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
            except (OverflowError, ValueError, TypeError):
                continue
    return None
