"""One poll cycle: fetch due feeds, parse, filter, store, then enrich and cluster what is new.

Every feed's outcome is recorded as its status; nothing a feed does can stop the cycle.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.cluster import Clusterer, signature
from bot.config.models import Config
from bot.enrich import Enricher, StoryText
from bot.feeds import parse_feed
from bot.fetch import Fetcher, FetchResult
from bot.fulltext import article_text, wants_article
from bot.identity import canonical_url, story_id, title_key
from bot.models import Enrichment, EntityKind, FeedItem
from bot.store import FeedRow, NewStory, Store
from bot.topics import TopicFilter

log = logging.getLogger(__name__)
MAX_BACKOFF = timedelta(days=1)
ENRICH_BATCH = 32


@dataclass(slots=True)
class FeedOutcome:
    feed: str
    status: str  # ok | not-modified | failed
    new: int = 0
    seen: int = 0
    error: str | None = None


@dataclass(slots=True)
class PollReport:
    feeds: list[FeedOutcome] = field(default_factory=list)
    enriched: int = 0

    @property
    def new_stories(self) -> int:
        return sum(f.new for f in self.feeds)

    @property
    def failed(self) -> int:
        return sum(f.status == "failed" for f in self.feeds)


Progress = Callable[[FeedOutcome], None]


class Poller:
    def __init__(self, *, config: Config, store: Store, fetcher: Fetcher, clock: Clock,
                 topics: TopicFilter, enricher: Enricher, rng: random.Random | None = None) -> None:
        self.config = config
        self.store = store
        self.fetcher = fetcher
        self.clock = clock
        self.topics = topics
        self.enricher = enricher
        self.rng = rng or random.Random()
        self.clusterer = Clusterer(store.engine, window=config.poll.cluster_window)
        self.topic_names = list(topics.topics)

    async def poll_due(self, *, everything: bool = False, progress: Progress | None = None) -> PollReport:
        now = self.clock.now()
        feeds = await asyncio.to_thread(self.store.feeds.all, enabled_only=True) if everything else \
            await asyncio.to_thread(self.store.feeds.due, now)
        return await self.poll(feeds, progress=progress)

    async def poll(self, feeds: list[FeedRow], *, progress: Progress | None = None) -> PollReport:
        report = PollReport()

        async def one(feed: FeedRow) -> None:
            try:
                outcome = await self.poll_feed(feed)
            except Exception as error:  # a bug on one feed must not stop the others; it is logged loudly
                log.exception("polling %s failed unexpectedly", feed.name)
                outcome = FeedOutcome(feed.name, "failed", error=f"internal error: {type(error).__name__}")
            report.feeds.append(outcome)
            if progress:
                progress(outcome)

        await asyncio.gather(*(one(feed) for feed in feeds))
        report.enriched = await self.enrich_pending()
        return report

    def interval(self, feed: FeedRow) -> timedelta:
        return timedelta(seconds=feed.interval_s) if feed.interval_s else self.config.poll.interval

    def _next_due(self, feed: FeedRow, now: datetime, *, failures: int = 0,
                  server_hint: timedelta | None = None) -> datetime:
        base = self.interval(feed)
        if failures:
            base = min(base * (2 ** min(failures, 10)), MAX_BACKOFF)
            if failures >= self.config.poll.max_failures:
                base = max(base, self.config.poll.failing_interval)
        if server_hint and server_hint > base:
            base = min(server_hint, MAX_BACKOFF)
        jitter = base.total_seconds() * self.config.poll.jitter
        return now + base + timedelta(seconds=self.rng.uniform(-jitter, jitter) if jitter else 0)

    async def poll_feed(self, feed: FeedRow) -> FeedOutcome:
        result = await self.fetcher.fetch(feed.url, etag=feed.etag, last_modified=feed.last_modified)
        now = self.clock.now()
        if not result.ok:
            return await self._failed(feed, result.error or "unknown error", result, now)
        if result.not_modified:
            await asyncio.to_thread(self.store.feeds.record_success, feed.id, now=now,
                                    next_due=self._next_due(feed, now, server_hint=result.retry_after),
                                    status_code=304, etag=result.etag or feed.etag,
                                    last_modified=result.last_modified or feed.last_modified)
            return FeedOutcome(feed.name, "not-modified")
        parsed = await asyncio.to_thread(parse_feed, result.body, url=feed.url, content_type=result.content_type)
        if not parsed.usable:
            return await self._failed(feed, parsed.problem or "not a feed", result, now)
        new = await self._store_items(feed, parsed.title or feed.name, parsed.items, now)
        await asyncio.to_thread(self.store.feeds.record_success, feed.id, now=now,
                                next_due=self._next_due(feed, now, server_hint=result.retry_after),
                                status_code=result.status_code, etag=result.etag, last_modified=result.last_modified,
                                title=parsed.title, item_count=len(parsed.items))
        return FeedOutcome(feed.name, "ok", new=new, seen=len(parsed.items), error=parsed.problem)

    async def _failed(self, feed: FeedRow, error: str, result: FetchResult, now: datetime) -> FeedOutcome:
        failures = feed.consecutive_failures + 1
        next_due = self._next_due(feed, now, failures=failures, server_hint=result.retry_after)
        status = await asyncio.to_thread(self.store.feeds.record_failure, feed.id, now=now, next_due=next_due,
                                         error=error, status_code=result.status_code,
                                         max_failures=self.config.poll.max_failures)
        log.info("feed %s failed (%s), %d in a row, status %s", feed.name, error, failures, status)
        return FeedOutcome(feed.name, "failed", error=error)

    async def _store_items(self, feed: FeedRow, source: str, items: list[FeedItem], now: datetime) -> int:
        backfill = self.config.poll.backfill
        newest_first = sorted(items, key=lambda i: i.published or now, reverse=True)
        new = 0
        for rank, item in enumerate(newest_first):
            text = item.content
            text_source = "feed"
            if wants_article(item, feed.full_text) and item.link:
                article = await article_text(self.fetcher, item.link)
                if article and len(article) > len(text):
                    text, text_source = article, "article"
            names = feed.topics if feed.topics is not None else self.topic_names
            matches = self.topics.match(title=item.title, summary=item.summary, text=text, names=names)
            announce = feed.initialized or rank < backfill.items
            if item.published and now - item.published > backfill.max_age:
                announce = False
            story = NewStory(
                id=story_id(item), title=item.title, url=item.link, canonical_url=canonical_url(item.link),
                guid=item.guid, title_key=title_key(item.title), published_at=item.published,
                feed_summary=item.summary, text=text, text_source=text_source, author=item.author,
                relevant=any(m.matched for m in matches), topics=[m.topic for m in matches if m.matched],
                topic_matches=matches, announce=announce)
            stored = await asyncio.to_thread(self.store.stories.store, story, feed_id=feed.id,
                                             source_name=source, now=now)
            new += stored.created
        return new

    async def enrich_pending(self) -> int:
        """Enrich every stored story not yet enriched (on the NLP worker), save it, and cluster it.

        A batch that fails is retried story by story; a story that still fails is saved with no
        knowledge (its title as summary) and logged, so one bad text cannot stall the queue.
        """
        done = 0
        while True:
            batch = await asyncio.to_thread(self.store.stories.needing_enrichment, limit=ENRICH_BATCH)
            if not batch:
                return done
            relevant = await asyncio.to_thread(self.store.knowledge.relevance, [s.id for s in batch])
            texts = [StoryText(s.title, s.text, relevant.get(s.id, True)) for s in batch]
            try:
                results = await self.enricher.run(texts)
            except Exception:  # one story's text must not stop the others: retry them one at a time
                log.exception("enriching a batch of %d stories failed; retrying one by one", len(batch))
                results = [await self._enrich_one(row.id, text) for row, text in zip(batch, texts, strict=True)]
            now = self.clock.now()
            for row, enrichment in zip(batch, results, strict=True):
                await asyncio.to_thread(self.store.knowledge.save, row.id, enrichment, published=row.published_at,
                                        now=now)
                names = [e.name for e in enrichment.entities if e.kind in (EntityKind.person, EntityKind.org)]
                lead = " ".join(row.text.split("\n")[:2])
                sig = signature(row.title, lead, names)
                await asyncio.to_thread(self.clusterer.assign, row.id, sig, row.published_at or now, now)
            done += len(batch)

    async def _enrich_one(self, story_id: str, text: StoryText) -> Enrichment:
        try:
            return (await self.enricher.run([text]))[0]
        except Exception:
            log.exception("enriching story %s failed; stored without facts, quotes or entities", story_id)
            return Enrichment(summary=text.title, facts=[], quotes=[], entities=[])
