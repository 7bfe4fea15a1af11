"""From a feed's parsed items to stored stories: identity, the flood guard, full text, topic rules.

Only items that are new to the store cost anything: known ones (by id, canonical link, or a
re-publication of the same title and text in the same feed) are linked to this feed at most, and
never fetched, matched or announced again.

The flood guard: a new feed's first poll records its items without announcing them, except the
`backfill.items` newest; an item older than `backfill.max_age` is never announced (after downtime,
too), so a channel is never flooded with a feed's archive.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict, deque
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from bot.config.settings import Config
from bot.http.fetch import Fetcher, host_of
from bot.ingest.deadline import Deadline
from bot.ingest.fulltext import article_text, wants_article
from bot.ingest.identity import canonical_url, feed_scope, story_id, title_key
from bot.ingest.topics import TopicFilter
from bot.knowledge.cluster import signature
from bot.models import FeedItem
from bot.store import FeedRow, NewStory, Store
from bot.store.stories import ItemKey

log = logging.getLogger(__name__)
MAX_ARTICLES = 30  # article pages fetched per feed per poll; older teasers keep the feed's text


@dataclass(frozen=True, slots=True)
class Ingested:
    new: int  # stories stored for the first time
    seen: int  # items this poll carried
    announced: int  # new stories that may go into digests


class Ingester:
    def __init__(self, *, config: Config, store: Store, fetcher: Fetcher, topics: TopicFilter,
                 guarded_fetcher: Fetcher | None = None) -> None:
        self.config = config
        self.store = store
        self.fetcher = fetcher
        self.guarded_fetcher = guarded_fetcher
        self.topics = topics

    def fetcher_for(self, feed: FeedRow) -> Fetcher:
        """Feeds added by chat command go through the SSRF guard (article pages always do)."""
        if feed.origin != "config" and self.guarded_fetcher is not None:
            return self.guarded_fetcher
        return self.fetcher

    def article_fetcher(self) -> Fetcher:
        """Article pages always go through the SSRF guard, whoever added the feed: the operator
        trusts a feed's address, not every link its items carry, and an item linking to
        http://169.254.169.254/ would otherwise have its page fetched and stored as the story."""
        return self.guarded_fetcher if self.guarded_fetcher is not None else self.fetcher

    def topic_names(self, feed: FeedRow) -> list[str]:
        if feed.topics is None:
            return list(self.topics.topics)
        return [t for t in feed.topics if t in self.topics.topics]

    async def store_items(self, feed: FeedRow, source: str, items: list[FeedItem], now: datetime,
                          deadline: Deadline | None = None) -> Ingested:
        """Store this poll's new items; article pages are fetched only until `deadline` (the feed's lease)."""
        scope = feed_scope(feed.url)
        unique: dict[str, tuple[FeedItem, ItemKey]] = {}
        for item in items:
            sid = story_id(item, scope=scope)
            if sid not in unique:  # feeds do repeat items; the first (usually the newest) wins
                unique[sid] = (item, ItemKey(sid, canonical_url(item.link), title_key(item.title) or None,
                                             item.published, item.content))
        pairs = list(unique.values())
        known = await asyncio.to_thread(self.store.stories.known, feed.id, [key for _, key in pairs])
        seen = [(k, key, item.link, item.title) for (item, key), k in zip(pairs, known, strict=True) if k is not None]
        fresh = [(item, key) for (item, key), k in zip(pairs, known, strict=True) if k is None]
        fresh.sort(key=lambda pair: pair[0].published or now, reverse=True)
        texts = await self._texts(feed, [item for item, _ in fresh], deadline)
        names = self.topic_names(feed)
        stories = await asyncio.to_thread(self._stories, feed, fresh, texts, names, now)
        stored = await asyncio.to_thread(self.store.stories.save, feed_id=feed.id, source_name=source, now=now,
                                         new=stories, seen=seen)
        created = {s.story_id for s in stored if s.created}
        announced = sum(s.announce for s in stories if s.id in created)
        return Ingested(new=len(created), seen=len(items), announced=announced)

    def _stories(self, feed: FeedRow, fresh: list[tuple[FeedItem, ItemKey]], texts: list[tuple[str, str]],
                 names: list[str], now: datetime) -> list[NewStory]:
        stories = []
        for rank, ((item, key), (text, source)) in enumerate(zip(fresh, texts, strict=True)):
            matches = self.topics.match(title=item.title, summary=item.summary, text=text, names=names)
            stories.append(NewStory(
                id=key.id, title=item.title, url=item.link, canonical_url=key.canonical_url, guid=item.guid,
                title_key=key.title_key, published_at=item.published, feed_summary=item.summary, text=text,
                text_source=source, author=item.author, relevant=any(m.matched for m in matches),
                topics=[m.topic for m in matches if m.matched], topic_matches=matches,
                announce=self.announce(feed, item, rank, now), signature=signature(item.title, text)))
        return stories

    def announce(self, feed: FeedRow, item: FeedItem, rank: int, now: datetime) -> bool:
        """The flood guard. `rank` is the item's place among this poll's new items, newest first."""
        backfill = self.config.poll.backfill
        if item.published is not None and now - item.published > backfill.max_age:
            return False
        return feed.initialized or rank < backfill.items

    async def _texts(self, feed: FeedRow, items: list[FeedItem],
                     deadline: Deadline | None = None) -> list[tuple[str, str]]:
        """Each item's fullest text and where it came from (feed or article page).

        A host's pages are asked for by as many lanes as the fetcher lets that host have requests,
        so they queue here, where the deadline is checked before each one, rather than all at once
        inside the fetcher's per-host slot. A page not fetched by the deadline keeps the feed's text.
        """
        texts = [(item.content, "feed") for item in items]
        wanted = [i for i, item in enumerate(items) if wants_article(item, feed.full_text)][:MAX_ARTICLES]
        by_host: dict[str, deque[int]] = defaultdict(deque)
        for index in wanted:
            by_host[host_of(items[index].link or "")].append(index)

        async def fetch(index: int) -> None:
            link = items[index].link
            assert link is not None
            article = await article_text(self.article_fetcher(), link)
            if article and len(article) > len(texts[index][0]):
                texts[index] = (article, "article")

        async def lane(pending: deque[int]) -> None:
            while pending:
                if deadline is not None and deadline.passed:
                    log.info("feed %s: %d article pages left unfetched at its deadline; they keep the "
                             "feed's text", feed.name, len(pending))
                    pending.clear()
                    return
                index = pending.popleft()
                if deadline is None:
                    await fetch(index)
                else:
                    await deadline.run(partial(fetch, index))

        lanes = self.config.http.per_host
        await asyncio.gather(*(lane(pending) for pending in by_host.values() for _ in range(lanes)))
        return texts
