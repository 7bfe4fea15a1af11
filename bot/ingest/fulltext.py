"""Full text for feeds that carry only a teaser: fetch the article page and extract its main text.

Article pages go through the same Fetcher as feeds, so they get the same politeness: the
User-Agent with a contact, per-host and global limits, timeouts, the body cap, and the pause a
host asked for with Retry-After. trafilatura finds the main text; boilerplate stays out.
"""

from __future__ import annotations

import asyncio
import logging
import re

import trafilatura

from bot.config.settings import FullText
from bot.http.fetch import PAGE_ACCEPT, Fetcher, is_local
from bot.models import FeedItem

log = logging.getLogger(__name__)
TEASER_CHARS = 700  # feed text shorter than this, with no fuller content element, is treated as a teaser
_TRUNCATED = re.compile(r"(…|\.\.\.|\[…\]|\[\.\.\.\]|read more|continue reading|read the full (?:story|article)"
                        r"|the post .{1,200} appeared first on .{1,100})\W*$", re.IGNORECASE)


def is_teaser(item: FeedItem) -> bool:
    tail = item.content[-300:]
    if _TRUNCATED.search(tail):
        return True
    if item.full_content:
        return False
    return len(item.content) < TEASER_CHARS


def wants_article(item: FeedItem, mode: FullText | str) -> bool:
    if mode == FullText.never or not item.link or is_local(item.link):
        return False
    if not item.link.startswith(("http://", "https://")):
        return False
    return mode == FullText.always or is_teaser(item)


MAX_EXTRACT = 3_000_000  # bytes of markup handed to the extractor (after scripts and styles are dropped)
MAX_ARTICLE = 200_000  # characters of article text kept: far beyond any article, and what topics read
_SKIPPED = ((b"<script", b"</script>"), (b"<style", b"</style>"), (b"<svg", b"</svg>"))


def _without_scripts(html: bytes) -> bytes:
    """Scripts, styles and inline SVG removed in one linear pass (no regex to backtrack): on real
    pages they are most of the bytes, and none of them is article text."""
    lower = html.lower()
    out, at = [], 0
    # The next place each opening tag occurs; searched again only once the cut has passed it, so
    # the whole page is scanned a bounded number of times, however many scripts it has.
    following = {open_tag: lower.find(open_tag) for open_tag, _ in _SKIPPED}
    while True:
        for open_tag, _ in _SKIPPED:
            if 0 <= following[open_tag] < at:
                following[open_tag] = lower.find(open_tag, at)
        found = [(following[open_tag], close_tag) for open_tag, close_tag in _SKIPPED if following[open_tag] >= 0]
        if not found:
            break
        start, close_tag = min(found)
        out.append(html[at:start])
        end = lower.find(close_tag, start)
        at = len(html) if end < 0 else end + len(close_tag)
        if end < 0:
            break
    out.append(html[at:])
    return b"".join(out)


def extract(html: bytes | str, *, url: str | None = None) -> str | None:
    """Main text of an article page, paragraphs separated by newlines; None when nothing was found.

    The extractor's time grows with the page, so what it gets is bounded: scripts and styles
    dropped, then at most MAX_EXTRACT bytes; the text it returns is cut at MAX_ARTICLE characters."""
    data = html.encode("utf-8", "replace") if isinstance(html, str) else html
    if len(data) > MAX_EXTRACT:
        data = _without_scripts(data)[:MAX_EXTRACT]
    try:
        text = trafilatura.extract(data, url=url, include_comments=False, include_tables=False,
                                   favor_precision=False, deduplicate=True)
    except Exception as error:  # noqa: BLE001 - hostile pages must not break a poll
        log.debug("extraction failed for %s: %s", url, error)
        return None
    return text.strip()[:MAX_ARTICLE] if text and text.strip() else None


async def article_text(fetcher: Fetcher, url: str) -> str | None:
    result = await fetcher.fetch(url, accept=PAGE_ACCEPT)
    if not result.ok or not result.body:
        log.info("article %s not fetched: %s", url, result.error or "empty")
        return None
    content_type = (result.content_type or "text/html").lower()
    if "html" not in content_type and "xml" not in content_type:
        log.info("article %s is %s, not a page", url, content_type)
        return None
    return await asyncio.to_thread(extract, result.body, url=result.final_url or url)
