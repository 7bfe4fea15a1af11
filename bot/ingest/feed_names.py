"""Feed names in sitrep's style: lower-case words joined by dashes, short enough to type, unique.

Feeds added by chat command and by OPML import are both named here, so `/sitrep unsubscribe NAME`
works the same for either.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable

MAX_SLUG = 40  # typed by hand in /sitrep unsubscribe NAME; room is left for a "-2" suffix


def slug(text: str) -> str:
    """"Defense News: AI" -> "defense-news-ai"; a URL loses its scheme first."""
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text.strip(), flags=re.IGNORECASE)
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:MAX_SLUG].strip("-")


def unique_feed_name(candidates: Iterable[str], taken: Collection[str]) -> str:
    """The first candidate (a title, then the URL) that makes a slug, made unique with -2, -3, …"""
    base = next((s for s in map(slug, candidates) if s), "feed")
    name, n = base, 2
    while name in taken:
        name, n = f"{base}-{n}", n + 1
    return name
