"""The /whois name index follows every write by patching what changed, its own and other instances'."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select

from bot.models import Enrichment, EntityKind, ExtractedEntity
from bot.store import NewStory, Store, knowledge_changes, name_key
from bot.store.schema import knowledge_changes as change_log
from tests.store.knowledge_invariants import check_invariants

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
PERSON, ORG = EntityKind.person, EntityKind.org


def publish(store: Store, story_id: str, *named: ExtractedEntity) -> None:
    feed = store.feeds.get("f") or store.feeds.add(name="f", url="https://example.org/f", topics=None,
                                                   added_by="t", now=NOW)
    when = NOW + timedelta(minutes=len(story_id))
    store.stories.store(NewStory(id=story_id, title=story_id, url=f"https://example.org/{story_id}",
                                 canonical_url=None, guid=None, title_key=None, published_at=when, feed_summary="",
                                 text="text", relevant=True), feed_id=feed.id, source_name="Example", now=when)
    store.knowledge.save(story_id, Enrichment("Summary.", [], [], list(named)), published=when, now=when)


def person(name: str, *aliases: str) -> ExtractedEntity:
    return ExtractedEntity(name, PERSON, aliases=set(aliases))


def names(store: Store, ids: list[int]) -> list[str]:
    return [n.name for n in store.knowledge.name_index.entities(ids)]


def test_a_saved_story_is_patched_in_not_reloaded(store: Store) -> None:
    index = store.knowledge.name_index
    publish(store, "a", person("Odile Marchetti", "Marchetti"), ExtractedEntity("Corvid Labs", ORG))
    assert names(store, index.exact("marchetti")) == ["Odile Marchetti"]
    assert (index.full_loads, index.patches) == (1, 0)
    publish(store, "b", person("Pavel Strand", "Strand"))
    publish(store, "c", person("Pavel Strand"), person("Odile Marchetti"))
    assert names(store, index.exact("strand")) == ["Pavel Strand"]
    assert names(store, index.prefix("pav")) == ["Pavel Strand"]
    assert [n.story_count for n in index.entities(index.exact("odile marchetti"))] == [2]
    assert (index.full_loads, index.patches) == (1, 1)  # two saves followed in one patch
    check_invariants(store)


def test_merges_and_pruning_take_names_out_of_the_index(store: Store) -> None:
    index = store.knowledge.name_index
    publish(store, "a", person("Strand"))
    [surname] = index.exact("strand")
    publish(store, "b", person("Pavel Strand", "Strand"))  # absorbs the surname entity
    assert surname not in {n.id for n in index.entities([surname])}
    assert names(store, index.exact("strand")) == ["Pavel Strand"]
    publish(store, "c", person("Mira Lindqvist"))
    assert index.typo(name_key("Mira Lindqvsit"))
    store.knowledge.save("c", Enrichment("Summary.", [], [], []), published=NOW, now=NOW)  # no longer named
    assert index.exact("mira lindqvist") == [] and index.prefix("mira") == [] and index.typo("mira lindqvsit") == []
    assert index.full_loads == 1
    check_invariants(store)


def test_another_instances_writes_become_visible(store_url: str) -> None:
    one, two = Store.open(store_url), Store.open(store_url)
    try:
        publish(one, "a", person("Odile Marchetti"))
        assert names(two, two.knowledge.name_index.exact("odile marchetti")) == ["Odile Marchetti"]
        publish(one, "b", person("Pavel Strand"))
        publish(one, "c", person("Ines Abara"))
        assert names(two, two.knowledge.name_index.exact("ines abara")) == ["Ines Abara"]
        assert (two.knowledge.name_index.full_loads, two.knowledge.name_index.patches) == (1, 1)
        check_invariants(one, two.knowledge.name_index)
    finally:
        one.close()
        two.close()


def test_a_reader_the_log_cannot_bring_up_to_date_reads_everything(store: Store) -> None:
    index = store.knowledge.name_index
    publish(store, "a", person("Odile Marchetti"))
    index.exact("x")
    seen = store.knowledge.version()
    publish(store, "b", person("Pavel Strand"))
    publish(store, "c", person("Ines Abara"))
    with store.engine.begin() as c:  # trimmed: a version the reader needs is gone from the log
        c.execute(delete(change_log).where(change_log.c.version == seen + 1))
    assert names(store, index.exact("pavel strand")) == ["Pavel Strand"]
    assert (index.full_loads, index.patches) == (2, 0)
    with store.engine.begin() as c:  # a bulk load: anything may have changed
        knowledge_changes.record(c, None, NOW)
    index.exact("x")
    assert index.full_loads == 3
    check_invariants(store)


def test_the_log_keeps_consecutive_versions_and_is_trimmed(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(knowledge_changes, "KEEP", 100)
    with store.engine.begin() as c:
        versions = [knowledge_changes.record(c, [1, 2], NOW) for _ in range(knowledge_changes.TRIM_EVERY)]
    assert versions == list(range(1, knowledge_changes.TRIM_EVERY + 1))
    with store.engine.connect() as c:
        left = c.execute(select(func.min(change_log.c.version), func.count()).select_from(change_log)).one()
        assert tuple(left) == (knowledge_changes.TRIM_EVERY - 99, 100)
        changes = knowledge_changes.since(c, 450, 455)
        assert (changes.version, changes.entity_ids) == (455, frozenset({1, 2}))
        assert knowledge_changes.since(c, 3, 455).entity_ids is None  # trimmed: reload
        assert knowledge_changes.since(c, 460, 455).entity_ids is None  # went backwards: reload


def test_lookups_in_other_threads_while_stories_are_saved(store: Store) -> None:
    index = store.knowledge.name_index
    publish(store, "seed", person("Odile Marchetti", "Marchetti"))
    stop = threading.Event()
    failures: list[BaseException] = []

    def look() -> None:
        while not stop.is_set():
            try:
                for ids in (index.exact("marchetti"), index.prefix("pav"), [i for i, _ in index.typo("strnad")],
                            index.similar("marchetty")):
                    index.entities(ids)
            except BaseException as error:  # reported to the test below
                failures.append(error)
                return

    readers = [threading.Thread(target=look) for _ in range(3)]
    for reader in readers:
        reader.start()
    try:
        for n in range(8):
            publish(store, f"story-{n}", person(f"Pavel Strand{'e' * n}", "Strand"), person("Odile Marchetti"))
    finally:
        stop.set()
        for reader in readers:
            reader.join()
    assert failures == []
    check_invariants(store)
