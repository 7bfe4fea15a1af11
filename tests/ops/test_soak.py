"""Soak: many poll and digest cycles on an injected clock, with feeds and a platform that fail and recover.

Each cycle moves the clock 30 minutes, lets the fake feeds publish (and sometimes answer 500/503,
hang past the timeout, or send broken XML, for a cycle or two, then recover), makes the fake
Slack webhook refuse some posts (429 with Retry-After, 5xx, a dropped connection), then runs what
the scheduler runs: a poll of the due feeds with enrichment, the channels' digest jobs, the
delivery tick. 200 cycles (100 hours of bot time) run in the test; SITREP_SOAK_CYCLES=5000 runs
longer. Shown (and printed): memory and open file descriptors flat after warm-up, the database
growing with the stories only, every published item stored, every digest posted exactly once.
"""

from __future__ import annotations

import asyncio
import gc
import os
import random
import statistics
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiohttp import web
from sqlalchemy import func, select

from bot.app import Sitrep
from bot.clock import FakeClock
from bot.delivery.schedule import due_digests
from bot.knowledge.enrich import MAX_CHARS, Enricher
from bot.models import Enrichment
from bot.store import Store
from bot.store.schema import (
    channel_state,
    deliveries,
    digests,
    facts,
    feeds,
    kv,
    mentions,
    quotes,
    roles,
    stories,
    story_sources,
)
from tests.conftest import make_config
from tests.fakes.feed_server import FeedServer, rss
from tests.fakes.webhook_server import Fault, WebhookServer, webhook_server

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

CYCLES = int(os.environ.get("SITREP_SOAK_CYCLES", "200"))
STEP = timedelta(minutes=30)
FEEDS = 4
WINDOW = 30  # items a feed shows: more than it can publish while it fails, so nothing falls out unseen
SUBJECTS = ["drone swarm trial", "AI targeting review", "autonomous submarine test", "machine learning contract",
            "computer vision upgrade", "AI logistics pilot", "target recognition study", "LLM wargame"]
SERVICES = ["Pentagon", "Army", "Navy", "Air Force", "Marine Corps"]
PER_STORY_TABLES = (story_sources, facts, mentions, quotes, roles)


class NoModelEnricher(Enricher):
    """The real enrichment minus spaCy (facts, summary, quotes, names by their shape): the soak
    is about the bot's plumbing over many cycles, and the model would cost a minute per 600 stories."""

    def enrich(self, batch: Any) -> list[Enrichment]:
        return [self._one(story, story.text[:MAX_CHARS], None) for story in batch]


@dataclass
class SoakFeed:
    """A feed the test publishes to and breaks; it answers conditional GETs like a good server."""

    index: int
    items: list[dict[str, str]] = field(default_factory=list)
    published: list[str] = field(default_factory=list)  # every guid, for the "nothing lost" check
    mode: str = "ok"  # ok | 500 | 503 | hang | bad-xml
    broken_for: int = 0

    def publish(self, n: int, when: datetime, rng: random.Random) -> None:
        guid = f"soak-{self.index}-{n}"
        subject, service = rng.choice(SUBJECTS), rng.choice(SERVICES)
        sentences = [f"The {service} said on {when:%A} that the {subject} number {n} would go ahead.",
                     f"Officials expect the {subject} to cost about {rng.randrange(10, 900)} million dollars.",
                     f"“We will move carefully,” said Colonel Dana Whitcombe, who leads the {subject} work.",
                     "The programme is reviewed every quarter by an independent panel."]
        self.items.insert(0, {"title": f"{service} {subject}: report {self.index}-{n}",
                              "link": f"https://soak{self.index}.example/{n}", "guid": guid,
                              "pubDate": format_datetime(when, usegmt=True), "description": " ".join(sentences)})
        self.published.append(guid)

    async def __call__(self, request: web.Request) -> web.StreamResponse:
        if self.mode in ("500", "503"):
            return web.Response(status=int(self.mode), text="the feed server is having a bad day")
        if self.mode == "hang":
            await asyncio.sleep(5)  # far past the fetcher's total timeout
        if self.mode == "bad-xml":
            return web.Response(body=b"<?xml version='1.0'?><rss><channel><item><title>cut off",
                                content_type="application/rss+xml")
        etag = f'"{self.index}-{len(self.published)}"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(body=rss(self.items[:WINDOW], title=f"Soak feed {self.index}"),
                            headers={"ETag": etag, "Content-Type": "application/rss+xml; charset=utf-8"})


def rss_kb() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def open_fds() -> int:
    return sum(1 for _ in Path("/proc/self/fd").iterdir())


def db_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())


def count(store: Store, table: Any) -> int:
    with store.engine.connect() as c:
        return int(c.execute(select(func.count()).select_from(table)).scalar_one())


@dataclass
class Sample:
    cycle: int
    rss_kb: int
    blocks: int  # memory blocks Python's allocator holds: the heap without SQLite's caches or malloc's arenas
    fds: int
    db_bytes: int
    stories: int
    per_story_rows: int
    other_rows: dict[str, int]


def sample(cycle: int, store: Store, path: Path) -> Sample:
    gc.collect()
    return Sample(cycle, rss_kb(), sys.getallocatedblocks(), open_fds(), db_bytes(path), count(store, stories),
                  sum(count(store, t) for t in PER_STORY_TABLES),
                  {t.name: count(store, t) for t in (feeds, channel_state, kv)})


def config_text(server: FeedServer, hooks: WebhookServer, database: Path) -> str:
    return yaml.safe_dump({
        "storage": {"url": f"sqlite:///{database}"},
        "http": {"connect_timeout": "0.3s", "read_timeout": "0.3s", "total_timeout": "0.5s",
                 "contact": "https://ops.example/sitrep"},
        "poll": {"interval": "20m"},
        "feeds": [{"name": f"soak{i}", "url": server.url(f"/soak/{i}"), "full_text": "never"} for i in range(FEEDS)],
        "channels": [
            {"name": "hourly", "platform": "slack-webhook", "target": hooks.slack_url("T/B/hourly"),
             "schedule": "0 * * * *", "max_items": 50},
            {"name": "evening", "platform": "slack-webhook", "target": hooks.slack_url("T/B/evening"),
             "schedule": "30 18 * * *", "max_items": 50},
        ],
    })


def platform_faults(rng: random.Random) -> list[Fault]:
    """What the platform does to this cycle's first posts: mostly nothing, sometimes a run of refusals."""
    roll = rng.random()
    if roll < 0.08:
        return [Fault(429, "rate_limited", headers={"Retry-After": "30"})]
    if roll < 0.14:
        return [Fault(rng.choice((500, 502, 503)), "internal_error")] * rng.randint(1, 3)
    if roll < 0.17:
        return [Fault(drop=True)]
    return []


def break_feeds(soak: list[SoakFeed], rng: random.Random) -> None:
    for feed in soak:
        if feed.broken_for:
            feed.broken_for -= 1
            if not feed.broken_for:
                feed.mode = "ok"
        elif rng.random() < 0.06:
            feed.mode = rng.choice(("500", "503", "hang", "bad-xml"))
            feed.broken_for = rng.randint(1, 2)


async def test_soak_many_cycles_flat_memory_and_files_nothing_lost_nothing_doubled(tmp_path: Path) -> None:
    rng = random.Random(2026)
    clock = FakeClock(datetime(2026, 3, 2, 0, 5, tzinfo=UTC))
    soak = [SoakFeed(i) for i in range(FEEDS)]
    database = tmp_path / "soak.db"
    published = 0
    samples: list[Sample] = []
    with webhook_server() as hooks:
        async with FeedServer() as server:
            server.record = False  # the fake's own request log would grow with the run and count as ours
            for feed in soak:
                server.route(f"/soak/{feed.index}", feed)
                for _ in range(3):  # what each feed already carried when the bot first read it
                    feed.publish(published, clock.now() - timedelta(hours=1), rng)
                    published += 1
            config = make_config(config_text(server, hooks, database), tmp_path)
            store = Store.open(f"sqlite:///{database}")
            core = Sitrep(config=config, store=store, clock=clock, enricher=NoModelEnricher(config.nlp))
            core.sync_feeds()
            try:
                for cycle in range(CYCLES):
                    clock.advance(STEP)
                    for feed in soak:
                        for _ in range(rng.choice((0, 0, 1, 1, 2))):
                            feed.publish(published, clock.now() - timedelta(minutes=rng.randrange(30)), rng)
                            published += 1
                    break_feeds(soak, rng)
                    hooks.fail_next(*platform_faults(rng))
                    await core.poll()
                    await due_digests(core)
                    await core.deliver()
                    if cycle % 10 == 0 or cycle == CYCLES - 1:
                        samples.append(sample(cycle, store, database))
                # Recovery: everything works again; one more day of schedule and deliveries drains the rest.
                for feed in soak:
                    feed.mode, feed.broken_for = "ok", 0
                hooks.faults.clear()
                for _ in range(48):
                    clock.advance(STEP)
                    await core.poll()
                    await due_digests(core)
                    await core.deliver()
                final = sample(CYCLES, store, database)
                report = check(core, store, soak, hooks, samples, final)
            finally:
                await core.aclose()
    print("\nsoak:", ", ".join(f"{k}={v}" for k, v in report.items()))
    print("soak samples (cycle, RSS MB, fds, stories, Python blocks):",
          " ".join(f"{s.cycle}:{s.rss_kb / 1024:.0f}/{s.fds}/{s.stories}/{s.blocks}" for s in samples))


def check(core: Sitrep, store: Store, soak: list[SoakFeed], hooks: WebhookServer, samples: list[Sample],
          final: Sample) -> dict[str, Any]:
    # --- no story lost: every item a feed published (all within backfill.max_age) is stored ----------------
    with store.engine.connect() as c:
        guids = {r.guid for r in c.execute(select(stories.c.guid))}
        announced = {r.id for r in c.execute(select(stories.c.id).where(stories.c.announce, stories.c.relevant))}
        digest_rows = c.execute(select(digests.c.id, digests.c.channel, digests.c.slot, digests.c.story_ids)).all()
        delivery_rows = c.execute(select(deliveries.c.digest_id, deliveries.c.idempotency_key,
                                         deliveries.c.status, deliveries.c.lease_owner)).all()
    published = [g for feed in soak for g in feed.published]
    lost = sorted(set(published) - guids)
    assert not lost, f"{len(lost)} published items never stored: {lost[:5]}"

    # --- no digest lost or doubled: each slot built once, each message posted once ------------------------
    slots = Counter((r.channel, r.slot) for r in digest_rows)
    assert all(n == 1 for n in slots.values())
    posted = Counter(hooks.keys())
    expected = {r.idempotency_key for r in delivery_rows}
    duplicates = {k: n for k, n in posted.items() if n > 1}
    assert not duplicates, f"posted more than once: {duplicates}"
    assert set(posted) == expected, "posts the outbox does not know, or deliveries never posted"
    assert all(r.status == "sent" for r in delivery_rows), Counter(r.status for r in delivery_rows)
    for channel in ("hourly", "evening"):  # every announced story went to each channel once
        seen = Counter(s for r in digest_rows if r.channel == channel for s in r.story_ids)
        assert not [s for s, n in seen.items() if n > 1], f"{channel}: a story in two digests"
        missing = announced - set(seen)
        assert not missing, f"{channel}: {len(missing)} announced stories in no digest"
    hourly_slots = sorted(r.slot for r in digest_rows if r.channel == "hourly")
    expected_slots = int((core.clock.now() - datetime(2026, 3, 2, 0, 35, tzinfo=UTC)) / timedelta(hours=1))
    assert len(hourly_slots) >= expected_slots * 0.9  # a failing stretch merges slots; most are their own

    # --- flat after warm-up: memory and descriptors, second half against first ---------------------------
    warm = [s for s in samples if s.cycle >= CYCLES // 10]
    first, second = warm[: len(warm) // 2], warm[len(warm) // 2:]
    rss_first, rss_second = max(s.rss_kb for s in first), max(s.rss_kb for s in second)
    assert rss_second <= rss_first * 1.15 + 16 * 1024, (rss_first, rss_second)
    blocks_first, blocks_second = max(s.blocks for s in first), max(s.blocks for s in second)
    assert blocks_second <= blocks_first * 1.10, (blocks_first, blocks_second)  # the fakes' own logs included
    assert max(s.fds for s in second) <= max(s.fds for s in first) + 4
    # --- the database grows with the data: rows and bytes per story steady, bookkeeping constant ------------
    mid = first[-1]
    rows_first = mid.per_story_rows / mid.stories
    rows_last = final.per_story_rows / final.stories
    assert abs(rows_last - rows_first) <= 0.25 * rows_first, (rows_first, rows_last)
    bytes_first = (mid.db_bytes - warm[0].db_bytes) / max(mid.stories - warm[0].stories, 1)
    bytes_second = (final.db_bytes - mid.db_bytes) / max(final.stories - mid.stories, 1)
    assert bytes_second <= bytes_first * 2 + 4096, (bytes_first, bytes_second)
    assert final.other_rows == warm[0].other_rows, (warm[0].other_rows, final.other_rows)
    return {
        "cycles": CYCLES, "published": len(published), "stories": final.stories, "lost": len(lost),
        "digests": len(digest_rows), "posts": sum(posted.values()), "duplicates": len(duplicates),
        "rss_start_mb": round(warm[0].rss_kb / 1024, 1), "rss_end_mb": round(final.rss_kb / 1024, 1),
        "fds_start": warm[0].fds, "fds_end": final.fds,
        "py_blocks_start": warm[0].blocks, "py_blocks_end": final.blocks,
        "db_bytes_per_story_first_half": int(bytes_first), "db_bytes_per_story_second_half": int(bytes_second),
        "db_mb": round(final.db_bytes / 2**20, 2), "rows_per_story": round(rows_last, 2),
        "median_rss_mb": round(statistics.median(s.rss_kb for s in warm) / 1024, 1),
    }
