"""A feed's whole poll (the feed, per-host slot waits, every article page) stays inside its lease,
and an instance whose lease ran out cannot overwrite the feed state the next holder wrote."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp import web

from bot.clock import FakeClock
from bot.store import Store
from tests.fakes.feed_server import Feed, FeedServer, Trickle, rss
from tests.fakes.pollers import claim, core_for, feed

ARTICLE = "the full report from the trial range"
TEASER = "A teaser about the drone trial… Read more"


@dataclass(slots=True)
class SlowPage:
    """An article host that takes `delay` of the test's clock to answer each page (a slow host)."""

    clock: FakeClock
    delay: timedelta

    async def __call__(self, request: web.Request) -> web.StreamResponse:
        self.clock.advance(self.delay)
        page = secrets.token_hex(4)  # each page its own text: the extractor drops text it has seen before
        text = " ".join(f"Paragraph {n} of {page}: {ARTICLE}, with every detail left out." for n in range(20))
        return web.Response(text=f"<html><body><article><p>{text}</p></article></body></html>",
                            content_type="text/html")


@pytest.fixture
async def server() -> AsyncIterator[FeedServer]:
    async with FeedServer() as running:
        yield running


def teasers(server: FeedServer, count: int) -> bytes:
    return rss([{"title": f"Drone trial day {i}", "link": server.url(f"/article/{i}"), "guid": f"t{i}",
                 "pubDate": "Tue, 10 Mar 2026 09:00:00 GMT", "description": TEASER} for i in range(count)])


async def test_thirty_articles_on_one_slow_host_finish_inside_the_feeds_lease(
        tmp_path: Path, store: Store, clock: FakeClock, server: FeedServer) -> None:
    """30 pages, one slot on their host, 20 s each: 10 minutes of fetching for a 5-minute lease. The
    poll stops fetching at its deadline; the pages not fetched keep the feed's text, and nothing is lost."""
    page = SlowPage(clock, timedelta(seconds=20))
    for i in range(30):
        server.route(f"/article/{i}", page)
    feeds = [{"name": "wire", "url": server.route("/feed", Feed(teasers(server, 30)))}]
    async with core_for(tmp_path, store, clock, feeds, http={"allow_private_addresses": True, "per_host": 1},
                        leases={"feed": "5m"}) as core:
        started = clock.now()
        report = await core.poller.poll_due(enrich=False)
        assert [(o.status, o.new) for o in report.feeds] == [("ok", 30)]
        assert clock.now() <= started + timedelta(minutes=5)  # the outcome was written while the lease held
        row = feed(core, "wire")
        assert (row.status, row.lease_owner, row.last_success_at) == ("ok", None, started)
        texts = [r.text for r in core.store.stories.needing_enrichment(limit=100)]
        fetched = sum(ARTICLE in t for t in texts)
        assert len(texts) == 30 and 0 < fetched < 30
        assert sum(t == TEASER for t in texts) == 30 - fetched
        assert len([r for r in server.requests if r.path.startswith("/article/")]) == fetched


async def test_waiting_for_a_busy_hosts_slot_ends_at_the_feeds_deadline(
        tmp_path: Path, store: Store, clock: FakeClock, server: FeedServer) -> None:
    """The article host's only slot is held by a page that never finishes (30 s total timeout); the
    feed's lease is a second. Waiting for that slot is cut at the deadline, not at the other page's end."""
    server.route("/article/0", SlowPage(clock, timedelta(0)))
    feeds = [{"name": "wire", "url": server.route("/feed", Feed(teasers(server, 1)))}]
    async with core_for(tmp_path, store, clock, feeds, leases={"feed": "1s"},
                        http={"allow_private_addresses": True, "per_host": 1, "total_timeout": "30s"}) as core:
        hog = asyncio.create_task(core.guarded_fetcher.fetch(server.route("/trickle", Trickle(0.02))))
        while not server.seen("/trickle"):
            await asyncio.sleep(0.01)
        try:
            outcome = (await asyncio.wait_for(core.poller.poll_due(enrich=False), timeout=20)).feeds[0]
            assert not hog.done()  # the slot was never freed: the wait itself was cut
        finally:
            hog.cancel()
        assert (outcome.status, outcome.new) == ("ok", 1)
        assert [r.text for r in core.store.stories.needing_enrichment()] == [TEASER]
        assert server.seen("/article/0") == []


async def test_an_instance_that_lost_its_lease_leaves_the_new_holders_state_alone(
        tmp_path: Path, store: Store, clock: FakeClock, server: FeedServer) -> None:
    feeds = [{"name": "wire", "url": server.route("/feed", Feed(teasers(server, 0)))}]
    async with core_for(tmp_path, store, clock, feeds) as one, core_for(tmp_path, store, clock, feeds) as two:
        stale = claim(one, feed(one, "wire").id)
        assert stale is not None
        clock.advance(one.config.leases.feed)  # one stalled; its lease ran out and two took the feed
        assert (await two.poller.poll_one(claim(two, stale.id) or stale)).status == "ok"
        polled = feed(two, "wire")
        outcome = await one.poller.poll_one(stale)  # one wakes up with the claim it had
        assert outcome.status == "deferred"
        assert feed(one, "wire") == polled  # two's result stands: next due time, status, no lease
        assert len(server.seen("/feed")) == 1
