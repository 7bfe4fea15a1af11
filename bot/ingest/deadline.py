"""A feed poll's deadline: the time, on the injected clock, by which its network work must be done.

A claimed feed is leased for `leases.feed`; once the lease runs out another instance may claim it.
So a poll's fetches (the feed, every per-host slot it waits for, every article page) must end
while the lease still holds, with room left to parse and write the outcome. Work the deadline
cuts short is not lost: an article page not fetched leaves its story with the feed's own text.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TypeVar

from bot.clock import Clock

T = TypeVar("T")

# Of a lease, the share kept back for parsing and the writes after the last fetch: enough for a
# large feed's parse and store on a busy machine, never so much that the fetches get no time.
WRITE_SHARE = 5
MAX_WRITE_ROOM = timedelta(minutes=1)


def poll_deadline(lease_ends: datetime, lease: timedelta) -> datetime:
    """When the network work of a poll whose lease ends at `lease_ends` must stop."""
    return lease_ends - min(lease / WRITE_SHARE, MAX_WRITE_ROOM)


class Deadline:
    def __init__(self, at: datetime, clock: Clock) -> None:
        self.at = at
        self.clock = clock

    def remaining(self) -> timedelta:
        return max(self.at - self.clock.now(), timedelta(0))

    @property
    def passed(self) -> bool:
        return self.clock.now() >= self.at

    async def run(self, work: Callable[[], Awaitable[T]]) -> T | None:
        """`work()`, cancelled when the deadline comes (waiting for a slot included); None then.

        Started only while there is time left, so a passed deadline starts nothing new.
        """
        if self.passed:
            return None
        scope = asyncio.timeout(self.remaining().total_seconds())
        try:
            async with scope:
                return await work()
        except TimeoutError:
            if scope.expired():
                return None
            raise
