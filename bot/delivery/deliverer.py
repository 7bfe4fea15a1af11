"""Sending what the outbox holds: claim, post, store the message id and `sent` together.

Crash windows, and what closes each one:

- before the digest is stored: nothing was built; its schedule slot is still due, so the next run
  builds it (the unique (channel, slot) key makes that happen once);
- stored, not yet claimed: the rows are `pending`; the next run sends them;
- claimed, not yet posted: the row is `sending` with a lease; when the lease ends (at once when its
  holder stopped cleanly and released it, see `OutboxRepo.release`) it is posted; nothing had arrived;
- posted, not yet marked: the row is `sending` and its outcome unknown. A `CheckingSender` is asked
  whether a message with this idempotency key exists, and the row is marked sent with its id if
  so. Incoming webhooks give no way to ask: there the post is repeated, and this window (from
  the platform accepting the post to our commit of its id, milliseconds) is the one place a
  duplicate remains possible. It is logged as such.

Several senders (instances on one database, or a digest job and the delivery tick) may drain the
same channel at once: a delivery is posted only by the one whose claim (a conditional UPDATE, see
OutboxRepo.claim) took it, and that claim hands back the row as it is now, so a row another sender
left `sending` is checked before it is posted again. Its outcome is written only while the claim is
still the sender's own: one that stalled past its lease finds its write refused, and leaves the row
to whoever took it over.

A lease whose holder was killed is waited out (`leases.delivery`): whether that holder is alive
cannot be told from here (a process id means nothing to another container, even on a host of the
same name), and posting early could duplicate a message it is sending right now.

Order: a channel's messages go out in order (digest, then part); the first one that has to wait
holds the ones behind it, so part 2 never appears before part 1.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.clock import Clock
from bot.delivery import direct
from bot.ports import CheckingSender, DeliveryError, Sender
from bot.store.outbox import DeliveryRow

if TYPE_CHECKING:
    from bot.config.settings import ChannelConfig, Config
    from bot.store import Store

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=2)  # longer than any send takes (senders time out well within it)
MAX_ATTEMPTS = 12  # transient failures in a row before the channel is reported failing
BACKOFF_START = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=1)
PROBE = timedelta(hours=6)  # how often a failing channel is tried again (and at every restart)


def instance_id() -> str:
    """Who holds a lease: unique per process (the random token); host and process id are only there
    for people reading logs and rows, and nothing decides anything from them."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(8)}"


class Deliverer:
    def __init__(self, *, config: Config, store: Store, clock: Clock, senders: dict[str, Sender],
                 unavailable: dict[str, str] | None = None, owner: str | None = None,
                 lock: asyncio.Lock | None = None, lease: timedelta = LEASE) -> None:
        self.config = config
        self.store = store
        self.clock = clock
        self.senders = senders
        self.unavailable = unavailable or {}  # platform -> why it has no sender in this build
        self.owner = owner or instance_id()
        self.lock = lock or asyncio.Lock()  # one pass at a time per process: the lease guards the rest
        self.lease = lease

    async def deliver_due(self, *, channel: str | None = None) -> int:
        """Send every delivery that is due, in order per channel; returns how many were posted."""
        async with self.lock:
            outbox = self.store.outbox
            rows = await asyncio.to_thread(outbox.unsent, channel=channel)
            queues: dict[str, list[DeliveryRow]] = defaultdict(list)
            for row in rows:
                queues[row.channel].append(row)
            sent = 0
            for name, queue in queues.items():
                sent += await self._drain(name, queue)
            return sent

    async def _drain(self, name: str, queue: list[DeliveryRow]) -> int:
        outbox = self.store.outbox
        # A person's direct messages (follow alerts) are delivered like a channel's posts.
        channel = self.config.channel(name) or direct.channel_for(name, self.config)
        sent = 0
        for row in queue:
            now = self.clock.now()
            if channel is None or channel.platform.value != row.platform:
                why = (f"channel {name!r} is no longer configured" if channel is None else
                       f"channel {name!r} now uses {channel.platform.value}; this message was made for {row.platform}")
                # Claimed first, like any outcome: a row another instance (with another config) holds is its own.
                if await self._claim(row, now) is not None:
                    log.error("delivery %d: %s; dropped", row.id, why)
                    await self._write(outbox.fail, row, error=why)
                continue
            if row.next_attempt_at > now or (row.lease_expires_at is not None and row.lease_expires_at > now):
                break  # waiting (backoff, a failing channel) or held by another worker: keep the order
            sender = self.senders.get(row.platform)
            if sender is None:
                if row.platform in self.unavailable and await self._claim(row, now) is not None:
                    await self._channel_failing(row, self.unavailable[row.platform],
                                                uncertain=row.status == "sending")
                break  # that platform does not run in this process; another instance may send it
            claimed = await self._claim(row, now)
            if claimed is None:
                break  # another sender took it (or sent it) since the list was read: it keeps the order
            row = claimed  # as it is now, not as listed: an attempt elsewhere may have made it `sending`
            outcome = await self._send(sender, channel, row)
            if outcome == "sent":
                sent += 1
            elif outcome == "stop":
                break
        return sent

    async def _claim(self, row: DeliveryRow, now: datetime) -> DeliveryRow | None:
        return await asyncio.to_thread(self.store.outbox.claim, row.id, owner=self.owner, now=now, lease=self.lease)

    async def _write(self, write: Callable[..., bool], row: DeliveryRow, **values: Any) -> bool:
        """Write an attempt's outcome as this claim's holder; a refusal means the claim was lost
        (its lease ran out and another sender took the row over, or finished it): theirs stands."""
        done = await asyncio.to_thread(write, row.id, owner=self.owner, **values)
        if not done:
            log.warning("delivery %d (%s): this sender's lease ran out and another took the message over; "
                        "leaving its outcome to that sender", row.id, row.idempotency_key)
        return done

    async def _send(self, sender: Sender, channel: ChannelConfig, row: DeliveryRow) -> str:
        """One claimed delivery: 'sent', 'skip' (refused for good, go on) or 'stop' (the channel waits)."""
        outbox = self.store.outbox
        if row.status == "sending":  # an earlier attempt's outcome is unknown
            if isinstance(sender, CheckingSender):
                since = row.created_at or self.clock.now() - timedelta(days=1)
                try:
                    found = await sender.find_sent(channel, row.payload, idempotency_key=row.idempotency_key,
                                                   since=since)
                except DeliveryError as error:
                    return await self._failed(row, error, uncertain=True)  # still unknown
                if found is not None:
                    log.warning("delivery %d (%s) had already been posted (message %s) by an attempt whose outcome "
                                "was unknown; marked sent, not posted again", row.id, row.idempotency_key, found)
                    if not await self._write(outbox.mark_sent, row, message_id=found, now=self.clock.now()):
                        return "stop"
                    await self._recovered(row.channel)
                    return "sent"
            else:
                log.warning("delivery %d (%s) to %s: the previous attempt's outcome is unknown and %s cannot be "
                            "checked; posting again (a duplicate is possible)", row.id, row.idempotency_key,
                            row.channel, row.platform)
        try:
            message_id = await sender.send(channel, row.payload, idempotency_key=row.idempotency_key)
        except DeliveryError as error:
            return await self._failed(row, error)
        except Exception as error:  # a sender bug must not stop other channels' posts
            log.exception("delivery %d to %s: the sender failed", row.id, row.channel)
            return await self._failed(row, DeliveryError(f"sender error: {error!r}", uncertain=True))
        if not await self._write(outbox.mark_sent, row, message_id=message_id, now=self.clock.now()):
            # Posted, but the row is another sender's now: it checks before posting (or, where the
            # platform cannot be asked, may post again: the documented duplicate window).
            log.warning("delivery %d (%s) was posted as message %s after its lease ran out", row.id,
                        row.idempotency_key, message_id)
            return "stop"
        await self._recovered(row.channel)
        return "sent"

    async def _failed(self, row: DeliveryRow, error: DeliveryError, *, uncertain: bool | None = None) -> str:
        outbox = self.store.outbox
        now = self.clock.now()
        attempts = row.attempts + 1
        uncertain = error.uncertain if uncertain is None else uncertain
        if error.rejected:
            log.error("channel %s: the platform refused delivery %d (%s): %s", row.channel, row.id,
                      row.idempotency_key, error)
            await self._write(outbox.fail, row, error=str(error))
            return "skip"
        if error.permanent:
            await self._channel_failing(row, str(error), uncertain=uncertain)
            return "stop"
        if attempts >= MAX_ATTEMPTS and error.retry_after is None:
            await self._channel_failing(row, f"no post went through in {attempts} attempts; last error: {error}",
                                        uncertain=uncertain)
            return "stop"
        delay = error.retry_after if error.retry_after is not None else min(
            BACKOFF_START * (2 ** (attempts - 1)), BACKOFF_MAX)
        log.warning("channel %s: delivery %d failed (%s); retrying in %s", row.channel, row.id, error, delay)
        await self._write(outbox.retry_later, row, error=str(error), at=now + delay, uncertain=uncertain)
        return "stop"

    async def _channel_failing(self, row: DeliveryRow, reason: str, *, uncertain: bool) -> None:
        """Park the channel: its posts wait (kept, in order) and are tried again every PROBE and at
        restart, instead of hammering a channel that cannot take them."""
        outbox = self.store.outbox
        now = self.clock.now()
        if not await self._write(outbox.retry_later, row, error=reason, at=now + PROBE, uncertain=uncertain):
            return  # the message is another sender's now, and what it saw of the channel is newer
        state = await asyncio.to_thread(outbox.channel, row.channel)
        if state is None or state.status != "failing" or state.last_error != reason:
            log.error("channel %s is failing: %s; its posts wait until it is fixed (retried every %s and on "
                      "restart)", row.channel, reason, PROBE)
        failing_since = state.failing_since if state and state.status == "failing" and state.failing_since else now
        await asyncio.to_thread(outbox.set_channel, row.channel, now, status="failing", last_error=reason,
                                failing_since=failing_since)

    async def _recovered(self, channel: str) -> None:
        state = await asyncio.to_thread(self.store.outbox.channel, channel)
        if state is not None and state.status == "failing":
            log.info("channel %s is posting again (failing since %s)", channel, state.failing_since)
            await asyncio.to_thread(self.store.outbox.set_channel, channel, self.clock.now(), status="ok",
                                    last_error=None, failing_since=None)
