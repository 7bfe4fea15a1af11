"""Migration 0007 on both backends: the change log replaces kv's version, story counts are made true again."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import inspect, text

from bot.store import NewStory, Store, db

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def migrate_to(store: Store, revision: str, *, down: bool) -> None:
    config = db.alembic_config()
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


def test_0007_up_from_0006_and_down_again(store: Store) -> None:
    migrate_to(store, "0006_instance_leases", down=True)
    assert "knowledge_changes" not in inspect(store.engine).get_table_names()
    with store.engine.begin() as c:  # as 0006 left things: a random version, a count a failed merge skewed
        c.execute(text("INSERT INTO kv (key, value, updated_at) VALUES ('knowledge.version', '123', :now)"),
                  {"now": NOW})
        c.execute(text("INSERT INTO entities (id, kind, name, key, story_count, first_seen_at, last_seen_at) "
                       "VALUES (1, 'person', 'Odile Marchetti', 'odile marchetti', 7, :now, :now)"), {"now": NOW})
    migrate_to(store, "head", down=False)
    with store.engine.connect() as c:
        assert c.execute(text("SELECT story_count FROM entities")).scalar_one() == 0
        assert c.execute(text("SELECT count(*) FROM kv WHERE key = 'knowledge.version'")).scalar_one() == 0
    assert store.knowledge.version() == 0
    assert "enrich_error" in {col["name"] for col in inspect(store.engine).get_columns("stories")}
    migrate_to(store, "0006_instance_leases", down=True)
    assert "enrich_error" not in {col["name"] for col in inspect(store.engine).get_columns("stories")}
    migrate_to(store, "head", down=False)


def test_full_text_search_survives_0007_down_and_up(store: Store) -> None:
    migrate_to(store, "0006_instance_leases", down=True)
    migrate_to(store, "head", down=False)
    feed = store.feeds.add(name="f", url="https://example.org/f", topics=None, added_by="t", now=NOW)
    store.stories.store(NewStory(id="s", title="Navy buys autonomous boats", url=None, canonical_url=None, guid=None,
                                 title_key=None, published_at=NOW, feed_summary="", text="Boats.", relevant=True),
                        feed_id=feed.id, source_name="Example", now=NOW)
    assert [h.story_id for h in store.search("boats")] == ["s"]
