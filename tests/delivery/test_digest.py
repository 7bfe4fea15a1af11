"""The digest builder: one entry per event, ordered by importance, the best facts, quote and people."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import Sitrep
from bot.clock import FakeClock
from bot.config import Config
from bot.delivery.digest import build
from bot.models import EntityKind, Quote
from bot.store import Store
from tests.conftest import make_config
from tests.fakes.stories import add_story, new_cluster

CONFIG = """
feeds:
  - {name: wire, url: https://wire.example/feed}
  - {name: gazette, url: https://gazette.example/feed, weight: 0.5}
  - {name: daily, url: https://daily.example/feed}
  - {name: trusted, url: https://trusted.example/feed, weight: 3}
channels:
  - {name: team, platform: console, max_items: 3, topics: [ai-defense]}
"""


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return make_config(CONFIG, tmp_path)


def test_one_entry_per_event_with_a_link_per_outlet(store: Store, config: Config, clock: FakeClock) -> None:
    now = clock.now()
    event = new_cluster(store, now)
    for outlet in ("wire", "gazette", "daily"):
        add_story(store, f"Army tests drones ({outlet})", outlet=outlet, cluster=event, now=now,
                  facts=(f"Fact from {outlet}.",))
    add_story(store, "Navy buys AI", outlet="wire", now=now)
    digest = build(store, config, config.channel("team"), since=None, now=now)
    assert len(digest.entries) == 2
    top = digest.entries[0]
    assert len(top.sources) == 3
    assert {s.name for s in top.sources} == {"wire", "gazette", "daily"}
    assert all(s.url and s.url.startswith(f"https://{s.name}.example/") for s in top.sources)
    assert len(top.story_ids) == 3
    assert digest.title == "sitrep digest — 2 events"


def test_importance_outlets_then_recency_then_weight(store: Store, config: Config, clock: FakeClock) -> None:
    now = clock.now()
    big = new_cluster(store, now)
    for outlet in ("wire", "daily"):
        add_story(store, f"Old but big ({outlet})", outlet=outlet, cluster=big, now=now,
                  published=now - timedelta(days=2))
    add_story(store, "New, one outlet", outlet="wire", now=now, published=now)
    add_story(store, "Older, one outlet", outlet="wire", now=now, published=now - timedelta(days=1))
    add_story(store, "Older, trusted outlet", outlet="trusted", now=now, published=now - timedelta(days=1))
    digest = build(store, config, config.channel("team"), since=None, now=now, limit=10)
    # trusted: 2 (one outlet) + 3 (weight) + 0.5 (a day old) = 5.5; big: 4 + 1 + 0.33; new: 2 + 1 + 1;
    # older: 2 + 1 + 0.5.
    assert [e.headline.split(" (")[0] for e in digest.entries] == [
        "Older, trusted outlet", "Old but big", "New, one outlet", "Older, one outlet"]
    assert [round(e.score, 2) for e in digest.entries] == [5.5, 5.33, 4.0, 3.5]


def test_top_n_and_more(store: Store, config: Config, clock: FakeClock) -> None:
    now = clock.now()
    ids = [add_story(store, f"Story {i}", outlet="wire", now=now, published=now - timedelta(hours=i)) for i in range(5)]
    digest = build(store, config, config.channel("team"), since=None, now=now)
    assert [e.headline for e in digest.entries] == ["Story 0", "Story 1", "Story 2"]
    assert digest.more == 2
    assert set(digest.omitted) == set(ids[3:])
    assert set(digest.story_ids) == set(ids)


def test_topics_and_announce_filter(store: Store, config: Config, clock: FakeClock) -> None:
    now = clock.now()
    add_story(store, "On topic", now=now)
    add_story(store, "Other topic", now=now, topics=("sports",))
    add_story(store, "Backfill", now=now, announce=False)
    digest = build(store, config, config.channel("team"), since=None, now=now)
    assert [e.headline for e in digest.entries] == ["On topic"]


def test_facts_quote_and_people(store: Store, config: Config, clock: FakeClock) -> None:
    now = clock.now()
    event = new_cluster(store, now)
    in_facts = Quote("We will not go there", "Dario Amodei", EntityKind.person)
    add_story(store, "Lead report", outlet="trusted", cluster=event, now=now,
              facts=("One.", "Two.", "“We will not go there,” Amodei said.", "Four."),
              quotes=(in_facts, Quote("a phrase", "Someone", EntityKind.person, partial=True),
                      Quote("Unattributed words here for sure", None)),
              people=("Dario Amodei", "Pete Hegseth"))
    add_story(store, "Second report", outlet="wire", cluster=event, now=now,
              quotes=(Quote("The department will find other partners for this work", "Pete Hegseth",
                            EntityKind.person),
                      Quote("Statement from the company", "Anthropic", EntityKind.org)),
              people=("Pete Hegseth", "Emil Michael"))
    [entry] = build(store, config, config.channel("team"), since=None, now=now).entries
    assert entry.headline == "Lead report"  # the most trusted outlet leads
    assert entry.facts == ["One.", "Two.", "“We will not go there,” Amodei said."]
    assert entry.quote is not None
    assert (entry.quote.speaker, entry.quote.text) == ("Pete Hegseth",
                                                        "The department will find other partners for this work")
    assert entry.people == ["Pete Hegseth", "Dario Amodei", "Emil Michael"]


def test_summary_when_no_facts(store: Store, config: Config, clock: FakeClock) -> None:
    add_story(store, "Bare", now=clock.now(), summary="A one-line summary.")
    [entry] = build(store, config, config.channel("team"), since=None, now=clock.now()).entries
    assert entry.facts == ["A one-line summary."]
    assert entry.quote is None


async def test_each_story_goes_into_one_digest(store: Store, config: Config, clock: FakeClock) -> None:
    """Since the last digest, with an overlap for stories stored while a digest was being built."""
    core = Sitrep(config=config, store=store, clock=clock)
    channel = config.channel("team")
    assert channel is not None
    first = add_story(store, "First", now=clock.now())
    clock.advance(timedelta(minutes=1))
    assert await core.queue_digest(channel, since=None, slot="a") is not None
    body = store.outbox.last_digest_body("team")
    assert [e["headline"] for e in body["entries"]] == ["First"]
    until = core.channel_since(channel)
    assert until == clock.now()
    # Stored with a first-seen time just before the digest's end, but committed after it was built.
    late = add_story(store, "Late", now=clock.now() - timedelta(seconds=5))
    clock.advance(timedelta(hours=1))
    add_story(store, "Next", now=clock.now() - timedelta(minutes=1))
    assert await core.queue_digest(channel, since=core.channel_since(channel), slot="b") is not None
    body = store.outbox.last_digest_body("team")
    assert sorted(e["headline"] for e in body["entries"]) == ["Late", "Next"]
    assert first not in {sid for e in body["entries"] for sid in e["story_ids"]}
    assert late in {sid for e in body["entries"] for sid in e["story_ids"]}
    await core.aclose()
