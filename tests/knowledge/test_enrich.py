"""The NLP stage in the pipeline: off the event loop, one model, batches, and no story able to stall it."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from bot.app import Sitrep
from bot.clock import FakeClock
from bot.commands import Caller
from bot.config.settings import NlpConfig
from bot.knowledge.enrich import Enricher, StoryText
from bot.knowledge.nlp import spacy_model
from bot.models import Enrichment
from bot.store import NewStory, Store
from tests.conftest import make_config
from tests.fakes.newsroom import STORIES

DAY = datetime(2026, 3, 8, 12, tzinfo=UTC)


def core_with_stories(tmp_path: Path, store: Store, enricher: Enricher, relevant: Sequence[bool]) -> Sitrep:
    config = make_config("feeds: [{name: wire, url: wire.xml}]\n", tmp_path)
    core = Sitrep(config=config, store=store, clock=FakeClock(DAY), enricher=enricher)
    core.sync_feeds()
    feed = store.feeds.all()[0]
    for n, (story, keep) in enumerate(zip(STORIES, relevant, strict=False)):
        store.stories.store(NewStory(id=f"s{n}", title=story.title, url=f"https://wire.invalid/{n}",
                                     canonical_url=None, guid=f"s{n}", title_key=None, published_at=DAY,
                                     feed_summary="", text=story.text, relevant=keep),
                            feed_id=feed.id, source_name="Wire", now=DAY)
    return core


def test_the_model_is_loaded_once_with_only_what_ner_needs() -> None:
    model = spacy_model(NlpConfig().model)
    assert model is spacy_model(NlpConfig().model)
    assert model.pipe_names == ["ner"]


async def test_pending_stories_are_enriched_saved_and_clustered(tmp_path: Path, store: Store) -> None:
    core = core_with_stories(tmp_path, store, Enricher(NlpConfig(full_for="relevant")), [True, True, False])
    try:
        assert await core.poller.enrich_pending() == 3
        assert await core.poller.enrich_pending() == 0  # nothing left: every story is marked enriched
        views = {v.id: v for v in store.stories.views(include_irrelevant=True)}
        assert all(v.summary and v.facts and v.cluster is not None for v in views.values())
        assert views["s0"].entities and not views["s2"].entities  # the model ran for kept stories only
        assert any(q.speaker == "Laura Mendez" for q in views["s0"].quotes)
        assert views["s2"].quotes  # a dropped story still has its quotes
    finally:
        await core.aclose()


class _Gate(Enricher):
    """An enricher that waits for the test to open a gate, and notes the thread it ran on."""

    def __init__(self) -> None:
        super().__init__(NlpConfig())
        self.gate = threading.Event()
        self.threads: set[str] = set()

    def enrich(self, batch: Sequence[StoryText]) -> list[Enrichment]:
        self.threads.add(threading.current_thread().name)
        assert self.gate.wait(30), "the test never opened the gate"
        return [Enrichment(s.title, [s.title], [], []) for s in batch]


async def test_the_event_loop_answers_while_nlp_runs(tmp_path: Path, store: Store) -> None:
    enricher = _Gate()
    core = core_with_stories(tmp_path, store, enricher, [True, True])
    try:
        work = asyncio.create_task(core.poller.enrich_pending())
        while not enricher.threads:  # the worker has started and is now blocked on the gate
            await asyncio.sleep(0)
        answer = await core.handle("/help", Caller(user="tester", platform="console"))
        assert answer is not None and not work.done()  # the loop answered a command meanwhile
        enricher.gate.set()
        assert await work == 2
        assert all(name.startswith("sitrep-nlp") for name in enricher.threads)
    finally:
        await core.aclose()


class _Poison(Enricher):
    """Fails any batch holding the poisoned story, as a bug in a rule might on one odd text."""

    def enrich(self, batch: Sequence[StoryText]) -> list[Enrichment]:
        if any("Halcyon" in s.title for s in batch):
            raise ValueError("a rule choked on this text")
        return super().enrich(batch)


async def test_one_bad_story_does_not_stall_the_queue(tmp_path: Path, store: Store) -> None:
    core = core_with_stories(tmp_path, store, _Poison(NlpConfig()), [True, True])
    try:
        assert await core.poller.enrich_pending() == 2
        views = {v.id: v for v in store.stories.views(include_irrelevant=True)}
        assert views["s0"].summary == STORIES[0].title and not views["s0"].facts  # saved empty, not retried
        assert views["s1"].facts and views["s1"].quotes
        assert store.stories.needing_enrichment() == []
    finally:
        await core.aclose()
