"""Leases shared by instances on one database: job leases, delivery claims and enrichment claims,
raced from threads with their own connections (on PostgreSQL these are real concurrent transactions)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.store import NewStory, Store
from bot.store.outbox import DeliveryRow
from tests.fakes.stories import feed

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
TTL = timedelta(minutes=2)


def race(workers: int, job: Callable[[int], Any]) -> list[Any]:
    """Run job(i) in `workers` threads released together; their results in order."""
    results: list[Any] = [None] * workers
    start = threading.Barrier(workers)

    def one(i: int) -> None:
        start.wait()
        results[i] = job(i)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_a_job_lease_has_one_holder_until_it_runs_out_or_is_released(store: Store) -> None:
    leases = store.leases
    assert leases.acquire("digest:team", owner="a", now=NOW, ttl=TTL)
    assert not leases.acquire("digest:team", owner="b", now=NOW + TTL / 2, ttl=TTL)
    assert leases.acquire("digest:team", owner="a", now=NOW + TTL / 2, ttl=TTL)  # the holder renews
    assert leases.acquire("digest:other", owner="b", now=NOW, ttl=TTL)  # names are independent
    assert leases.acquire("digest:team", owner="b", now=NOW + TTL * 2, ttl=TTL)  # a's ran out: taken over
    leases.release("digest:team", owner="a")  # not a's any more: nothing happens
    assert not leases.acquire("digest:team", owner="c", now=NOW + TTL * 2, ttl=TTL)
    leases.release("digest:team", owner="b")
    assert leases.acquire("digest:team", owner="c", now=NOW + TTL * 2, ttl=TTL)


def test_racing_instances_get_a_job_lease_once(store: Store) -> None:
    for round_ in range(5):
        when = NOW + TTL * 3 * round_  # each round, the last holder's lease has run out

        def take(i: int, when: datetime = when, round_: int = round_) -> bool:
            return store.leases.acquire("alerts:team", owner=f"i{i}-{round_}", now=when, ttl=TTL)

        won = race(4, take)
        assert sum(won) == 1, won


def test_racing_senders_claim_a_delivery_once(store: Store) -> None:
    for n in range(5):
        digest_id = store.outbox.create_digest(channel="team", platform="slack", body={}, story_ids=[], since=None,
                                               until=NOW, payloads=[{"n": n}], now=NOW, slot=f"slot-{n}")
        assert digest_id is not None
        [row] = store.outbox.deliveries_for(digest_id)

        def claim(i: int, row_id: int = row.id) -> DeliveryRow | None:
            return store.outbox.claim(row_id, owner=f"sender{i}", now=NOW, lease=TTL)

        claims = race(4, claim)
        taken = [c for c in claims if c is not None]
        assert len(taken) == 1
        assert taken[0].status == "pending" and taken[0].attempts == 0  # as it was: a first attempt
        assert store.outbox.deliveries_for(digest_id)[0].lease_owner == taken[0].lease_owner


def test_a_delivery_waiting_for_its_retry_is_not_claimed(store: Store) -> None:
    digest_id = store.outbox.create_digest(channel="team", platform="slack", body={}, story_ids=[], since=None,
                                           until=NOW, payloads=[{"n": 1}], now=NOW, slot="s")
    assert digest_id is not None
    [row] = store.outbox.deliveries_for(digest_id)
    assert store.outbox.claim(row.id, owner="a", now=NOW, lease=TTL) is not None
    assert store.outbox.retry_later(row.id, owner="a", error="HTTP 500", at=NOW + timedelta(minutes=5), uncertain=True)
    assert store.outbox.claim(row.id, owner="b", now=NOW + timedelta(minutes=1), lease=TTL) is None
    again = store.outbox.claim(row.id, owner="b", now=NOW + timedelta(minutes=5), lease=TTL)
    assert again is not None and again.status == "sending"  # the last outcome is unknown: check first


def test_racing_instances_enrich_each_story_once(store: Store) -> None:
    wire = feed(store, "wire", NOW)
    for n in range(40):  # stored as polling stores them: waiting for the NLP stage
        link = f"https://wire.example/{n}"
        store.stories.store(NewStory(id=f"s{n:02d}", title=f"Story {n}", url=link, canonical_url=link, guid=None,
                                     title_key=None, published_at=NOW, feed_summary="", text=f"Story {n}.",
                                     relevant=True, topics=[], announce=True),
                            feed_id=wire, source_name="wire", now=NOW + timedelta(seconds=n))
    claims = race(4, lambda i: [r.id for r in store.stories.claim_for_enrichment(
        owner=f"i{i}", now=NOW, lease=TTL, limit=15)])
    taken = [story for claim in claims for story in claim]
    assert len(taken) == len(set(taken)) == 40
    # Nothing left to claim until a lease runs out (its holder died): then the story is taken again.
    assert store.stories.claim_for_enrichment(owner="late", now=NOW + TTL / 2, lease=TTL, limit=50) == []
    assert len(store.stories.claim_for_enrichment(owner="late", now=NOW + TTL, lease=TTL, limit=50)) == 40
