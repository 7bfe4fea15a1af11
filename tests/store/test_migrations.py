"""Migrations on both backends: a fresh database, a second start, and 0002 (full-text search) down and up."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from alembic import command
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from bot.errors import StoreError
from bot.store import NewStory, Store, db
from bot.store.schema import metadata

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def head() -> str:
    revision = ScriptDirectory.from_config(db.alembic_config()).get_current_head()
    assert revision is not None
    return revision


def current(store: Store) -> str | None:
    with store.engine.connect() as c:
        return MigrationContext.configure(c).get_current_revision()


def has_fts(store: Store) -> bool:
    """Whether the dialect's full-text index exists: FTS5 table on SQLite, tsvector column on PostgreSQL."""
    inspector = inspect(store.engine)
    if store.dialect == "sqlite":
        return "story_fts" in inspector.get_table_names()
    return "search" in {c["name"] for c in inspector.get_columns("stories")}


def migrate_to(store: Store, revision: str, *, down: bool) -> None:
    config = db.alembic_config()
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


def add_story(store: Store, story_id: str, title: str, text: str) -> None:
    feed = store.feeds.add(name=f"feed-{story_id}", url="https://example.org/feed", topics=None,
                           added_by="test", now=NOW)
    store.stories.store(NewStory(id=story_id, title=title, url=None, canonical_url=None, guid=None,
                                 title_key=None, published_at=NOW, feed_summary="", text=text, relevant=True),
                        feed_id=feed.id, source_name="Example", now=NOW)


def test_fresh_database_is_at_head_with_every_table(store: Store) -> None:
    assert current(store) == head()
    tables = set(inspect(store.engine).get_table_names())
    assert set(metadata.tables) <= tables
    assert has_fts(store)


def test_second_open_is_a_no_op(store_url: str, caplog: pytest.LogCaptureFixture) -> None:
    first = Store.open(store_url)
    add_story(first, "s1", "Army tests drone swarm", "The Army tested a drone swarm.")
    first.close()
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="bot.store.db"):
        second = Store.open(store_url)
    try:
        assert not [r for r in caplog.records if "migrating" in r.getMessage()]
        assert current(second) == head()
        assert second.stories.count() == 1
        assert [h.story_id for h in second.search("swarm")] == ["s1"]
    finally:
        second.close()


def test_downgrade_and_upgrade_of_full_text_search(store: Store) -> None:
    add_story(store, "before", "Navy buys autonomous boats", "Autonomous boats for the Navy.")
    migrate_to(store, "0001", down=True)
    assert current(store) == "0001"
    assert not has_fts(store)
    # Writing while the index is gone must work (no trigger or column left behind). The repositories
    # speak the newest schema, so write the 0001 way, with SQL.
    with store.engine.begin() as c:
        c.execute(text("INSERT INTO stories (id, title, first_seen_at, updated_at, feed_summary, text, "
                       "text_source, relevant, topics, topic_matches, announce, summary) VALUES ('during', "
                       "'Marines field counter-drone lasers', :now, :now, '', 'Lasers against drones.', 'feed', "
                       "true, '[]', '[]', true, '')"), {"now": NOW})

    migrate_to(store, "head", down=False)
    assert current(store) == head()
    assert has_fts(store)
    # Stories stored before the index existed are found too: the upgrade indexes existing rows.
    assert [h.story_id for h in store.search("boats")] == ["before"]
    assert [h.story_id for h in store.search("lasers")] == ["during"]
    add_story(store, "after", "Air Force orders AI wingmen", "Collaborative combat aircraft.")
    assert [h.story_id for h in store.search("wingmen")] == ["after"]


def test_downgrade_to_nothing_removes_every_table(store: Store) -> None:
    migrate_to(store, "base", down=True)
    left = set(inspect(store.engine).get_table_names()) - {"alembic_version"}
    assert not left & set(metadata.tables)
    db.migrate(store.engine)
    assert current(store) == head()


def test_unreachable_database_is_a_store_error() -> None:
    with pytest.raises(StoreError, match="cannot open the database"):
        Store.open("postgresql://postgres@127.0.0.1:1/nothing?connect_timeout=2")


def test_a_url_that_is_not_one_is_a_store_error() -> None:
    with pytest.raises(StoreError, match="not a database URL"):
        Store.open("definitely not a url")


@pytest.mark.parametrize(("given", "expected"), [
    ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
    ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
    ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
    ("sqlite:///x.db", "sqlite:///x.db"),
])
def test_pasted_postgres_urls_use_psycopg3(given: str, expected: str) -> None:
    assert db.normalise_url(given) == expected


def test_follows_down_and_up_again(store: Store) -> None:
    from bot.store.follows import Target

    store.follows.add("team", Target("Okafor", "Okafor"), origin="config", now=NOW)
    migrate_to(store, "0006_instance_leases", down=True)
    tables = set(inspect(store.engine).get_table_names())
    assert not {"follows", "follow_hits"} & tables
    assert "ix_mentions_published_entity" not in {i["name"] for i in inspect(store.engine).get_indexes("mentions")}
    migrate_to(store, "head", down=False)
    assert {"follows", "follow_hits"} <= set(inspect(store.engine).get_table_names())
    assert store.follows.of("team") == []  # a downgrade drops what was followed; the config syncs it back
