"""Full-text search on both dialects: SQLite's FTS5 and PostgreSQL's own tsvector search."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.store import NewStory, Store
from bot.store.search import terms

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)

STORIES = [
    ("swarm", "Army tests autonomous drone swarm", "Soldiers flew forty drones in a swarm over the range.", True),
    ("laser", "Navy fields counter-drone laser", "A laser weapon shot down drones during the exercise.", True),
    ("budget", "Pentagon budget request", "The request funds AI research and swarming drones.", True),
    ("recipe", "A drone pilot's bread recipe", "Flour, water, salt and patience.", False),
]


@pytest.fixture
def searchable(store: Store) -> Store:
    feed = store.feeds.add(name="f", url="https://example.org/f", topics=None, added_by="t", now=NOW)
    for i, (story_id, title, text, relevant) in enumerate(STORIES):
        store.stories.store(NewStory(id=story_id, title=title, url=f"https://example.org/{story_id}",
                                     canonical_url=None, guid=None, title_key=None,
                                     published_at=NOW - timedelta(hours=i), feed_summary="", text=text,
                                     relevant=relevant), feed_id=feed.id, source_name="Example", now=NOW)
    return store


def ids(store: Store, query: str, **kwargs: object) -> list[str]:
    return [h.story_id for h in store.search(query, **kwargs)]  # type: ignore[arg-type]


def test_uses_the_dialects_own_search(searchable: Store) -> None:
    assert searchable.dialect in ("sqlite", "postgresql")
    hit = searchable.search("laser")[0]
    assert (hit.story_id, hit.url, hit.published) == ("laser", "https://example.org/laser", NOW - timedelta(hours=1))
    assert hit.published is not None and hit.published.tzinfo is not None
    assert "laser" in hit.snippet.lower()


def test_stemming_finds_other_forms(searchable: Store) -> None:
    assert set(ids(searchable, "swarming")) == {"swarm", "budget"}
    assert "laser" in ids(searchable, "drone")


def test_every_word_first_then_any_word(searchable: Store) -> None:
    assert ids(searchable, "laser exercise") == ["laser"]
    # No story has both words: fall back to stories with either.
    assert set(ids(searchable, "laser budget")) == {"laser", "budget"}


def test_title_ranks_above_body(searchable: Store) -> None:
    assert ids(searchable, "swarm")[0] == "swarm"  # in its title; "budget" only says "swarming" in the text


def test_irrelevant_stories_only_when_asked(searchable: Store) -> None:
    assert ids(searchable, "bread") == []
    assert ids(searchable, "bread", relevant_only=False) == ["recipe"]


def test_limit(searchable: Store) -> None:
    assert len(ids(searchable, "drones", limit=1)) == 1


@pytest.mark.parametrize("query", ['"laser', "laser OR", "NEAR(laser", "laser*", "-laser", "laser:*", "laser & | !",
                                   "(((", "'; DROP TABLE stories; --", "laser\x00"])
def test_search_syntax_in_queries_is_harmless(searchable: Store, query: str) -> None:
    assert set(ids(searchable, query)) <= {"laser"}  # no error, and no operator changed what matches
    assert searchable.stories.count() == 4


def test_empty_queries(searchable: Store) -> None:
    assert ids(searchable, "") == []
    assert ids(searchable, "  ...  ") == []


def test_nothing_found(searchable: Store) -> None:
    assert ids(searchable, "submarine") == []


def test_updated_text_is_searchable_and_deleted_stories_are_not(searchable: Store) -> None:
    searchable.stories.update_text("recipe", "Now about hypersonic missiles.", "article", NOW)
    assert ids(searchable, "hypersonic", relevant_only=False) == ["recipe"]
    assert ids(searchable, "flour", relevant_only=False) == []


def test_terms_strip_operators() -> None:
    assert terms('"drone" OR -swarm NEAR(x)') == ["drone", "OR", "swarm", "NEAR", "x"]
    assert terms("Kalinowski's") == ["Kalinowski's"]
