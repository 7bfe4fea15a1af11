"""Only a claim's holder writes its outcome, on both backends: a sender whose lease ran out and
whose message another sender took over cannot overwrite what that one did; a stopping owner ends
its own leases, and nobody's lease is ended on the strength of a process id."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.store import Store
from bot.store.outbox import DeliveryRow

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
LEASE = timedelta(minutes=2)


def one_delivery(store: Store, *, slot: str = "s") -> DeliveryRow:
    digest_id = store.outbox.create_digest(channel="team", platform="slack", body={}, story_ids=["s1"], since=None,
                                           until=NOW, payloads=[{"n": 0}], now=NOW, slot=slot)
    assert digest_id is not None
    [row] = store.outbox.deliveries_for(digest_id)
    return row


def current(store: Store, row: DeliveryRow) -> DeliveryRow:
    [now] = [r for r in store.outbox.deliveries_for(row.digest_id) if r.id == row.id]
    return now


def test_a_sender_whose_lease_was_taken_over_cannot_write_the_outcome(store: Store) -> None:
    row = one_delivery(store)
    assert store.outbox.claim(row.id, owner="stalled", now=NOW, lease=LEASE)
    # The stalled sender's lease runs out; another takes the row over and posts it.
    assert store.outbox.claim(row.id, owner="fresh", now=NOW + LEASE, lease=LEASE)
    assert not store.outbox.mark_sent(row.id, owner="stalled", message_id="m-stalled", now=NOW + LEASE)
    assert not store.outbox.record_message_id(row.id, "m-stalled", owner="stalled")
    assert not store.outbox.retry_later(row.id, owner="stalled", error="timeout", at=NOW + 2 * LEASE)
    assert not store.outbox.fail(row.id, owner="stalled", error="refused")
    held = current(store, row)
    assert (held.status, held.lease_owner, held.message_id, held.last_error) == ("sending", "fresh", None, None)
    assert store.outbox.mark_sent(row.id, owner="fresh", message_id="m-fresh", now=NOW + LEASE)
    # Waking up after the other finished: a sent message never goes back to pending or failed.
    assert not store.outbox.retry_later(row.id, owner="stalled", error="HTTP 500", at=NOW + 3 * LEASE)
    assert not store.outbox.fail(row.id, owner="stalled", error="HTTP 400")
    assert not store.outbox.mark_sent(row.id, owner="fresh", message_id="again", now=NOW + LEASE)  # done is done
    done = current(store, row)
    assert (done.status, done.message_id, done.last_error) == ("sent", "m-fresh", None)
    assert store.outbox.due(NOW + timedelta(days=1)) == []


def test_an_expired_lease_nobody_took_over_is_still_its_holders(store: Store) -> None:
    """A slow post that finished after its lease ran out, with nobody else having claimed the row:
    the holder saw the platform's answer, so its outcome is the truth."""
    row = one_delivery(store)
    assert store.outbox.claim(row.id, owner="slow", now=NOW, lease=LEASE)
    assert store.outbox.mark_sent(row.id, owner="slow", message_id="m1", now=NOW + 5 * LEASE)
    assert current(store, row).status == "sent"


def test_nobody_writes_an_outcome_without_a_claim(store: Store) -> None:
    row = one_delivery(store)
    assert not store.outbox.mark_sent(row.id, owner="anyone", message_id="m", now=NOW)
    assert not store.outbox.fail(row.id, owner="anyone", error="x")
    assert (current(store, row).status, current(store, row).attempts) == ("pending", 0)


def test_a_stopping_owner_ends_its_own_leases_only(store: Store) -> None:
    mine, theirs = one_delivery(store, slot="a"), one_delivery(store, slot="b")
    # Two containers with the same hostname and, as containers have, the same process id.
    assert store.outbox.claim(mine.id, owner="sitrep-0:1:aaaa", now=NOW, lease=LEASE)
    assert store.outbox.claim(theirs.id, owner="sitrep-0:1:bbbb", now=NOW, lease=LEASE)
    assert store.outbox.release("sitrep-0:1:aaaa", NOW + timedelta(seconds=5)) == 1
    assert [r.id for r in store.outbox.due(NOW + timedelta(seconds=5))] == [mine.id]
    resumed = store.outbox.claim(mine.id, owner="sitrep-0:1:cccc", now=NOW + timedelta(seconds=5), lease=LEASE)
    assert resumed is not None and resumed.status == "sending"  # the stopped attempt's outcome is unknown
    assert current(store, theirs).lease_owner == "sitrep-0:1:bbbb"  # still held: not touched
    assert store.outbox.release("sitrep-0:1:aaaa", NOW + timedelta(seconds=6)) == 0
