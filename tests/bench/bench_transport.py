"""The HTTP transport under the fetcher against httpx's own (httpcore), on the same requests.

Why sitrep keeps a transport of its own (docs/decisions/http-transport.md): a poll cycle is
thousands of small GETs over hundreds of hosts, and the CPU per request, not the network, bounds
it. Both transports sit under the same httpx.AsyncClient and fetch the same URLs from the feed farm
(a separate process on loopback, 200 hosts), with the same concurrency; the figure is this
process's CPU time per request, and the ratio of the two in the same run.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

from bot.http.transport import PooledTransport
from tests.bench.feedfarm import feed_url, running

FEEDS = 2_000
HOSTS = 200
CONCURRENCY = 64
ROUNDS = 2  # the second round is what a steady poller sees: connections kept alive, or not


async def fetch_all(transport: httpx.AsyncBaseTransport, port: int) -> tuple[float, int]:
    """CPU seconds for ROUNDS passes over every feed, and how many answers were 200."""
    slots = asyncio.Semaphore(CONCURRENCY)
    ok = 0

    async def one(client: httpx.AsyncClient, i: int) -> None:
        nonlocal ok
        async with slots:
            response = await client.get(feed_url(i, port, HOSTS))
            ok += response.status_code == 200

    async with httpx.AsyncClient(transport=transport, timeout=30) as client:
        started = time.process_time()
        for _ in range(ROUNDS):
            await asyncio.gather(*(one(client, i) for i in range(FEEDS)))
        return time.process_time() - started, ok


def run() -> dict[str, Any]:
    with running(FEEDS, hosts_count=HOSTS, latency=0.005, slow=0.0) as port:
        limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
        httpcore_cpu, httpcore_ok = asyncio.run(fetch_all(httpx.AsyncHTTPTransport(limits=limits), port))
        pooled_cpu, pooled_ok = asyncio.run(fetch_all(PooledTransport(), port))
    requests = FEEDS * ROUNDS
    return {
        "transport.cpu_ms_per_request_httpcore": round(httpcore_cpu / requests * 1000, 3),
        "transport.cpu_ms_per_request_pooled": round(pooled_cpu / requests * 1000, 3),
        "transport.cpu_ratio_vs_httpcore": round(pooled_cpu / httpcore_cpu, 3),
        "transport.ok_httpcore": httpcore_ok,
        "transport.ok_pooled": pooled_ok,
    }
