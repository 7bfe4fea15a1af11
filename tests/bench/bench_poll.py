"""Poll benchmark: one poll cycle over 2,000 loopback feeds against a sequential feedparser loop.

The feed farm (tests/bench/feedfarm.py) runs in its own process on 200 loopback addresses, each
request waiting a realistic internet latency (Gaussian, 200 ms +- 50 ms). Of the feeds, 80% are
unchanged (304 when asked conditionally), 15% have new items, 5% fail (500/503) or are slow (1 s).

- sitrep: a first cycle primes the store (validators, known items; not measured), the farm advances,
  then one full cycle is measured: wall time, CPU seconds, feeds/s. NLP enrichment is left out on
  both sides (it is the knowledge stage, benchmarked there); parsing, topic rules, identity and
  storage are in.
- baseline: what most small bots do, `feedparser.parse(url)` for one feed after another, over the
  same farm in the same state. At 200 ms a request that loop needs minutes for 2,000 feeds, so it
  is timed on a stratified sample (every 10th feed: the same mix of unchanged, new, failing and
  slow feeds) and scaled to 2,000; `poll.baseline_feeds_timed` says how many were timed.
- peak RSS: a separate process configured with 10,000 feeds runs a cold first cycle (everything
  new, the heaviest case) and a second cycle, and reports its own peak RSS.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import feedparser
import yaml

from tests.bench.feedfarm import advance, feed_url, running

FEEDS = int(os.environ.get("SITREP_BENCH_FEEDS", "2000"))
RSS_FEEDS = int(os.environ.get("SITREP_BENCH_RSS_FEEDS", "10000"))
HOSTS = 200
LATENCY = 0.2
SLOW = 1.0
SAMPLE_EVERY = int(os.environ.get("SITREP_BENCH_SAMPLE_EVERY", "10"))
REPO = Path(__file__).resolve().parents[2]


def farm(feeds: int, items: int = 15) -> AbstractContextManager[int]:
    """The benchmark's feed farm in its own process; yields its port."""
    return running(feeds, hosts_count=HOSTS, latency=LATENCY, slow=SLOW, items=items)


def bench_config(folder: Path, port: int, feeds: int) -> Any:
    from bot.config import parse_config

    document = {
        "storage": {"url": f"sqlite:///{folder / 'bench.db'}"},
        "http": {"concurrency": 256, "per_host": 2, "total_timeout": "15s", "read_timeout": "10s"},
        "feeds": [{"name": f"f{i}", "url": feed_url(i, port, HOSTS), "full_text": "never"} for i in range(feeds)],
    }
    path = folder / "bench.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return parse_config(path.read_text(encoding="utf-8"), path=path, env={}).located(path)


async def cycle(core: Any) -> tuple[float, float, Counter[str]]:
    wall, cpu = time.perf_counter(), time.process_time()
    report = await core.poller.poll_due(everything=True, enrich=False)
    return time.perf_counter() - wall, time.process_time() - cpu, Counter(o.status for o in report.feeds)


async def sitrep_cycles(folder: Path, port: int, feeds: int) -> dict[str, Any]:
    from bot.app import Sitrep

    core = Sitrep.open(bench_config(folder, port, feeds))
    try:
        prime = await cycle(core)
        advance(port)
        measured = await cycle(core)
    finally:
        await core.aclose()
    return {"prime": prime, "measured": measured}


def baseline(port: int) -> tuple[float, int]:
    """Sequential feedparser.parse(url) over a stratified sample; returns (seconds scaled to FEEDS, timed)."""
    sample = list(range(0, FEEDS, SAMPLE_EVERY))
    started = time.perf_counter()
    for i in sample:
        feedparser.parse(feed_url(i, port, HOSTS))
    elapsed = time.perf_counter() - started
    return elapsed * FEEDS / len(sample), len(sample)


def rss_child(feeds: int) -> None:
    """Run in a subprocess: a farm, 10,000 configured feeds, two cycles; print the peak RSS."""
    with farm(feeds, items=5) as port, tempfile.TemporaryDirectory() as folder:
        result = asyncio.run(sitrep_cycles(Path(folder), port, feeds))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"peak_rss_mb": peak, "prime_s": result["prime"][0], "cycle_s": result["measured"][0]}))


def run() -> dict[str, float | int | str]:
    with farm(FEEDS) as port, tempfile.TemporaryDirectory() as folder:
        cycles = asyncio.run(sitrep_cycles(Path(folder), port, FEEDS))
        base_seconds, timed = baseline(port)
    wall, cpu, statuses = cycles["measured"]
    child = subprocess.run([sys.executable, "-m", "tests.bench.bench_poll", "rss", str(RSS_FEEDS)], cwd=REPO,
                           capture_output=True, text=True, timeout=3600, check=True)
    rss = json.loads(child.stdout.strip().splitlines()[-1])
    return {
        "poll.feeds": FEEDS,
        "poll.latency_ms": int(LATENCY * 1000),
        "poll.cycle_wall_s": round(wall, 2),
        "poll.cycle_cpu_s": round(cpu, 2),
        "poll.feeds_per_s": round(FEEDS / wall, 1),
        "poll.not_modified": statuses["not-modified"],
        "poll.changed_parsed": statuses["ok"],
        "poll.failed": statuses["failed"],
        "poll.baseline_sequential_s": round(base_seconds, 1),
        "poll.baseline_feeds_timed": timed,
        "poll.speedup_vs_sequential": round(base_seconds / wall, 1),
        "poll.peak_rss_mb_10k_feeds": round(rss["peak_rss_mb"], 1),
        "poll.first_cycle_10k_feeds_s": round(rss["prime_s"], 1),
        "poll.cycle_10k_feeds_s": round(rss["cycle_s"], 1),
    }


if __name__ == "__main__":
    if sys.argv[1:2] == ["rss"]:
        rss_child(int(sys.argv[2]))
    else:
        print(json.dumps(run(), indent=2))
