"""The enrichment loop when saving a story's knowledge fails: the story is stored with less, marked, skipped.

A store that refuses chosen stories stands in for whatever the real world will find (a constraint
the resolver did not foresee, a value the database rejects): the queue must drain, the other
stories must be whole, the failed one must say why and never be claimed again, and the log must
name the story without a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from bot.app import Sitrep
from bot.clock import FakeClock
from bot.config.settings import NlpConfig
from bot.knowledge.enrich import Enricher, StoryText
from bot.models import Enrichment, EntityKind, ExtractedEntity, Quote
from bot.ops import metrics
from bot.store import NewStory, Store
from bot.store.knowledge_repo import KnowledgeRepo
from bot.store.schema import stories
from tests.conftest import make_config

DAY = datetime(2026, 3, 8, 12, tzinfo=UTC)


class _Learned(Enricher):
    """Every story names its author and quotes her: no model needed."""

    def enrich(self, batch: Sequence[StoryText]) -> list[Enrichment]:
        return [Enrichment(f"{s.title}.", [f"{s.title} happened."],
                           [Quote("It happened.", "Wren Talbot", EntityKind.person)],
                           [ExtractedEntity("Wren Talbot", EntityKind.person, aliases={"Talbot"})]) for s in batch]


class _Refusing(KnowledgeRepo):
    """A knowledge store that fails the chosen steps for the chosen stories, as a database would."""

    def __init__(self, engine: Engine, refuse: dict[str, set[str]]) -> None:
        super().__init__(engine)
        self.refuse = refuse  # story id -> steps that fail: "knowledge", "bare", "mark"

    def save(self, story_id: str, enrichment: Enrichment, *, published: datetime | None, now: datetime,
             error: str | None = None) -> list[int]:
        step = "knowledge" if enrichment.entities else "bare"
        if step in self.refuse.get(story_id, set()):
            raise RuntimeError(f"refused {step} for {story_id}\n[SQL: INSERT INTO secret stuff]")
        return super().save(story_id, enrichment, published=published, now=now, error=error)

    def mark_failed(self, story_id: str, error: str, *, now: datetime) -> bool:
        if "mark" in self.refuse.get(story_id, set()):
            raise RuntimeError("the database is gone")
        return super().mark_failed(story_id, error, now=now)


def core_with(tmp_path: Path, store: Store, refuse: dict[str, set[str]], *, clock: FakeClock | None = None) -> Sitrep:
    config = make_config("feeds: [{name: wire, url: wire.xml}]\n", tmp_path)
    store.knowledge = _Refusing(store.engine, refuse)
    core = Sitrep(config=config, store=store, clock=clock or FakeClock(DAY), enricher=_Learned(NlpConfig()))
    core.sync_feeds()
    feed = store.feeds.all()[0]
    for n in range(4):
        store.stories.store(NewStory(id=f"s{n}", title=f"Story {n}", url=f"https://wire.invalid/{n}",
                                     canonical_url=None, guid=f"s{n}", title_key=None, published_at=DAY,
                                     feed_summary="", text=f"Story {n} text.", relevant=True),
                            feed_id=feed.id, source_name="Wire", now=DAY)
    return core


def state(store: Store) -> dict[str, tuple[bool, str | None]]:
    """story id -> (enriched, why it was stored with less)."""
    with store.engine.connect() as c:
        return {r.id: (r.enriched_at is not None, r.enrich_error)
                for r in c.execute(select(stories.c.id, stories.c.enriched_at, stories.c.enrich_error))}


async def test_knowledge_that_cannot_be_saved_leaves_the_facts_and_quotes(
        tmp_path: Path, store: Store, caplog: pytest.LogCaptureFixture) -> None:
    core = core_with(tmp_path, store, {"s1": {"knowledge"}})
    before = metrics.sample("sitrep_enrich_failures_total", {"step": "save"})
    try:
        with caplog.at_level(logging.INFO):
            assert await core.poller.enrich_pending() == 4
        assert await core.poller.enrich_pending() == 0  # the failed one is not claimed again
        done = state(store)
        assert all(enriched for enriched, _ in done.values())
        assert done["s1"][1] is not None and done["s1"][1].startswith("saving knowledge failed: RuntimeError")
        assert [error for story, (_, error) in done.items() if story != "s1"] == [None, None, None]
        views = {v.id: v for v in store.stories.views()}
        assert views["s1"].facts == ["Story 1 happened."] and views["s1"].entities == []
        assert [(q.text, q.speaker) for q in views["s1"].quotes] == [("It happened.", "Wren Talbot")]
        assert views["s0"].entities == [("Wren Talbot", EntityKind.person)]
        assert metrics.sample("sitrep_enrich_failures_total", {"step": "save"}) - before == 1
        failed = [r for r in caplog.records if "s1" in r.getMessage()]
        assert failed and not any(r.exc_info for r in caplog.records)  # named, and no traceback
        assert not any("SQL" in r.getMessage() for r in caplog.records)  # the message's first line only
    finally:
        await core.aclose()


async def test_a_story_nothing_can_be_saved_of_is_marked_and_skipped(tmp_path: Path, store: Store) -> None:
    core = core_with(tmp_path, store, {"s2": {"knowledge", "bare"}})
    try:
        assert await core.poller.enrich_pending() == 4
        assert await core.poller.enrich_pending() == 0
        enriched, error = state(store)["s2"]
        assert enriched and error is not None and error.startswith("saving facts and quotes failed")
        view = next(v for v in store.stories.views() if v.id == "s2")
        assert view.title == "Story 2" and view.facts == [] and view.quotes == []  # the story itself is kept
        assert store.stories.needing_enrichment() == []
    finally:
        await core.aclose()


async def test_a_story_that_cannot_even_be_marked_waits_for_its_claim_to_end(tmp_path: Path, store: Store) -> None:
    clock = FakeClock(DAY)
    core = core_with(tmp_path, store, {"s3": {"knowledge", "bare", "mark"}}, clock=clock)
    try:
        assert await core.poller.enrich_pending() == 4  # the loop ends; nothing is raised
        assert await core.poller.enrich_pending() == 0  # still claimed: not taken again at once
        assert state(store)["s3"] == (False, None)
        assert all(enriched for story, (enriched, _) in state(store).items() if story != "s3")
        # When the claim runs out, the story is tried again (the database may be back by then).
        store.knowledge = _Refusing(store.engine, {})
        clock.advance(core.config.leases.enrich)
        assert await core.poller.enrich_pending() == 1
        assert state(store)["s3"] == (True, None)
    finally:
        await core.aclose()
