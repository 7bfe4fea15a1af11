"""The stories repository on both backends: one row per story, however many outlets carry it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert

from bot.models import Enrichment, EntityKind, ExtractedEntity, Quote, TopicMatch
from bot.store import NewStory, Store
from bot.store.schema import stories, story_sources

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def story(story_id: str, **values: object) -> NewStory:
    base: dict[str, object] = dict(
        id=story_id, title=f"Story {story_id}", url=f"https://example.org/{story_id}",
        canonical_url=f"https://example.org/{story_id}", guid=None, title_key=f"key-{story_id}",
        published_at=NOW, feed_summary="summary", text="Short text.", relevant=True)
    base.update(values)
    return NewStory(**base)  # type: ignore[arg-type]


@pytest.fixture
def feeds(store: Store) -> dict[str, int]:
    return {name: store.feeds.add(name=name, url=f"https://{name}.example/feed", topics=None, added_by="t",
                                  now=NOW).id for name in ("alpha", "beta", "gamma")}


def test_a_new_story_is_created_once(store: Store, feeds: dict[str, int]) -> None:
    first = store.stories.store(story("s1"), feed_id=feeds["alpha"], source_name="Alpha", now=NOW)
    again = store.stories.store(story("s1"), feed_id=feeds["alpha"], source_name="Alpha", now=NOW)
    assert (first.story_id, first.created) == ("s1", True)
    assert (again.story_id, again.created) == ("s1", False)
    assert store.stories.count() == 1
    [view] = store.stories.views()
    assert [s.feed for s in view.sources] == ["Alpha"]


def test_same_id_from_another_feed_adds_a_source(store: Store, feeds: dict[str, int]) -> None:
    store.stories.store(story("s1"), feed_id=feeds["alpha"], source_name="Alpha", now=NOW)
    later = NOW + timedelta(minutes=5)
    stored = store.stories.store(story("s1", url="https://beta.example/s1"), feed_id=feeds["beta"],
                                 source_name="Beta", now=later)
    assert not stored.created
    [view] = store.stories.views()
    assert [(s.feed, s.url, s.seen_at) for s in view.sources] == [
        ("Alpha", "https://example.org/s1", NOW), ("Beta", "https://beta.example/s1", later)]
    assert view.source == "Alpha"


def test_same_canonical_url_under_another_id_is_the_same_story(store: Store, feeds: dict[str, int]) -> None:
    store.stories.store(story("s1"), feed_id=feeds["alpha"], source_name="Alpha", now=NOW)
    other = story("s2", canonical_url="https://example.org/s1", title_key="different")
    stored = store.stories.store(other, feed_id=feeds["beta"], source_name="Beta", now=NOW)
    assert (stored.story_id, stored.created) == ("s1", False)
    assert store.stories.count() == 1


def test_same_title_is_the_same_story_only_within_one_feed(store: Store, feeds: dict[str, int]) -> None:
    store.stories.store(story("s1", title_key="same"), feed_id=feeds["alpha"], source_name="Alpha", now=NOW)
    republished = store.stories.store(story("s2", title_key="same"), feed_id=feeds["alpha"], source_name="Alpha",
                                      now=NOW)
    assert (republished.story_id, republished.created) == ("s1", False)
    elsewhere = store.stories.store(story("s3", title_key="same"), feed_id=feeds["beta"], source_name="Beta",
                                    now=NOW)
    assert (elsewhere.story_id, elsewhere.created) == ("s3", True)


def test_a_much_fuller_text_replaces_the_teaser_and_asks_for_enrichment(store: Store, feeds: dict[str, int]) -> None:
    store.stories.store(story("s1"), feed_id=feeds["alpha"], source_name="Alpha", now=NOW)
    store.knowledge.save("s1", Enrichment("sum", ["fact"], [], []), published=NOW, now=NOW)
    assert store.stories.needing_enrichment() == []
    # A slightly longer text from another outlet is not worth reading again; the whole story is.
    store.stories.store(story("s1", text="Short text, a bit longer."), feed_id=feeds["beta"], source_name="Beta",
                        now=NOW)
    assert store.stories.needing_enrichment() == []
    article = "The full article. " * 20
    store.stories.store(story("s1", text=article, text_source="article"), feed_id=feeds["gamma"],
                        source_name="Gamma", now=NOW)
    [row] = store.stories.needing_enrichment()
    assert (row.id, row.text, row.published_at) == ("s1", article, NOW)
    store.stories.update_text("s1", "Replaced.", "article", NOW)
    assert store.stories.needing_enrichment()[0].text == "Replaced."


def test_views_carry_everything_learned(store: Store, feeds: dict[str, int]) -> None:
    matches = [TopicMatch("ai-defense", True, ["AI", "Pentagon"])]
    store.stories.store(story("old", published_at=NOW - timedelta(days=2)), feed_id=feeds["alpha"],
                        source_name="Alpha", now=NOW - timedelta(days=2))
    store.stories.store(story("new", topics=["ai-defense"], topic_matches=matches), feed_id=feeds["alpha"],
                        source_name="Alpha", now=NOW)
    store.stories.store(story("undated", published_at=None), feed_id=feeds["alpha"], source_name="Alpha", now=NOW)
    store.stories.store(story("noise", relevant=False, published_at=NOW - timedelta(minutes=1)),
                        feed_id=feeds["beta"], source_name="Beta", now=NOW)
    store.knowledge.save("new", Enrichment(
        "A summary.", ["First fact.", "Second fact."],
        [Quote("We will field it.", "Jane Roe", EntityKind.person), Quote("drone wall", None, partial=True)],
        [ExtractedEntity("Jane Roe", EntityKind.person, count=3), ExtractedEntity("Pentagon", EntityKind.org)],
    ), published=NOW, now=NOW)

    # Newest first on both backends, and an undated story last (PostgreSQL sorts NULL first unless told).
    assert [v.id for v in store.stories.views()] == ["new", "old", "undated"]
    assert [v.id for v in store.stories.views(include_irrelevant=True)] == ["new", "noise", "old", "undated"]
    assert [v.id for v in store.stories.views(since=NOW - timedelta(hours=1))] == ["new", "undated"]
    assert [v.id for v in store.stories.views(ids=["old", "noise"], include_irrelevant=True)] == ["noise", "old"]
    assert len(store.stories.views(limit=1)) == 1

    view = store.stories.views(ids=["new"])[0]
    assert (view.summary, view.facts, view.topics) == ("A summary.", ["First fact.", "Second fact."], ["ai-defense"])
    assert view.topic_matches == matches
    assert [(q.text, q.speaker, q.partial) for q in view.quotes] == [
        ("We will field it.", "Jane Roe", False), ("drone wall", None, True)]
    assert view.entities == [("Jane Roe", EntityKind.person), ("Pentagon", EntityKind.org)]
    assert view.published == NOW and view.published.tzinfo is not None


def test_views_of_many_ids_are_chunked(store: Store, feeds: dict[str, int]) -> None:
    ids = [f"s{i:04d}" for i in range(1100)]  # more than two chunks of 500 (SQLite's bound-parameter limit)
    with store.engine.begin() as c:  # rows written in bulk: this test is about reading them back
        c.execute(insert(stories), [dict(id=i, title=i, first_seen_at=NOW, updated_at=NOW, feed_summary="",
                                         text="", text_source="feed", relevant=True, topics=[], topic_matches=[],
                                         announce=True, summary="") for i in ids])
        c.execute(insert(story_sources), [dict(story_id=i, feed_id=feeds["alpha"], source_name="Alpha", seen_at=NOW)
                                          for i in ids])
    views = store.stories.views(ids=ids)
    assert len(views) == 1100 and all(v.sources for v in views)
