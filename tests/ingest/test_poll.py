"""Polling against the fake feed server: every fault is a feed status, backoff, failing, recovery, notices."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.clock import FakeClock
from bot.ingest.parse import ParsedFeed
from bot.store import Store
from tests.fakes.feed_server import Feed, FeedServer, Hang, Raw, Redirect, Status, gzip_bomb, rss
from tests.fakes.pollers import core_for, feed, poll

ITEMS = [{"title": "Army tests AI targeting aid", "link": "http://news.example/a", "guid": "a",
          "pubDate": "Tue, 10 Mar 2026 09:00:00 GMT",
          "description": "The Army tested an AI targeting aid on scout drones with soldiers approving every strike."}]
BODY = rss(ITEMS, title="Fake News Wire")


@pytest.fixture
async def server() -> AsyncIterator[FeedServer]:
    async with FeedServer() as running:
        yield running


BILLION_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaa">'
                  + b"".join(f'<!ENTITY {c} "{("&" + p + ";") * 10}">'.encode()
                             for p, c in zip("abcdefgh", "bcdefghi", strict=True))
                  + b']><rss version="2.0"><channel><title>Bomb &i;</title><item><title>Item &i;</title>'
                  b"<link>http://news.example/bomb</link></item></channel></rss>")


def faults(server: FeedServer) -> dict[str, tuple[str, str]]:
    """name -> (url, the start of the reason `sitrep feeds` shows)."""
    server.route("/loop-a", Redirect(server.url("/loop-b")))
    server.route("/loop-b", Redirect(server.url("/loop-a")))
    xxe = (f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "{server.url("/secret")}">]>'
           '<rss version="2.0"><channel><title>t</title><item><title>Leak &x;</title>'
           "<link>http://news.example/xxe</link></item></channel></rss>").encode()
    return {
        "hang": (server.route("/hang", Hang()), "server silent for 0.5s"),
        "http500": (server.route("/500", Status(500)), "HTTP 500"),
        "http503": (server.route("/503", Status(503)), "HTTP 503"),
        "http404": (server.route("/404", Status(404)), "HTTP 404"),
        "http410": (server.route("/410", Status(410)), "HTTP 410"),
        # The feed's own address is trusted as written; a redirect, even back to it, must pass the guard.
        "loop": (server.url("/loop-a"), "after a redirect to 127.0.0.1: BlockedAddress: refused"),
        "big": (server.route("/big", Raw(b"<rss>" + b" " * 300_000)), "body larger than 200,000 bytes"),
        "bomb": (server.route("/bomb", Raw(gzip_bomb(64 << 20), {"Content-Encoding": "gzip"})),
                 "body larger than 200,000 bytes"),
        "html": (server.route("/html", Raw(b"<!DOCTYPE html><html><body><p>Home</p></body></html>",
                                           {"Content-Type": "text/html"})), "an HTML page, not a feed"),
        "invalid": (server.route("/invalid", Raw(b"<?xml version='1.0'?><rss><channel><title>x</title><item><ti")),
                    "not a feed"),
        "empty": (server.route("/empty", Raw(b"", {"Content-Type": "application/rss+xml"})), "empty body"),
        # These still carry items: they are kept, with the problem noted.
        "laughs": (server.route("/laughs", Raw(BILLION_LAUGHS)), ""),
        "xxe": (server.route("/xxe", Raw(xxe)), ""),
        "charset": (server.route("/charset", Raw(BODY.replace(b"Fake News Wire", "Café Wire".encode("latin-1")),
                                                 {"Content-Type": "application/rss+xml; charset=utf-8"})), ""),
        "gzip": (server.route("/gz", Raw(gzip.compress(BODY), {"Content-Encoding": "gzip"})), ""),
    }


async def test_every_fault_is_a_status_with_a_reason(tmp_path: Path, store: Store, clock: FakeClock,
                                                     server: FeedServer) -> None:
    cases = faults(server)
    feeds = [{"name": name, "url": url} for name, (url, _) in cases.items()]
    async with core_for(tmp_path, store, clock, feeds, http={"max_body": 200_000}) as core:
        report = await core.poller.poll_due(enrich=False)
        assert len(report.feeds) == len(cases)
        for name, (_, reason) in cases.items():
            row = feed(core, name)
            if reason:
                assert row.consecutive_failures == 1, name
                assert (row.last_error or "").startswith(reason), (name, row.last_error)
            else:
                assert row.consecutive_failures == 0 and row.status == "ok", (name, row.last_error)
                assert row.item_count == 1, name
        assert feed(core, "http410").status == "failing"  # gone: failing at once
        assert feed(core, "http500").status == "ok"  # one failure is not yet failing
        assert server.seen("/secret") == []  # the external entity was never fetched
        titles = {v.title for v in core.store.stories.views(include_irrelevant=True)}
        assert all(len(t) < 200 and "aaaaaaaa" not in t for t in titles)
        card = core.feeds_card()
        assert {line.name: line.status for line in card.feeds}["http410"] == "failing"


async def test_unchanged_feeds_cost_no_parse(tmp_path: Path, store: Store, clock: FakeClock, server: FeedServer,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    parses: list[str] = []
    server.route("/cond", Feed(BODY))
    server.route("/nocond", Feed(BODY, etag=None, last_modified=None))
    feeds = [{"name": "cond", "url": server.url("/cond")}, {"name": "nocond", "url": server.url("/nocond")}]
    async with core_for(tmp_path, store, clock, feeds) as core:
        real_parse = core.poller.parsers.parse

        async def counting(body: bytes, **kwargs: Any) -> ParsedFeed:
            parses.append(str(kwargs.get("url")))
            return await real_parse(body, **kwargs)

        monkeypatch.setattr(core.poller.parsers, "parse", counting)
        assert {o.status for o in (await core.poller.poll_due(enrich=False)).feeds} == {"ok"}
        assert len(parses) == 2
        clock.advance(timedelta(hours=1))
        outcomes = {o.feed: o.status for o in (await core.poller.poll_due(enrich=False)).feeds}
        assert outcomes == {"cond": "not-modified", "nocond": "unchanged"}
        assert len(parses) == 2
        row = feed(core, "cond")  # written in the cycle's batch of 304s
        assert row.last_status_code == 304 and row.last_fetch_at == clock.now()
        assert row.next_due_at is not None and row.next_due_at > clock.now()
        assert server.seen("/cond")[-1].headers["If-None-Match"] == '"v1"'


async def test_backoff_failing_slow_retry_and_recovery(tmp_path: Path, store: Store, clock: FakeClock,
                                                       server: FeedServer) -> None:
    flaky = Status(500)
    server.route("/flaky", flaky)
    feeds = [{"name": "flaky", "url": server.url("/flaky"), "interval": "10m"}]
    channels = [{"name": "ops", "platform": "console"}]
    poll_config = {"max_failures": 3, "failing_interval": "6h", "jitter": 0.1}
    async with core_for(tmp_path, store, clock, feeds, channels=channels, poll=poll_config) as core:
        delays = []
        for _ in range(3):
            now = clock.now()
            await poll(core, "flaky")
            delays.append(feed(core, "flaky").next_due_at - now)  # type: ignore[operator]
        row = feed(core, "flaky")
        # 1st and 2nd failures back off (10m, then 20m, each with "equal jitter"), the 3rd makes it failing.
        assert timedelta(minutes=4) <= delays[0] <= timedelta(minutes=11)
        assert timedelta(minutes=9) <= delays[1] <= timedelta(minutes=22)
        assert row.status == "failing" and row.last_error == "HTTP 500 Internal Server Error"
        assert timedelta(hours=5.4) <= delays[2] <= timedelta(hours=6.6)
        notices = core.store.outbox.due(clock.now())
        assert len(notices) == 1 and "Feed flaky is failing" in notices[0].payload
        assert "HTTP 500" in notices[0].payload

        clock.advance(timedelta(hours=6))
        await poll(core, "flaky")  # still failing, but told already today
        assert len(core.store.outbox.due(clock.now())) == 1
        clock.advance(timedelta(hours=19))
        await poll(core, "flaky")  # a day later: told again
        assert len(core.store.outbox.due(clock.now())) == 2

        server.route("/flaky", Feed(BODY))  # the server recovers, and so does the feed
        clock.advance(timedelta(hours=6))
        await poll(core, "flaky")
        row = feed(core, "flaky")
        assert row.status == "ok" and row.consecutive_failures == 0 and row.last_error is None
        assert row.failing_notified_at is None and row.failing_since is None
        assert timedelta(minutes=9) <= row.next_due_at - clock.now() <= timedelta(minutes=11)  # type: ignore[operator]


async def test_server_hints_set_the_next_poll(tmp_path: Path, store: Store, clock: FakeClock,
                                              server: FeedServer) -> None:
    server.route("/slow-down", Status(429, headers={"Retry-After": "7200"}))
    server.route("/cached", Feed(BODY, headers={"Cache-Control": "max-age=3600"}))
    server.route("/cached-long", Feed(BODY, headers={"Cache-Control": "max-age=86400"}))
    server.route("/ttl", Feed(rss(ITEMS, extra="", title="T").replace(b"<title>T</title>",
                                                                        b"<title>T</title><ttl>90</ttl>")))
    feeds = [{"name": n, "url": server.url("/" + n), "interval": "15m"}
             for n in ("slow-down", "cached", "cached-long", "ttl")]
    async with core_for(tmp_path, store, clock, feeds, poll={"jitter": 0, "max_interval": "4h"}) as core:
        await core.poller.poll_due(enrich=False)
        due = {n: feed(core, n).next_due_at - clock.now() for n in ("slow-down", "cached", "cached-long", "ttl")}  # type: ignore[operator]
    assert due["slow-down"] >= timedelta(hours=2)
    assert due["cached"] == timedelta(hours=1)
    assert due["cached-long"] == timedelta(hours=4)  # capped by poll.max_interval
    assert due["ttl"] == timedelta(minutes=90)


async def test_a_paused_host_defers_its_other_feeds_without_counting_a_failure(
        tmp_path: Path, store: Store, clock: FakeClock, server: FeedServer) -> None:
    server.route("/a", Status(429, headers={"Retry-After": "600"}))
    server.route("/b", Feed(BODY))
    feeds = [{"name": "a", "url": server.url("/a")}, {"name": "b", "url": server.url("/b")}]
    async with core_for(tmp_path, store, clock, feeds) as core:
        await poll(core, "a")
        outcome = await poll(core, "b")
        assert outcome.status == "deferred" and server.seen("/b") == []
        row = feed(core, "b")
        assert row.consecutive_failures == 0 and row.next_due_at >= clock.now() + timedelta(seconds=600)  # type: ignore[operator]


async def test_a_due_feed_list_survives_a_restart(tmp_path: Path, store: Store, clock: FakeClock,
                                                  server: FeedServer) -> None:
    server.route("/f", Feed(BODY))
    feeds = [{"name": f"f{i}", "url": server.url("/f"), "interval": "30m"} for i in range(5)]
    async with core_for(tmp_path, store, clock, feeds) as core:
        assert len((await core.poller.poll_due(enrich=False)).feeds) == 5
    clock.advance(timedelta(minutes=5))
    async with core_for(tmp_path, store, clock, feeds) as core:  # a restart: nothing is due yet
        assert (await core.poller.poll_due(enrich=False)).feeds == []


async def test_two_instances_polling_at_once_poll_each_feed_once(tmp_path: Path, store: Store, clock: FakeClock,
                                                                 server: FeedServer) -> None:
    """Two pollers on one database (two instances: their own owner ids) run a cycle at the same time:
    the claims split the feeds, every feed is polled, none twice; a third cycle finds nothing due."""
    from tests.fakes.feed_server import jittered

    server.latency = jittered(0.02, 0.01)
    feeds = [{"name": f"f{i}", "url": server.route(f"/f{i}", Feed(rss([{**ITEMS[0], "guid": f"g{i}"}])))}
             for i in range(40)]
    async with core_for(tmp_path, store, clock, feeds) as one, core_for(tmp_path, store, clock, feeds) as two:
        assert one.owner != two.owner
        first, second = await asyncio.gather(one.poller.poll_due(enrich=False), two.poller.poll_due(enrich=False))
        polled = [o.feed for o in first.feeds] + [o.feed for o in second.feeds]
        assert sorted(polled) == sorted(f["name"] for f in feeds)
        assert {o.status for o in first.feeds + second.feeds} == {"ok"}
        assert len(server.requests) == len(feeds)
        assert (await one.poller.poll_due(enrich=False)).feeds == []
