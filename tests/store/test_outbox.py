"""The outbox on both backends: a digest and its messages stored together, each slot once, sent once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import StatementError

from bot.store import Store
from bot.store.schema import deliveries, digests

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
LEASE = timedelta(minutes=2)


def create(store: Store, *, channel: str = "team", slot: str | None = "2026-03-10T08:00:00-04:00",
           payloads: list[Any] | None = None, now: datetime = NOW, **extra: Any) -> int | None:
    return store.outbox.create_digest(
        channel=channel, platform="slack", body={"title": "Digest", "entries": []}, story_ids=["s1", "s2"],
        since=now - timedelta(days=1), until=now, payloads=payloads if payloads is not None else [{"n": 0}, {"n": 1}],
        now=now, slot=slot, **extra)


def count(store: Store, table: Any) -> int:
    with store.engine.connect() as c:
        return int(c.execute(select(func.count()).select_from(table)).scalar_one())


def test_a_digest_and_its_deliveries_are_stored_together(store: Store) -> None:
    digest_id = create(store)
    assert digest_id is not None
    parts = store.outbox.deliveries_for(digest_id)
    assert [(d.part, d.payload, d.status, d.attempts) for d in parts] == [
        (0, {"n": 0}, "pending", 0), (1, {"n": 1}, "pending", 0)]
    assert len({d.idempotency_key for d in parts}) == 2
    assert store.outbox.depth() == 2
    assert store.outbox.last_digest_body("team") == {"title": "Digest", "entries": []}
    state = store.outbox.channel("team")
    assert state is not None and state.last_digest_until == NOW


def test_a_slot_is_built_once(store: Store) -> None:
    assert create(store) is not None
    assert create(store) is None  # the same slot again: a crash and restart, or a second instance
    assert (count(store, digests), count(store, deliveries)) == (1, 2)
    # Other slots and other channels are separate; digests without a slot (on demand) never collide.
    assert create(store, slot="2026-03-11T08:00:00-04:00") is not None
    assert create(store, channel="other") is not None
    assert create(store, slot=None) is not None
    assert create(store, slot=None) is not None
    assert count(store, digests) == 5


def test_a_failure_midway_stores_nothing(store: Store) -> None:
    with pytest.raises((TypeError, StatementError)):  # raised as is or wrapped, per driver
        create(store, payloads=[{"n": 0}, {"bad": object()}])  # a payload that cannot be stored as JSON
    assert (count(store, digests), count(store, deliveries)) == (0, 0)
    assert store.outbox.channel("team") is None  # the channel did not advance past stories never sent
    assert create(store) is not None  # and the slot is still free


def test_an_alert_does_not_advance_the_channel(store: Store) -> None:
    create(store, slot=None, kind="alert", advance_channel=False)
    assert store.outbox.channel("team") is None
    assert store.outbox.last_digest_body("team") is None  # alerts are not the channel's digest


def test_claim_lease_and_mark(store: Store) -> None:
    digest_id = create(store)
    assert digest_id is not None
    first, second = store.outbox.due(NOW)
    assert store.outbox.claim(first.id, owner="a", now=NOW, lease=LEASE)
    assert not store.outbox.claim(first.id, owner="b", now=NOW, lease=LEASE)  # held by a
    assert [d.id for d in store.outbox.due(NOW)] == [second.id]  # a leased delivery is not due
    # a died between posting and marking: once the lease expires, b retries with the same key.
    assert store.outbox.claim(first.id, owner="b", now=NOW + LEASE, lease=LEASE)
    assert store.outbox.record_message_id(first.id, "1234.5678", owner="b")
    assert store.outbox.mark_sent(first.id, owner="b", message_id="1234.5678", now=NOW + LEASE)
    assert not store.outbox.claim(first.id, owner="c", now=NOW + 10 * LEASE, lease=LEASE)  # sent is final
    sent = store.outbox.deliveries_for(digest_id)[0]
    assert (sent.status, sent.message_id, sent.attempts) == ("sent", "1234.5678", 2)

    assert store.outbox.claim(second.id, owner="a", now=NOW, lease=LEASE)
    assert store.outbox.retry_later(second.id, owner="a", error="rate limited", at=NOW + timedelta(minutes=5))
    assert store.outbox.due(NOW + timedelta(minutes=1)) == []
    [retry] = store.outbox.due(NOW + timedelta(minutes=5))
    assert (retry.status, retry.last_error, retry.attempts) == ("pending", "rate limited", 1)
    assert store.outbox.depth() == 1
    assert store.outbox.claim(second.id, owner="a", now=NOW + timedelta(minutes=5), lease=LEASE)
    assert store.outbox.fail(second.id, owner="a", error="channel_not_found")
    assert store.outbox.depth() == 0
    assert store.outbox.due(NOW + timedelta(days=1)) == []


def test_due_filters_by_channel(store: Store) -> None:
    create(store, channel="a")
    create(store, channel="b")
    assert {d.channel for d in store.outbox.due(NOW, channel="a")} == {"a"}
    assert len(store.outbox.due(NOW)) == 4
    assert len(store.outbox.due(NOW, limit=3)) == 3
    assert store.outbox.due(NOW - timedelta(seconds=1)) == []


def test_channel_state(store: Store) -> None:
    store.outbox.set_channel("team", NOW, status="failing", last_error="not_in_channel", failing_since=NOW)
    store.outbox.set_channel("team", NOW, last_digest_until=NOW)
    state = store.outbox.channel("team")
    assert state is not None
    assert (state.status, state.last_error, state.failing_since, state.last_digest_until) == (
        "failing", "not_in_channel", NOW, NOW)
    assert [s.channel for s in store.outbox.channels()] == ["team"]
