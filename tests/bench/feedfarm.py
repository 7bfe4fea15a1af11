"""A farm of generated feeds on loopback for the poll benchmark, run as its own process.

    python -m tests.bench.feedfarm --feeds 2000 --hosts 200 --latency 0.08 --ready FILE

Feed i lives at http://127.0.<h>.<k>:PORT/feed/i (several 127.x addresses, so per-host limits see
many hosts). Every request waits a realistic latency (Gaussian around --latency). Of the feeds,
80% never change (ETag/Last-Modified, 304 when asked conditionally), 15% gain new items each time
the farm is told to advance (GET /advance), 5% fail or are slow: half answer 500 or 503, half
answer after --slow seconds. The farm writes its port to --ready when it listens, and stops on
SIGTERM or after --lifetime seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import random
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from aiohttp import web

from tests.fakes.feed_server import FeedServer, jittered

ITEM_TEXT = ("The ministry said the programme would add sensors, software and training over three years, and "
             "officials told reporters that a first batch of systems would be delivered to units next spring. ")


def kind(i: int) -> str:
    """unchanged (80%), changing (15%), failing (2.5%), slow (2.5%): spread evenly over the ids."""
    slot = i % 40
    if slot < 32:
        return "unchanged"
    if slot < 38:
        return "changing"
    return "failing" if slot == 38 else "slow"


@functools.cache
def hosts(count: int) -> list[str]:
    return [f"127.0.{1 + n // 250}.{1 + n % 250}" for n in range(count)]


def feed_url(i: int, port: int, host_count: int) -> str:
    return f"http://{hosts(host_count)[i % host_count]}:{port}/feed/{i}"


def document(i: int, version: int, items: int) -> bytes:
    start = datetime(2026, 3, 1, tzinfo=UTC)
    entries = []
    for n in range(version, version + items):
        when = format_datetime(start + timedelta(hours=n), usegmt=True)
        entries.append(
            f"<item><title>Feed {i} story {n}: defence programme update</title>"
            f"<link>https://news{i % 97}.example/{i}/{n}</link><guid isPermaLink='false'>f{i}-{n}</guid>"
            f"<pubDate>{when}</pubDate><description>{ITEM_TEXT * 4}</description></item>")
    return ("<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
            f"<title>Farm feed {i}</title><link>https://news{i % 97}.example/</link><description>bench</description>"
            + "".join(reversed(entries)) + "</channel></rss>").encode()


class Farm:
    def __init__(self, feeds: int, items: int, slow: float) -> None:
        self.feeds, self.items, self.slow = feeds, items, slow
        self.version = 0
        self._cache: dict[tuple[int, int], bytes] = {}

    def body(self, i: int) -> tuple[bytes, str]:
        version = self.version if kind(i) == "changing" else 0
        key = (i, version)
        if key not in self._cache:
            self._cache[key] = document(i, version, self.items)
        return self._cache[key], f'"{i}-{version}"'

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if request.path == "/advance":
            self.version += 1
            self._cache = {k: v for k, v in self._cache.items() if k[1] == 0}
            return web.Response(text=str(self.version))
        try:
            i = int(request.path.rsplit("/", 1)[1])
        except ValueError:
            return web.Response(status=404)
        what = kind(i)
        if what == "failing":
            return web.Response(status=500 if i % 80 < 40 else 503)
        if what == "slow":
            await asyncio.sleep(self.slow)
        body, etag = self.body(i)
        hour = 0 if what == "unchanged" else self.version % 24
        modified = f"Mon, 02 Mar 2026 {hour:02d}:00:00 GMT"
        headers = {"ETag": etag, "Last-Modified": modified, "Content-Type": "application/rss+xml; charset=utf-8"}
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers=headers)
        return web.Response(body=body, headers=headers)


async def serve(args: argparse.Namespace) -> None:
    farm = Farm(args.feeds, args.items, args.slow)
    server = FeedServer(hosts=hosts(args.hosts), latency=jittered(args.latency, args.latency / 4, random.Random(3)),
                        fallback=farm.handle)
    server.record = False
    await server.start()
    Path(args.ready).write_text(str(server.port))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    try:
        await asyncio.wait_for(stop.wait(), timeout=args.lifetime)
    except TimeoutError:
        pass
    await server.close()


@contextmanager
def running(feeds: int, *, hosts_count: int, latency: float, slow: float = 1.0, items: int = 15) -> Iterator[int]:
    """The farm in its own process (so serving feeds costs the measured process nothing); yields its port."""
    with tempfile.TemporaryDirectory() as folder:
        ready = Path(folder) / "port"
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.bench.feedfarm", "--feeds", str(feeds), "--hosts", str(hosts_count),
             "--latency", str(latency), "--slow", str(slow), "--items", str(items), "--ready", str(ready)],
            cwd=Path(__file__).resolve().parents[2])
        try:
            deadline = time.monotonic() + 60
            while not (ready.exists() and ready.read_text()):
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the feed farm did not start")
                time.sleep(0.05)
            yield int(ready.read_text())
        finally:
            process.terminate()
            process.wait(timeout=30)


def advance(port: int) -> None:
    """Every changing feed gains one item."""
    with urllib.request.urlopen(f"http://{hosts(1)[0]}:{port}/advance", timeout=30) as answer:
        answer.read()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--feeds", type=int, default=2000)
    parser.add_argument("--items", type=int, default=15)
    parser.add_argument("--hosts", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.08)
    parser.add_argument("--slow", type=float, default=1.0)
    parser.add_argument("--ready", required=True)
    parser.add_argument("--lifetime", type=float, default=1800)
    args = parser.parse_args()
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
