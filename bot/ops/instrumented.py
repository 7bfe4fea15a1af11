"""Metrics taken from outside the pipeline's code: timed senders, and digests watched until sent.

The delivery code stays free of metrics calls: every Sender the core hands out is wrapped so each
post is timed and counted, and each digest the core queues is watched until all its messages are
sent (or one fails for good). Digests queued before a restart are not watched: counters are per
process, like any Prometheus counter.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.ops import metrics

if TYPE_CHECKING:
    from bot.config.settings import ChannelConfig
    from bot.ports import Sender
    from bot.store import Store

MAX_WATCHED = 10_000  # a bound, in case deliveries stall for a very long time


class InstrumentedSender:
    """A Sender that times and counts every post; everything else goes to the wrapped one."""

    def __init__(self, platform: str, inner: Sender) -> None:
        self.platform = platform
        self.inner = inner

    async def send(self, channel: ChannelConfig, payload: Any, *, idempotency_key: str) -> str | None:
        started = time.perf_counter()
        try:
            message_id = await self.inner.send(channel, payload, idempotency_key=idempotency_key)
        except Exception:
            metrics.message_failed(self.platform)
            raise
        metrics.message_sent(self.platform, time.perf_counter() - started)
        return message_id

    async def aclose(self) -> None:
        await self.inner.aclose()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@dataclass(frozen=True, slots=True)
class _Watched:
    platform: str
    queued_at: datetime


class DigestWatch:
    """Digests this process queued, until each is fully sent or has failed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._watched: dict[int, _Watched] = {}

    def add(self, digest_id: int, platform: str, queued_at: datetime) -> None:
        metrics.digest_queued(platform)
        with self._lock:
            if len(self._watched) >= MAX_WATCHED:
                self._watched.pop(next(iter(self._watched)))
            self._watched[digest_id] = _Watched(platform, queued_at)

    def __len__(self) -> int:
        with self._lock:
            return len(self._watched)

    def check(self, store: Store, now: datetime) -> None:
        """Count the watched digests that finished since the last check (blocking: run in a thread)."""
        with self._lock:
            watched = dict(self._watched)
        done: list[int] = []
        for digest_id, entry in watched.items():
            statuses = {d.status for d in store.outbox.deliveries_for(digest_id)}
            if "failed" in statuses:
                metrics.digest_failed(entry.platform)
            elif statuses == {"sent"}:
                metrics.digest_sent(entry.platform, (now - entry.queued_at).total_seconds())
            elif statuses:
                continue  # still pending or sending
            done.append(digest_id)
        with self._lock:
            for digest_id in done:
                self._watched.pop(digest_id, None)
