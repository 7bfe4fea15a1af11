"""From items to stories: the flood guard, identity across polls and feeds, and full text for teasers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.ingest.fulltext import is_teaser
from bot.ingest.identity import canonical_url, identity_basis, story_id
from bot.models import FeedItem
from bot.store import Store
from tests.fakes.feed_server import Feed, FeedServer, Raw, rss
from tests.fakes.pollers import core_for, feed, poll

NOW = "Tue, 10 Mar 2026 11:00:00 GMT"  # an hour before the fake clock's start


def item(n: int, *, hours_ago: int = 1, **extra: str) -> dict[str, str]:
    base = {"title": f"Story number {n} about the Army and AI", "link": f"http://news.example/{n}",
            "guid": f"post-{n}", "pubDate": _date(hours_ago),
            "description": f"Body of story {n}: the Army tested an AI system with soldiers in the loop."}
    base.update(extra)
    return base


def _date(hours_ago: int) -> str:
    from email.utils import format_datetime

    return format_datetime(FakeClock().now() - timedelta(hours=hours_ago), usegmt=True)


@pytest.fixture
async def server() -> AsyncIterator[FeedServer]:
    async with FeedServer() as running:
        yield running


def stories(core):
    return {v.title: v for v in core.store.stories.views(include_irrelevant=True)}


async def test_first_poll_backfills_the_newest_then_announces_new_items(
        tmp_path: Path, store: Store, clock: FakeClock, server: FeedServer) -> None:
    wire = Feed(rss([item(n, hours_ago=n) for n in range(1, 6)]))
    server.route("/wire", wire)
    config = {"backfill": {"items": 2, "max_age": "2d"}}
    async with core_for(tmp_path, store, clock, [{"name": "wire", "url": server.url("/wire")}], poll=config) as core:
        await poll(core, "wire")
        seen = stories(core)
        assert len(seen) == 5
        announced = sorted(t for t, v in seen.items() if v.announce)
        assert announced == ["Story number 1 about the Army and AI", "Story number 2 about the Army and AI"]

        # Later: two new items, one of them old (a feed catching up after downtime), plus the old ones.
        wire.update(rss([item(7, hours_ago=0), item(6, hours_ago=72)] + [item(n, hours_ago=n) for n in range(1, 6)]),
                    '"v2"')
        clock.advance(timedelta(hours=1))
        outcome = await poll(core, "wire")
        assert outcome.new == 2
        seen = stories(core)
        assert seen["Story number 7 about the Army and AI"].announce
        assert not seen["Story number 6 about the Army and AI"].announce  # older than max_age


async def test_republished_and_edited_items_are_not_new(tmp_path: Path, store: Store, clock: FakeClock,
                                                        server: FeedServer) -> None:
    daily = {"title": "Morning brief", "link": "http://news.example/brief-1", "guid": "brief-1",
             "pubDate": _date(30), "description": "Monday: budget talks, a port strike and a new drone contract."}
    wire = Feed(rss([item(1), daily]))
    server.route("/wire", wire)
    async with core_for(tmp_path, store, clock, [{"name": "wire", "url": server.url("/wire")}]) as core:
        await poll(core, "wire")
        assert len(stories(core)) == 2
        republished = item(1, hours_ago=0)  # same guid, a new date
        edited = item(1, title="Story number 1 about the Army and AI (updated)")  # same guid, new title
        new_guid = item(1, guid="post-1-repost", link="http://news.example/1?utm_source=rss")  # same link
        same_title_new_guid = item(1, guid="post-1-again", link="http://news.example/1-again")  # same title+text
        other_brief = {"title": "Morning brief", "link": "http://news.example/brief-2", "guid": "brief-2",
                       "pubDate": _date(6), "description": "Tuesday: a satellite launch and talks on chip exports."}
        for version, items in enumerate([[republished], [edited], [new_guid], [same_title_new_guid]], start=2):
            wire.update(rss(items), f'"v{version}"')
            clock.advance(timedelta(hours=1))
            assert (await poll(core, "wire")).new == 0, items
            if items == [edited]:  # the edit was taken quietly
                assert "Story number 1 about the Army and AI (updated)" in stories(core)
        wire.update(rss([other_brief]), '"v9"')
        clock.advance(timedelta(hours=1))
        assert (await poll(core, "wire")).new == 1  # a recurring title with new text is a new story
        assert core.store.stories.count() == 3


async def test_same_story_in_two_feeds_is_stored_once_with_both_sources(
        tmp_path: Path, store: Store, clock: FakeClock, server: FeedServer) -> None:
    server.route("/a", Feed(rss([item(1, link="https://www.news.example/1/?utm_source=a&fbclid=x")], title="A")))
    server.route("/b", Feed(rss([item(1, guid="b-77", link="http://news.example/1#comments")], title="B")))
    # Unrelated feeds whose CMS both number items "1": two different stories.
    server.route("/c", Feed(rss([{"title": "Local council meets", "guid": "1", "link": "http://c.example/x"}])))
    server.route("/d", Feed(rss([{"title": "Harbour reopens", "guid": "1", "link": "http://d.example/y"}])))
    feeds = [{"name": n, "url": server.url("/" + n)} for n in "abcd"]
    async with core_for(tmp_path, store, clock, feeds) as core:
        report = await core.poller.poll_due(enrich=False)
        assert sorted((o.feed, o.new) for o in report.feeds) == [("a", 1), ("b", 0), ("c", 1), ("d", 1)] or \
            sorted((o.feed, o.new) for o in report.feeds) == [("a", 0), ("b", 1), ("c", 1), ("d", 1)]
        seen = stories(core)
        assert len(seen) == 3
        shared = seen["Story number 1 about the Army and AI"]
        assert sorted(s.feed for s in shared.sources) == ["A", "B"]


def test_identity_rules() -> None:
    def make(guid: str | None = None, link: str | None = None, title: str = "T") -> FeedItem:
        return FeedItem(title=title, link=link, guid=guid, published=None, summary="", content="")

    assert canonical_url("HTTP://WWW.Example.com:80//a//b/?utm_medium=x&b=2&a=1&fbclid=z#top") == \
        "https://example.com/a/b?a=1&b=2"
    assert canonical_url("https://example.com:8443/") == "https://example.com:8443/"
    assert identity_basis(make("1"), scope="https://f.example/rss") == "guid:https://f.example/rss#1"
    assert identity_basis(make("tag:example.com,2026:1"), scope="x") == "guid:tag:example.com,2026:1"
    assert identity_basis(make("http://Example.com/p?utm_source=x"), scope="x") == "guid:https://example.com/p"
    assert identity_basis(make(link="http://example.com/p/"), scope="x") == "url:https://example.com/p"
    assert story_id(make("1"), scope="feed-a") != story_id(make("1"), scope="feed-b")
    assert story_id(make(title="Hello, World"), scope="a") == story_id(make(title="hello world"), scope="a")


ARTICLE = """<html><head><title>Army trial</title></head><body><nav>Home | World | Sport</nav>
<article><h1>Army completes AI targeting trial</h1>
<p>The U.S. Army finished a six-week field trial of an artificial intelligence targeting aid on Tuesday.</p>
<p>Soldiers approved every strike the software suggested, the officer who led the trial said.</p>
<p>The service plans a second, larger trial in the autumn with more drones and more crews taking part.</p>
<p>Critics warned that human approval can become a rubber stamp when the machine sets the pace of war.</p>
</article><footer>Subscribe to our newsletter</footer></body></html>"""


async def test_teasers_get_the_article_text(tmp_path: Path, store: Store, clock: FakeClock,
                                           server: FeedServer) -> None:
    page = server.route("/article", Raw(ARTICLE.encode(), {"Content-Type": "text/html; charset=utf-8"}))
    teaser = {"title": "Army completes AI targeting trial", "link": page, "guid": "t1", "pubDate": _date(1),
              "description": "The Army finished a trial of an AI targeting aid… Read more"}
    server.route("/teaser", Feed(rss([teaser])))
    server.route("/never", Feed(rss([{**teaser, "guid": "t2", "link": page + "?never"}])))
    feeds = [{"name": "teaser", "url": server.url("/teaser")},
             {"name": "never", "url": server.url("/never"), "full_text": "never"}]
    # The article pages are on loopback here; sitrep fetches article pages only through the SSRF guard.
    async with core_for(tmp_path, store, clock, feeds, http={"allow_private_addresses": True}) as core:
        await poll(core, "teaser")
        await poll(core, "never")
        rows = core.store.stories.needing_enrichment(limit=10)
        assert len(rows) == 2
        full = [r for r in rows if "rubber stamp" in r.text]
        assert len(full) == 1 and "Subscribe" not in full[0].text and "Home | World" not in full[0].text
        assert len(server.seen("/article")) == 1  # "never" did not fetch its page
        assert server.seen("/article")[0].headers["User-Agent"].startswith("sitrep/")
        clock.advance(timedelta(hours=1))
        await poll(core, "teaser")  # the item is known now: its page is not fetched again
        assert len(server.seen("/article")) == 1
        assert feed(core, "teaser").status == "ok"


def test_teaser_detection() -> None:
    def make(content: str, full: bool = False) -> FeedItem:
        return FeedItem(title="t", link="https://x.example/a", guid=None, published=None, summary=content[:100],
                        content=content, full_content=full)

    assert is_teaser(make("Short summary."))
    assert is_teaser(make("x " * 600 + "Continue reading", full=True))
    assert is_teaser(make("Long text. " * 30 + "The post Hello appeared first on Example News."))
    assert not is_teaser(make("Short but full content from content:encoded.", full=True))
    assert not is_teaser(make("A long feed body. " * 60))
