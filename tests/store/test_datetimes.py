"""Timestamps round-trip as the same instant, timezone-aware UTC, on both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, select, text

from bot.store import NewStory, Store
from bot.store.schema import kv

UTC_PLUS_2 = timezone(timedelta(hours=2))
UTC_MINUS_5 = timezone(timedelta(hours=-5))
NEPAL = timezone(timedelta(hours=5, minutes=45))


def test_offsets_are_kept_as_instants(store: Store) -> None:
    local = datetime(2026, 3, 10, 14, 0, tzinfo=UTC_PLUS_2)  # 12:00 UTC
    feed = store.feeds.add(name="f", url="https://example.org/f", topics=None, added_by="t", now=local)
    store.feeds.update_state(feed.id, next_due_at=local)
    stored = store.feeds.get("f")
    assert stored is not None and stored.next_due_at == local
    assert stored.next_due_at is not None and stored.next_due_at.utcoffset() == timedelta(0)
    # Comparisons in SQL use the instant too, whatever offset the caller's datetime has.
    assert [f.name for f in store.feeds.due(datetime(2026, 3, 10, 7, 30, tzinfo=UTC_MINUS_5))] == ["f"]
    assert store.feeds.due(datetime(2026, 3, 10, 6, 59, tzinfo=UTC_MINUS_5)) == []


def test_story_and_source_times(store: Store) -> None:
    published = datetime(2026, 3, 9, 23, 30, tzinfo=UTC_MINUS_5)
    seen = datetime(2026, 3, 10, 6, 0, tzinfo=UTC_PLUS_2)
    feed = store.feeds.add(name="f", url="https://example.org/f", topics=None, added_by="t", now=seen)
    store.stories.store(NewStory(id="s", title="t", url=None, canonical_url=None, guid=None, title_key=None,
                                 published_at=published, feed_summary="", text="", relevant=True),
                        feed_id=feed.id, source_name="Example", now=seen)
    [view] = store.stories.views()
    assert view.published == published and view.published is not None and view.published.tzinfo == UTC
    assert view.sources[0].seen_at == seen and view.sources[0].seen_at.tzinfo == UTC
    assert [v.id for v in store.stories.views(since=datetime(2026, 3, 10, 3, 59, tzinfo=UTC))] == ["s"]
    assert store.stories.views(since=datetime(2026, 3, 10, 4, 1, tzinfo=UTC)) == []


def test_naive_values_are_taken_as_utc(store: Store) -> None:
    with store.engine.begin() as c:
        c.execute(insert(kv).values(key="k", value=None, updated_at=datetime(2026, 3, 10, 12, 0)))
        value = c.execute(select(kv.c.updated_at)).scalar_one()
    assert value == datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def test_postgres_session_time_zone_does_not_leak(store: Store) -> None:
    if store.dialect != "postgresql":
        return  # SQLite has no session time zone
    with store.engine.begin() as c:
        c.execute(text("SET LOCAL TIME ZONE 'Asia/Tokyo'"))
        c.execute(insert(kv).values(key="k", value=None, updated_at=datetime(2026, 3, 10, 12, 0, tzinfo=UTC)))
        value = c.execute(select(kv.c.updated_at)).scalar_one()
    assert value == datetime(2026, 3, 10, 12, 0, tzinfo=UTC) and value.tzinfo == UTC


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2200, 1, 1),
                    timezones=st.sampled_from([UTC, UTC_PLUS_2, UTC_MINUS_5, NEPAL])))
def test_any_aware_datetime_round_trips(store: Store, when: datetime) -> None:
    with store.engine.begin() as c:
        c.execute(kv.delete())
        c.execute(insert(kv).values(key="k", value={"n": 1}, updated_at=when))
        value = c.execute(select(kv.c.updated_at)).scalar_one()
    assert value == when and value.utcoffset() == timedelta(0)
