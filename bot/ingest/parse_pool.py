"""Feed parsing on the machine's other cores, for cycles that parse many feeds at once.

A poll cycle is bound by CPU, and in one process the event loop (HTTP for every feed), the store
and feedparser share one core through the GIL: a parse running in a thread also delays every
socket callback waiting behind it. Parsing the changed feeds in worker processes moves the biggest
pure-Python cost off that core. Unchanged feeds never get here (a 304 or the same bytes cost no
parse at all).

Starting a worker costs about half a second of CPU (a fresh interpreter importing feedparser), so
the pool starts only when parses pile up: a feed polled alone by its scheduled job is parsed in a
thread as before, a cycle that parses many feeds at once starts the workers and keeps them. A
worker that dies (a crash in a C parser on a hostile document, say) costs that one feed a
"parser crashed" status; the next parse starts a fresh pool.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from bot.ingest.parse import ParsedFeed, parse_feed

log = logging.getLogger(__name__)

BURST = 8  # parses in flight at once before the worker processes are worth starting


def default_workers() -> int:
    """One worker per core beyond the first (which runs the event loop and the store), at most 4."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(0, min(cores - 1, 4))


class FeedParsers:
    def __init__(self, workers: int | None = None) -> None:
        self.workers = default_workers() if workers is None else workers
        self._pool: ProcessPoolExecutor | None = None
        self._in_flight = 0

    @property
    def started(self) -> bool:
        return self._pool is not None

    async def parse(self, body: bytes, *, url: str, content_type: str | None = None) -> ParsedFeed:
        """parse_feed, in a worker process when the pool is running or a burst starts it; never raises."""
        self._in_flight += 1
        try:
            pool = self._pool_for_burst()
            if pool is None:
                return await asyncio.to_thread(parse_feed, body, url=url, content_type=content_type)
            loop = asyncio.get_running_loop()
            try:
                return await loop.run_in_executor(pool, _parse, body, url, content_type)
            except BrokenProcessPool:
                self._discard(pool)
                log.warning("the feed parser process died while parsing %s", url)
                return ParsedFeed(None, None, problem="the feed parser crashed on this document", usable=False)
        finally:
            self._in_flight -= 1

    def _pool_for_burst(self) -> ProcessPoolExecutor | None:
        if self.workers <= 0:
            return None
        if self._pool is None and self._in_flight >= BURST:
            # spawn, not fork: forking a process with an event loop and threads copies their locks mid-use.
            # No max_tasks_per_child: on Python 3.11 a worker retiring that way can leave the pool hung.
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"))
        return self._pool

    def _discard(self, pool: ProcessPoolExecutor) -> None:
        if self._pool is pool:
            self._pool = None
        pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def _parse(body: bytes, url: str, content_type: str | None) -> ParsedFeed:
    return parse_feed(body, url=url, content_type=content_type)
