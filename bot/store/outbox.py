"""Digests and their deliveries: the outbox that makes posting survive crashes and outages.

A digest is stored before anything is sent; each message of it is a delivery row with an
idempotency key. A sender claims a delivery (`sending`, with a lease), posts, then stores the
platform's message id and `sent` in one transaction. A row found `sending` with its lease run out
is an attempt whose outcome nobody knows: the deliverer checks the platform where it can before
posting again (see bot/delivery/deliverer.py).

Only the lease holder writes an attempt's outcome: `mark_sent`, `retry_later` and `fail` take the
owner and change the row only while it is still that owner's `sending` claim (its lease may have
run out, as long as nobody took the row over). A sender that stalled past its lease and woke up
after another took over, or finished, cannot overwrite what the other did: a `sent` row never goes
back to `pending`, and the message id stored is the one the current holder saw. Owners are opaque
ids, compared whole: a lease ends when it runs out or when its owner stops (`release`), never
because some process id looks dead from here, which across containers sharing a hostname it may.

Statuses: pending (to send; `next_attempt_at` says when), sending (claimed, or an attempt with an
unknown outcome), sent (final, with the message id), failed (final: the platform refused this
payload, or its channel is no longer configured).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from bot.clock import aware
from bot.store.db import new_id
from bot.store.schema import channel_state, deliveries, digests


@dataclass(frozen=True, slots=True)
class DeliveryRow:
    id: int
    digest_id: int
    channel: str
    platform: str
    part: int
    idempotency_key: str
    payload: Any
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    message_id: str | None
    created_at: datetime | None = None
    lease_owner: str | None = None
    lease_expires_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ChannelStateRow:
    channel: str
    last_digest_until: datetime | None
    status: str
    last_error: str | None
    failing_since: datetime | None


class OutboxRepo:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create_digest(self, *, channel: str, platform: str, body: Any, story_ids: list[str],
                      since: datetime | None, until: datetime, payloads: list[Any], now: datetime,
                      slot: str | None = None, kind: str = "digest", advance_channel: bool = True) -> int | None:
        """Store a digest and its messages in one transaction; None if this slot was already built."""
        try:
            with self.engine.begin() as c:
                digest_id = new_id(c.execute(insert(digests).values(
                    channel=channel, kind=kind, created_at=now, since=since, until=until, body=body,
                    story_ids=story_ids, slot=slot)))
                if payloads:  # an empty digest that posts nothing still fills its slot
                    c.execute(insert(deliveries), [{
                        "digest_id": digest_id, "channel": channel, "platform": platform, "part": i,
                        "idempotency_key": f"sitrep-{digest_id}-{i}", "payload": payload, "status": "pending",
                        "attempts": 0, "next_attempt_at": now, "created_at": now}
                        for i, payload in enumerate(payloads)])
                if advance_channel:
                    self._set_channel(c, channel, now, last_digest_until=until)
                return digest_id
        except IntegrityError:
            return None

    def due(self, now: datetime, *, channel: str | None = None, limit: int = 100) -> list[DeliveryRow]:
        query = select(deliveries).where(
            deliveries.c.status.in_(["pending", "sending"]), deliveries.c.next_attempt_at <= now,
            or_(deliveries.c.lease_expires_at.is_(None), deliveries.c.lease_expires_at <= now),
        ).order_by(deliveries.c.digest_id, deliveries.c.part).limit(limit)
        if channel:
            query = query.where(deliveries.c.channel == channel)
        with self.engine.connect() as c:
            return [_delivery(r) for r in c.execute(query)]

    def unsent(self, *, channel: str | None = None) -> list[DeliveryRow]:
        """Every delivery still to go out, in posting order: by channel, digest, part."""
        query = select(deliveries).where(deliveries.c.status.in_(["pending", "sending"])).order_by(
            deliveries.c.channel, deliveries.c.digest_id, deliveries.c.part)
        if channel:
            query = query.where(deliveries.c.channel == channel)
        with self.engine.connect() as c:
            return [_delivery(r) for r in c.execute(query)]

    def claim(self, delivery_id: int, *, owner: str, now: datetime, lease: timedelta) -> DeliveryRow | None:
        """Take one due delivery for sending; None if someone holds its lease, it waits, or it is done.

        The row is read, then taken by an UPDATE conditional on it being unchanged (same status and
        attempts) and free, so two senders can never both take it: on PostgreSQL the second UPDATE
        waits for the first to commit, re-checks the row and changes nothing. The row comes back as
        it was read (its status says whether a previous attempt's outcome is unknown), with the lease.
        """
        with self.engine.begin() as c:
            row = c.execute(select(deliveries).where(deliveries.c.id == delivery_id)).first()
            if row is None:
                return None
            lease_ends = now + lease
            done = c.execute(update(deliveries).where(
                deliveries.c.id == delivery_id, deliveries.c.status.in_(["pending", "sending"]),
                deliveries.c.status == row.status, deliveries.c.attempts == row.attempts,
                deliveries.c.next_attempt_at <= now,
                or_(deliveries.c.lease_expires_at.is_(None), deliveries.c.lease_expires_at <= now),
            ).values(status="sending", lease_owner=owner, lease_expires_at=lease_ends,
                     attempts=deliveries.c.attempts + 1))
            if done.rowcount != 1:
                return None
        return replace(_delivery(row), lease_owner=owner, lease_expires_at=lease_ends)

    def release(self, owner: str, now: datetime) -> int:
        """End the leases `owner` holds (it is stopping), so another sender, or this one restarted,
        resumes at once instead of waiting them out. The rows stay `sending`: whether a post went out
        is unknown, and the deliverer treats them so."""
        with self.engine.begin() as c:
            return c.execute(update(deliveries).where(
                deliveries.c.lease_owner == owner, deliveries.c.status == "sending",
                deliveries.c.lease_expires_at > now).values(lease_expires_at=now)).rowcount

    def mark_sent(self, delivery_id: int, *, owner: str, message_id: str | None, now: datetime) -> bool:
        """Record the post; false (nothing changed) if the row is no longer `owner`'s claim."""
        with self.engine.begin() as c:
            return c.execute(update(deliveries).where(*_held(delivery_id, owner)).values(
                status="sent", message_id=message_id, sent_at=now, last_error=None,
                lease_owner=None, lease_expires_at=None)).rowcount == 1

    def record_message_id(self, delivery_id: int, message_id: str, *, owner: str) -> bool:
        with self.engine.begin() as c:
            return c.execute(update(deliveries).where(*_held(delivery_id, owner)).values(
                message_id=message_id)).rowcount == 1

    def retry_later(self, delivery_id: int, *, owner: str, error: str, at: datetime, uncertain: bool = False) -> bool:
        """Try again at `at`. `uncertain`: the attempt may have reached the platform (a timeout), so
        the next one checks first, like after a crash. False if the row is no longer `owner`'s claim."""
        with self.engine.begin() as c:
            return c.execute(update(deliveries).where(*_held(delivery_id, owner)).values(
                status="sending" if uncertain else "pending", last_error=error[:500], next_attempt_at=at,
                lease_owner=None, lease_expires_at=None)).rowcount == 1

    def fail(self, delivery_id: int, *, owner: str, error: str) -> bool:
        """Give up on the message for good; false if the row is no longer `owner`'s claim."""
        with self.engine.begin() as c:
            return c.execute(update(deliveries).where(*_held(delivery_id, owner)).values(
                status="failed", last_error=error[:500], lease_owner=None, lease_expires_at=None)).rowcount == 1

    def wake(self, channel: str, now: datetime) -> int:
        """Make a channel's waiting deliveries due now (a restart after fixing a failing channel)."""
        with self.engine.begin() as c:
            return c.execute(update(deliveries).where(
                deliveries.c.channel == channel, deliveries.c.status.in_(["pending", "sending"]),
                deliveries.c.next_attempt_at > now).values(next_attempt_at=now)).rowcount

    def queued(self) -> dict[str, int]:
        """Deliveries still to go out, per channel."""
        with self.engine.connect() as c:
            rows = c.execute(select(deliveries.c.channel, func.count()).where(
                deliveries.c.status.in_(["pending", "sending"])).group_by(deliveries.c.channel))
            return {r[0]: int(r[1]) for r in rows}

    def story_ids_since(self, channel: str, since: datetime, *, kind: str = "digest") -> set[str]:
        """The stories this channel's digests (or alerts) built since `since` already carried."""
        with self.engine.connect() as c:
            rows = c.execute(select(digests.c.story_ids).where(
                digests.c.channel == channel, digests.c.kind == kind, digests.c.created_at >= since))
            return {sid for r in rows for sid in (r.story_ids or [])}

    def count_since(self, channel: str, since: datetime, *, kind: str) -> int:
        with self.engine.connect() as c:
            return int(c.execute(select(func.count()).select_from(digests).where(
                digests.c.channel == channel, digests.c.kind == kind, digests.c.created_at >= since)).scalar_one())

    def depth(self) -> int:
        with self.engine.connect() as c:
            return int(c.execute(select(func.count()).select_from(deliveries)
                                 .where(deliveries.c.status.in_(["pending", "sending"]))).scalar_one())

    def deliveries_for(self, digest_id: int) -> list[DeliveryRow]:
        with self.engine.connect() as c:
            return [_delivery(r) for r in c.execute(select(deliveries).where(deliveries.c.digest_id == digest_id)
                                                    .order_by(deliveries.c.part))]

    def last_digest_body(self, channel: str) -> Any:
        with self.engine.connect() as c:
            row = c.execute(select(digests.c.body).where(and_(digests.c.channel == channel, digests.c.kind == "digest"))
                            .order_by(digests.c.created_at.desc()).limit(1)).first()
            return row.body if row else None

    # --- channel state ---------------------------------------------------------------------------

    def channel(self, name: str) -> ChannelStateRow | None:
        with self.engine.connect() as c:
            row = c.execute(select(channel_state).where(channel_state.c.channel == name)).first()
        if row is None:
            return None
        return ChannelStateRow(row.channel, aware(row.last_digest_until), row.status, row.last_error,
                               aware(row.failing_since))

    def channels(self) -> list[ChannelStateRow]:
        with self.engine.connect() as c:
            return [ChannelStateRow(r.channel, aware(r.last_digest_until), r.status, r.last_error,
                                    aware(r.failing_since)) for r in c.execute(select(channel_state))]

    def set_channel(self, name: str, now: datetime, **values: Any) -> None:
        with self.engine.begin() as c:
            self._set_channel(c, name, now, **values)

    def _set_channel(self, c: Any, name: str, now: datetime, **values: Any) -> None:
        # An upsert, not a read then an insert: two instances touching a new channel's state at once
        # (one storing its digest, one recording a failure) must not collide on the primary key.
        dialect_insert = sqlite_insert if c.dialect.name == "sqlite" else pg_insert
        statement = dialect_insert(channel_state).values(channel=name, updated_at=now, **values)
        c.execute(statement.on_conflict_do_update(index_elements=["channel"],
                                                  set_={"updated_at": now, **values}))


def _delivery(r: Any) -> DeliveryRow:
    return DeliveryRow(r.id, r.digest_id, r.channel, r.platform, r.part, r.idempotency_key, r.payload, r.status,
                       r.attempts, aware(r.next_attempt_at) or r.next_attempt_at, r.last_error, r.message_id,
                       aware(r.created_at), r.lease_owner, aware(r.lease_expires_at))


def _held(delivery_id: int, owner: str) -> tuple[Any, ...]:
    """The row, while it is still `owner`'s claim: nobody took it over, nobody finished it."""
    return deliveries.c.id == delivery_id, deliveries.c.lease_owner == owner, deliveries.c.status == "sending"
