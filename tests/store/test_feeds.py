"""The feeds repository on both backends: config sync, command feeds, due times, failures and leases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.config.settings import FeedConfig
from bot.store import Store

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def same(url: str) -> str:
    return url


def configured(*names: str, url: str = "https://example.org/{}.xml") -> list[FeedConfig]:
    return [FeedConfig(name=n, url=url.format(n), interval=timedelta(minutes=30), topics=["ai-defense"])
            for n in names]


def test_sync_config_inserts_updates_and_disables(store: Store) -> None:
    store.feeds.sync_config(configured("a", "b"), same, NOW)
    a = store.feeds.get("a")
    assert a is not None
    assert (a.origin, a.status, a.interval_s, a.topics, a.enabled) == ("config", "new", 1800, ["ai-defense"], True)
    assert a.next_due_at == NOW
    store.feeds.update_state(a.id, etag='"v1"', last_modified="Tue, 10 Mar 2026 11:00:00 GMT")

    # Same address: the cache validators stay. A new address is a new feed as far as caching goes.
    store.feeds.sync_config(configured("a", "b"), same, NOW)
    assert store.feeds.get("a").etag == '"v1"'  # type: ignore[union-attr]
    store.feeds.sync_config(configured("a", "b", url="https://example.net/{}.rss"), same, NOW)
    moved = store.feeds.get("a")
    assert moved is not None and moved.url == "https://example.net/a.rss"
    assert (moved.etag, moved.last_modified) == (None, None)

    # A feed gone from the file is disabled, not deleted: its stories keep their source.
    store.feeds.sync_config(configured("b"), same, NOW)
    assert store.feeds.get("a").enabled is False  # type: ignore[union-attr]
    assert [f.name for f in store.feeds.all(enabled_only=True)] == ["b"]
    assert [f.name for f in store.feeds.all()] == ["a", "b"]


def test_command_feeds_survive_config_sync(store: Store) -> None:
    added = store.feeds.add(name="cmd", url="https://example.org/cmd", topics=None, added_by="slack:U1", now=NOW)
    assert (added.origin, added.added_by, added.topics) == ("command", "slack:U1", None)
    store.feeds.sync_config(configured("a"), same, NOW)
    cmd = store.feeds.get("cmd")
    assert cmd is not None and cmd.enabled and cmd.origin == "command"
    assert store.feeds.by_id(added.id) == cmd
    assert store.feeds.remove("cmd") is True
    assert store.feeds.remove("cmd") is False
    assert store.feeds.get("cmd") is None


def test_due_orders_by_next_due_and_skips_disabled(store: Store) -> None:
    store.feeds.sync_config(configured("early", "late", "off", "never"), same, NOW)
    ids = {f.name: f.id for f in store.feeds.all()}
    store.feeds.update_state(ids["early"], next_due_at=NOW - timedelta(minutes=5))
    store.feeds.update_state(ids["late"], next_due_at=NOW + timedelta(minutes=5))
    store.feeds.update_state(ids["off"], enabled=False)
    store.feeds.update_state(ids["never"], next_due_at=NOW - timedelta(minutes=1))
    assert [f.name for f in store.feeds.due(NOW)] == ["early", "never"]
    assert [f.name for f in store.feeds.due(NOW, limit=1)] == ["early"]
    assert [f.name for f in store.feeds.due(NOW + timedelta(minutes=10))] == ["early", "never", "late"]


def test_success_and_failures_change_status(store: Store) -> None:
    feed = store.feeds.add(name="f", url="https://example.org/f", topics=None, added_by="t", now=NOW)
    later = NOW + timedelta(minutes=15)
    lease = timedelta(minutes=5)
    assert store.feeds.claim_one(feed.id, NOW, owner="me", lease=lease) is not None
    assert store.feeds.record_failure(feed.id, owner="me", now=NOW, next_due=later, error="HTTP 503",
                                      status_code=503, max_failures=2) == "ok"
    assert store.feeds.claim(NOW, owner="me", lease=lease, limit=1, ids=[feed.id], due=False)
    assert store.feeds.record_failure(feed.id, owner="me", now=NOW, next_due=later, error="x" * 900,
                                      status_code=None, max_failures=2) == "failing"
    failing = store.feeds.get("f")
    assert failing is not None
    assert (failing.status, failing.consecutive_failures, failing.last_status_code) == ("failing", 2, None)
    assert failing.last_error is not None and len(failing.last_error) == 500
    assert store.feeds.claim_one(feed.id, later, owner="me", lease=lease) is not None
    assert store.feeds.record_success(feed.id, owner="me", now=later, next_due=later + timedelta(minutes=15),
                                      status_code=200, etag='"e"', last_modified=None, title="Feed title",
                                      item_count=7)
    ok = store.feeds.get("f")
    assert ok is not None
    assert (ok.status, ok.consecutive_failures, ok.last_error, ok.initialized) == ("ok", 0, None, True)
    assert (ok.title, ok.item_count, ok.etag, ok.last_success_at) == ("Feed title", 7, '"e"', later)


def test_claims_are_leases_that_expire(store: Store) -> None:
    store.feeds.sync_config(configured("a", "b", "c"), same, NOW)
    lease = timedelta(minutes=5)
    first = store.feeds.claim(NOW, owner="one", lease=lease, limit=2)
    second = store.feeds.claim(NOW, owner="two", lease=lease, limit=10)
    assert len(first) == 2 and len(second) == 1
    assert not {f.name for f in first} & {f.name for f in second}
    assert store.feeds.claim(NOW, owner="three", lease=lease, limit=10) == []
    # Not even the owner takes its feeds again while they are in flight; anyone takes an expired one.
    assert store.feeds.claim(NOW, owner="one", lease=lease, limit=10) == []
    taken = store.feeds.claim(NOW + lease, owner="three", lease=lease, limit=10)
    assert {f.name for f in taken} == {"a", "b", "c"}
    # Recording the outcome releases the lease.
    store.feeds.record_success(taken[0].id, owner="three", now=NOW, next_due=NOW, status_code=200, etag=None,
                               last_modified=None)
    assert [f.id for f in store.feeds.claim(NOW + lease, owner="four", lease=lease, limit=10)] == [taken[0].id]


def test_claiming_one_feed_is_all_or_nothing(store: Store) -> None:
    store.feeds.sync_config(configured("a"), same, NOW)
    feed = store.feeds.get("a")
    assert feed is not None
    lease = timedelta(seconds=30)
    taken = store.feeds.claim_one(feed.id, NOW, owner="one", lease=lease)
    assert taken is not None and (taken.lease_owner, taken.lease_expires_at) == ("one", NOW + lease)
    assert store.feeds.claim_one(feed.id, NOW + timedelta(seconds=29), owner="two", lease=lease) is None
    # A dead holder's lease runs out and another instance takes the feed over.
    assert store.feeds.claim_one(feed.id, NOW + lease, owner="two", lease=lease) is not None
    # Polled: not due again until its next-due time, whoever asks.
    store.feeds.record_success(feed.id, owner="two", now=NOW + lease, next_due=NOW + timedelta(minutes=15),
                               status_code=200, etag=None, last_modified=None)
    assert store.feeds.claim_one(feed.id, NOW + lease, owner="three", lease=lease) is None
    assert store.feeds.claim_one(feed.id, NOW + timedelta(minutes=15), owner="three", lease=lease) is not None


def test_a_cycle_claims_what_was_due_when_it_started_and_a_deferral_ends_the_lease(store: Store) -> None:
    store.feeds.sync_config(configured("a", "b"), same, NOW)
    a, b = store.feeds.get("a"), store.feeds.get("b")
    assert a is not None and b is not None
    assert store.feeds.claim(NOW, owner="x", lease=timedelta(minutes=5), limit=1, ids=[b.id])
    store.feeds.set_next_due(b.id, NOW + timedelta(minutes=1), owner="x")
    later = NOW + timedelta(minutes=2)
    assert [f.name for f in store.feeds.claim(later, owner="x", lease=timedelta(minutes=5), limit=10,
                                              due_by=NOW)] == ["a"]
    store.feeds.set_next_due(a.id, later, owner="x")  # deferred: the claim ends with it
    assert {f.name for f in store.feeds.claim(later, owner="y", lease=timedelta(minutes=5), limit=10)} == {"a", "b"}
    # Listed feeds, due or not (a forced poll of everything), still respect leases.
    assert store.feeds.claim(later, owner="z", lease=timedelta(minutes=5), limit=10, ids=[a.id, b.id],
                             due=False) == []


def test_a_lapsed_lease_cannot_overwrite_what_the_next_holder_recorded(store: Store) -> None:
    """Every feed-state write holds only while the writer still owns the claim (as the outbox's do)."""
    store.feeds.sync_config(configured("a"), same, NOW)
    feed = store.feeds.get("a")
    assert feed is not None
    lease, later = timedelta(minutes=5), NOW + timedelta(minutes=5)
    assert store.feeds.claim_one(feed.id, NOW, owner="one", lease=lease) is not None
    assert store.feeds.claim_one(feed.id, later, owner="two", lease=lease) is not None  # one's lease ran out

    def late_writes_by_one() -> None:
        assert store.feeds.record_success(feed.id, owner="one", now=later, next_due=later, status_code=200,
                                          etag='"stale"', last_modified=None) is False
        assert store.feeds.record_failure(feed.id, owner="one", now=later, next_due=later, error="HTTP 500",
                                          status_code=500, max_failures=1) is None
        store.feeds.record_not_modified([{"id": feed.id, "next_due": later, "status_code": 304, "etag": '"stale"',
                                          "last_modified": None}], owner="one", now=later)
        assert store.feeds.set_next_due(feed.id, later, owner="one") is False

    late_writes_by_one()  # while two works: two's claim stays
    held = store.feeds.get("a")
    assert held is not None and (held.lease_owner, held.status, held.etag) == ("two", "new", None)
    due = later + timedelta(minutes=30)
    assert store.feeds.record_success(feed.id, owner="two", now=later, next_due=due, status_code=200,
                                      etag='"fresh"', last_modified=None) is True
    late_writes_by_one()  # after two recorded: two's result stands
    done = store.feeds.get("a")
    assert done is not None
    assert (done.status, done.etag, done.next_due_at, done.consecutive_failures, done.lease_owner) == \
        ("ok", '"fresh"', due, 0, None)
