"""Retention must not turn old stories into news: a pruned story still in its feed, or carried by
another feed, is recognised as read; the config refuses a retention shorter than what may be announced."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.clock import FakeClock
from bot.config import parse_config
from bot.errors import ConfigError
from bot.ops.retention import REMEMBER, prune
from bot.store import Store
from bot.store.schema import pruned_stories
from tests.fakes.feed_server import Feed, FeedServer, rss
from tests.fakes.pollers import core_for, poll

RETENTION = timedelta(days=30)


def undated(n: int) -> dict[str, str]:
    """An item without a date: the flood guard cannot tell it is old, so only its identity can."""
    return {"title": f"Contract {n} for autonomous Army drones", "link": f"http://news.example/contract-{n}",
            "guid": f"contract-{n}", "description": f"Contract {n}: the Army buys AI drone swarms for trials."}


@pytest.fixture
async def server() -> AsyncIterator[FeedServer]:
    async with FeedServer() as running:
        yield running


def titles(store: Store) -> dict[str, bool]:
    """Stored stories, title -> announce."""
    return {v.title: v.announce for v in store.stories.views(include_irrelevant=True)}


async def test_an_undated_item_still_in_its_feed_is_not_stored_or_announced_after_pruning(
        tmp_path: Path, store: Store, clock: FakeClock, server: FeedServer) -> None:
    wire = Feed(rss([undated(1)]))
    server.route("/wire", wire)
    feeds = [{"name": "wire", "url": server.url("/wire")}]
    async with core_for(tmp_path, store, clock, feeds, storage={"retention": "30d"}) as core:
        await poll(core, "wire")  # the first poll: recorded, not announced (flood guard)
        wire.update(rss([undated(2), undated(1)]), '"v2"')
        clock.advance(timedelta(hours=1))
        assert (await poll(core, "wire")).new == 1
        assert titles(store) == {"Contract 1 for autonomous Army drones": False,
                                 "Contract 2 for autonomous Army drones": True}

        clock.advance(RETENTION + timedelta(days=10))
        assert prune(store, now=clock.now(), retention=RETENTION).stories == 2
        assert titles(store) == {}
        # The feed still carries both items, and one new one.
        wire.update(rss([undated(3), undated(2), undated(1)]), '"v3"')
        outcome = await poll(core, "wire")
        assert outcome.new == 1
        assert titles(store) == {"Contract 3 for autonomous Army drones": True}
        # Another feed picking up a pruned story (same link) does not bring it back either.
        server.route("/mirror", Feed(rss([{**undated(2), "guid": "mirror-2"}])))
        core.store.feeds.add(name="mirror", url=server.url("/mirror"), topics=None, added_by="test",
                             now=clock.now())
        assert (await poll(core, "mirror")).new == 0
        assert set(titles(store)) == {"Contract 3 for autonomous Army drones"}


async def test_pruned_identities_are_kept_while_carried_then_forgotten(
        tmp_path: Path, store: Store, clock: FakeClock, server: FeedServer) -> None:
    wire = Feed(rss([undated(1), undated(2)]))
    server.route("/wire", wire)
    async with core_for(tmp_path, store, clock, [{"name": "wire", "url": server.url("/wire")}]) as core:
        await poll(core, "wire")
        clock.advance(RETENTION + timedelta(days=1))
        prune(store, now=clock.now(), retention=RETENTION)
        # Only item 1 stays in the feed: its identity is refreshed by every poll that sees it.
        clock.advance(REMEMBER - timedelta(days=1))
        wire.update(rss([undated(1)]), '"v2"')
        assert (await poll(core, "wire")).new == 0
        clock.advance(timedelta(days=2))
        assert prune(store, now=clock.now(), retention=RETENTION).forgotten == 1
        with store.engine.connect() as c:
            kept = [r.id for r in c.execute(select(pruned_stories.c.id, pruned_stories.c.canonical_url))]
        assert len(kept) == 1
        wire.update(rss([undated(1)]), '"v3"')
        assert (await poll(core, "wire")).new == 0  # still remembered, still not news


def test_a_retention_shorter_than_the_announce_window_is_a_config_error() -> None:
    with pytest.raises(ConfigError) as error:
        parse_config("storage:\n  retention: 1d\npoll:\n  backfill:\n    max_age: 3d\n",
                     path=Path("sitrep.yaml"), env={})
    assert (error.value.line, error.value.key) == (2, "storage.retention")
    assert "shorter than poll.backfill.max_age (3d)" in error.value.message
    config = parse_config("storage:\n  retention: 3d\npoll:\n  backfill:\n    max_age: 3d\n",
                          path=Path("sitrep.yaml"), env={})
    assert config.storage.retention == timedelta(days=3)
