"""Full text for feeds that carry only a teaser: fetch the article page and extract its main text."""

from __future__ import annotations

import logging

import trafilatura

from bot.config.models import FullText
from bot.fetch import Fetcher, is_local
from bot.models import FeedItem

log = logging.getLogger(__name__)
TEASER_CHARS = 700  # feed content shorter than this is treated as a teaser


def wants_article(item: FeedItem, mode: FullText | str) -> bool:
    if mode == FullText.never or not item.link or is_local(item.link):
        return False
    if not item.link.startswith(("http://", "https://")):
        return False
    return mode == FullText.always or len(item.content) < TEASER_CHARS


def extract(html: bytes | str, *, url: str | None = None) -> str | None:
    """Main text of an article page, paragraphs separated by newlines; None when nothing was found."""
    try:
        text = trafilatura.extract(html, url=url, include_comments=False, include_tables=False,
                                   favor_precision=False, deduplicate=True)
    except Exception as error:  # noqa: BLE001 - hostile pages must not break a poll
        log.debug("extraction failed for %s: %s", url, error)
        return None
    return text.strip() if text and text.strip() else None


async def article_text(fetcher: Fetcher, url: str) -> str | None:
    result = await fetcher.fetch(url, accept="text/html,application/xhtml+xml;q=0.9,*/*;q=0.5")
    if not result.ok or not result.body:
        log.info("article %s not fetched: %s", url, result.error or "empty")
        return None
    return extract(result.body, url=result.final_url or url)
