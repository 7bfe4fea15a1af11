"""A Sitrep core wired to a loopback feed server, a fake clock and a real store, for poll tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import yaml

from bot.app import Sitrep
from bot.clock import FakeClock
from bot.store import FeedRow, Store
from tests.conftest import make_config

FAST_HTTP = {"connect_timeout": "0.5s", "read_timeout": "0.5s", "total_timeout": "2s",
             "contact": "https://ops.example/sitrep"}


@asynccontextmanager
async def core_for(tmp_path: Path, store: Store, clock: FakeClock, feeds: list[dict[str, Any]],
                   **sections: Any) -> AsyncIterator[Sitrep]:
    """A core whose config lists `feeds` (dicts as in YAML); other top-level sections as keyword args."""
    document: dict[str, Any] = {"feeds": feeds, "http": {**FAST_HTTP, **sections.pop("http", {})}, **sections}
    config = make_config(yaml.safe_dump(document), tmp_path)
    core = Sitrep(config=config, store=store, clock=clock)
    core.sync_feeds()
    try:
        yield core
    finally:
        await core.fetcher.aclose()


def feed(core: Sitrep, name: str) -> FeedRow:
    row = core.store.feeds.get(name)
    assert row is not None, f"no feed {name}"
    return row


def claim(core: Sitrep, feed_id: int) -> FeedRow | None:
    """Claim a feed for this core, due or not, as a poll cycle would (its outcome is written only then)."""
    taken = core.store.feeds.claim(core.clock.now(), owner=core.owner, lease=core.config.leases.feed, limit=1,
                                   ids=[feed_id], due=False)
    return taken[0] if taken else None


async def poll(core: Sitrep, name: str) -> Any:
    """Poll one feed now, whether due or not (claimed first, as a cycle does); returns its outcome."""
    row = feed(core, name)
    return await core.poller.poll_one(claim(core, row.id) or row)
