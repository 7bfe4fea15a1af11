"""/news QUERY: full-text search over the stories read, ranked, with a snippet."""

from __future__ import annotations

from bot.cards import NewsCard, NewsHit
from bot.store import Store

MAX_RESULTS = 8


def news(store: Store, query: str, *, limit: int = MAX_RESULTS) -> NewsCard:
    hits = store.search(query, limit=limit)
    sources = {v.id: v.source for v in store.stories.views(ids=[h.story_id for h in hits], include_irrelevant=True)}
    return NewsCard(query, [NewsHit(h.title, h.url, sources.get(h.story_id, ""), h.published, h.snippet)
                            for h in hits])
