"""Backpressure between parse and store: however slow the store, a cycle holds at most STORE_BACKLOG
changed feeds parsed and not yet stored; the rest wait as fetched bytes, before their parse."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.clock import FakeClock
from bot.ingest.intake import Ingested, Ingester
from bot.ingest.parse import ParsedFeed
from bot.ingest.parse_pool import FeedParsers
from bot.ingest.poll import STORE_BACKLOG
from bot.models import FeedItem
from bot.store import FeedRow, Store
from tests.fakes.feed_server import rss
from tests.fakes.pollers import core_for

FEEDS = STORE_BACKLOG * 4


@dataclass
class Pipeline:
    """Feeds parsed and not yet stored, now and at most."""

    unsaved: int = 0
    peak: int = 0


class CountingParsers(FeedParsers):
    def __init__(self, pipeline: Pipeline) -> None:
        super().__init__(workers=0)
        self.pipeline = pipeline

    async def parse(self, body: bytes, *, url: str, content_type: str | None = None) -> ParsedFeed:
        parsed = await super().parse(body, url=url, content_type=content_type)
        self.pipeline.unsaved += 1
        self.pipeline.peak = max(self.pipeline.peak, self.pipeline.unsaved)
        return parsed


class SlowIngester(Ingester):
    """A store that lets every other feed run many steps before it takes one feed's items."""

    def __init__(self, pipeline: Pipeline, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pipeline = pipeline

    async def store_items(self, feed: FeedRow, source: str, items: list[FeedItem], now: datetime,
                          deadline: Any = None) -> Ingested:
        for _ in range(FEEDS * 4):
            await asyncio.sleep(0)
        try:
            return await super().store_items(feed, source, items, now, deadline)
        finally:
            self.pipeline.unsaved -= 1


async def test_parsed_but_unstored_feeds_never_exceed_the_backlog(tmp_path: Path, store: Store,
                                                                  clock: FakeClock) -> None:
    feeds = []
    for i in range(FEEDS):
        path = tmp_path / f"feed{i}.xml"
        path.write_bytes(rss([{"title": f"Story {i}", "link": f"https://news.example/{i}", "guid": f"g{i}",
                               "description": "The ministry ordered drones for the border units."}]))
        feeds.append({"name": f"f{i}", "url": str(path)})
    # Enough fetch workers that every feed is in flight at once: only the backlog holds parses back.
    async with core_for(tmp_path, store, clock, feeds, http={"concurrency": FEEDS}) as core:
        pipeline = Pipeline()
        poller = core.poller
        poller.parsers = CountingParsers(pipeline)
        poller.ingester = SlowIngester(pipeline, config=core.config, store=core.store, fetcher=core.fetcher,
                                       topics=core.topics)
        report = await poller.poll_due(everything=True, enrich=False)
    assert sorted(o.status for o in report.feeds) == ["ok"] * FEEDS
    assert pipeline.unsaved == 0
    assert 1 < pipeline.peak <= STORE_BACKLOG
