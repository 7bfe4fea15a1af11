"""Digests and their deliveries: the outbox that makes posting survive crashes and outages.

A digest is stored before anything is sent; each message of it is a delivery row with an
idempotency key. Senders mark a delivery `sending`, post, store the platform's message id, then
mark it `sent`, so a restart knows exactly what may still need posting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, func, insert, or_, select, update
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
                c.execute(insert(deliveries), [{
                    "digest_id": digest_id, "channel": channel, "platform": platform, "part": i,
                    "idempotency_key": f"sitrep-{digest_id}-{i}", "payload": payload, "status": "pending",
                    "attempts": 0, "next_attempt_at": now, "created_at": now} for i, payload in enumerate(payloads)])
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

    def claim(self, delivery_id: int, *, owner: str, now: datetime, lease: timedelta) -> bool:
        """Take one delivery for sending; false if another worker holds it."""
        with self.engine.begin() as c:
            done = c.execute(update(deliveries).where(
                deliveries.c.id == delivery_id, deliveries.c.status.in_(["pending", "sending"]),
                or_(deliveries.c.lease_expires_at.is_(None), deliveries.c.lease_expires_at <= now,
                    deliveries.c.lease_owner == owner),
            ).values(status="sending", lease_owner=owner, lease_expires_at=now + lease,
                     attempts=deliveries.c.attempts + 1))
            return done.rowcount == 1

    def mark_sent(self, delivery_id: int, *, message_id: str | None, now: datetime) -> None:
        with self.engine.begin() as c:
            c.execute(update(deliveries).where(deliveries.c.id == delivery_id).values(
                status="sent", message_id=message_id, sent_at=now, last_error=None,
                lease_owner=None, lease_expires_at=None))

    def record_message_id(self, delivery_id: int, message_id: str) -> None:
        with self.engine.begin() as c:
            c.execute(update(deliveries).where(deliveries.c.id == delivery_id).values(message_id=message_id))

    def retry_later(self, delivery_id: int, *, error: str, at: datetime) -> None:
        with self.engine.begin() as c:
            c.execute(update(deliveries).where(deliveries.c.id == delivery_id).values(
                status="pending", last_error=error[:500], next_attempt_at=at, lease_owner=None, lease_expires_at=None))

    def fail(self, delivery_id: int, *, error: str) -> None:
        with self.engine.begin() as c:
            c.execute(update(deliveries).where(deliveries.c.id == delivery_id).values(
                status="failed", last_error=error[:500], lease_owner=None, lease_expires_at=None))

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
        exists = c.execute(select(channel_state.c.channel).where(channel_state.c.channel == name)).first()
        if exists:
            c.execute(update(channel_state).where(channel_state.c.channel == name).values(updated_at=now, **values))
        else:
            c.execute(insert(channel_state).values(channel=name, updated_at=now, **values))


def _delivery(r: Any) -> DeliveryRow:
    return DeliveryRow(r.id, r.digest_id, r.channel, r.platform, r.part, r.idempotency_key, r.payload, r.status,
                       r.attempts, aware(r.next_attempt_at) or r.next_attempt_at, r.last_error, r.message_id)
