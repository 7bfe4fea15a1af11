"""Sending what the outbox holds: claim, post, remember the message id, mark sent.

A crash between posting and marking leaves the delivery `sending` with its lease; when the lease
expires it is retried with the same idempotency key. Where the platform gives us no way to check
what was posted (webhooks), that window is the one place a duplicate remains possible.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.clock import Clock
from bot.ports import DeliveryError, Sender

if TYPE_CHECKING:
    from bot.config.models import Config
    from bot.store import Store

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 12
BACKOFF_START = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=1)


def instance_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Deliverer:
    def __init__(self, *, config: Config, store: Store, clock: Clock, senders: dict[str, Sender],
                 owner: str | None = None) -> None:
        self.config = config
        self.store = store
        self.clock = clock
        self.senders = senders
        self.owner = owner or instance_id()

    async def deliver_due(self, *, channel: str | None = None) -> int:
        """Send every delivery that is due; returns how many were posted."""
        sent = 0
        due = await asyncio.to_thread(self.store.outbox.due, self.clock.now(), channel=channel)
        for delivery in due:
            channel_config = self.config.channel(delivery.channel)
            if channel_config is None:
                await asyncio.to_thread(self.store.outbox.fail, delivery.id,
                                        error=f"channel {delivery.channel!r} is no longer configured")
                continue
            sender = self.senders.get(delivery.platform)
            if sender is None:
                continue  # that platform is not running in this process; another instance may send it
            claimed = await asyncio.to_thread(self.store.outbox.claim, delivery.id, owner=self.owner,
                                              now=self.clock.now(), lease=LEASE)
            if not claimed:
                continue
            try:
                message_id = await sender.send(channel_config, delivery.payload,
                                               idempotency_key=delivery.idempotency_key)
            except DeliveryError as error:
                await self._failed(delivery.id, delivery.channel, delivery.attempts + 1, error)
                continue
            await asyncio.to_thread(self.store.outbox.mark_sent, delivery.id, message_id=message_id,
                                    now=self.clock.now())
            sent += 1
        return sent

    async def _failed(self, delivery_id: int, channel: str, attempts: int, error: DeliveryError) -> None:
        now = self.clock.now()
        if error.permanent or attempts >= MAX_ATTEMPTS:
            log.error("channel %s: delivery %d failed for good: %s", channel, delivery_id, error)
            await asyncio.to_thread(self.store.outbox.fail, delivery_id, error=str(error))
            await asyncio.to_thread(self.store.outbox.set_channel, channel, now, status="failing",
                                    last_error=str(error), failing_since=now)
            return
        delay = min(BACKOFF_START * (2 ** (attempts - 1)), BACKOFF_MAX)
        if error.retry_after:
            delay = max(delay, error.retry_after)
        log.warning("channel %s: delivery %d failed (%s); retrying in %s", channel, delivery_id, error, delay)
        await asyncio.to_thread(self.store.outbox.retry_later, delivery_id, error=str(error), at=now + delay)
