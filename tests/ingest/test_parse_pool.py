"""Feed parsing in worker processes: the same results as in-process, started only for a burst."""

from __future__ import annotations

import asyncio

from bot.ingest.parse import parse_feed
from bot.ingest.parse_pool import BURST, FeedParsers
from tests.fakes.feed_server import rss

DOCS = [rss([{"title": f"Feed {i} story {n}", "link": f"http://fake.example/{i}/{n}", "guid": f"{i}-{n}"}
             for n in range(3)]) for i in range(BURST + 2)]


async def test_a_burst_parses_in_workers_with_the_same_result() -> None:
    parsers = FeedParsers(workers=1)
    try:
        results = await asyncio.gather(*(parsers.parse(doc, url=f"feed{i}") for i, doc in enumerate(DOCS)))
        assert parsers.started
        assert [r.items for r in results] == [parse_feed(doc, url="x").items for doc in DOCS]
        broken = await parsers.parse(b"<html><body>not a feed</body></html>", url="html", content_type="text/html")
        assert not broken.usable and broken.problem and "HTML" in broken.problem
    finally:
        parsers.close()
    assert not parsers.started


async def test_a_single_feed_or_no_workers_parses_in_process() -> None:
    alone = FeedParsers(workers=1)
    assert (await alone.parse(DOCS[0], url="one")).items == parse_feed(DOCS[0], url="one").items
    assert not alone.started
    none = FeedParsers(workers=0)
    await asyncio.gather(*(none.parse(doc, url="f") for doc in DOCS))
    assert not none.started
