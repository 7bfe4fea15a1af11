"""Trending, /whois timelines and the follow check on the big store: 100,000 stories and 20,000
people and organisations (the /whois bench's store, tests/bench/bench_whois.py).

- trending.p50_ms / trending.p99_ms: `/trending` over 24h, 7d and 30d windows as users ask it: the
  window ends with the newest story and the knowledge base changed before every question (so the
  days still receiving news are counted again); the whole answer (counts, ranking, sparklines).
  trending.cold_*: the first question after a start (nothing cached), at random moments of the
  store's 16 months.
- timeline.p50_ms / timeline.p99_ms: the whole `/whois` card, now with its timeline and weekly
  mentions, for names as users ask them (busy and quiet people, organisations).
- follow.check_ms_per_story_10k: what the follow check adds to each enriched story with 10,000
  follows held by 2,000 people and channels (a fifth made before their name was in the news;
  follows lean to names in the news, so most stories meet several), measured as the poller runs
  it: each story of a batch matched, then the batch's hits written in one transaction. Measured
  after a first pass in which the waiting follows meet their names (a few queries each, once):
  follow.first_pass_ms_per_story_10k. The p99 is over batches (per story).
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.ingest.poll import ENRICH_BATCH
from bot.knowledge.trending import trending
from bot.knowledge.whois import whois
from bot.models import EntityKind, ExtractedEntity
from bot.store import Store
from bot.store.follows import Target
from bot.store.knowledge_write import Writer
from tests.bench.bench_whois import PER_STORY, build
from tests.bench.bench_whois import queries as whois_queries

START = datetime(2024, 1, 1, tzinfo=UTC)
SPAN = timedelta(minutes=7 * 100_000)  # the bench store's stories, one every seven minutes
TRENDING_QUERIES = 300
FOLLOWS = 10_000
FOLLOWERS = 2_000
CHECKED_STORIES = 3_000
WARM_UP = 60  # batches


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return round(ordered[max(0, int(len(ordered) * 0.99) - 1)], 2)


def bench_trending(store: Store, rng: random.Random) -> dict[str, float | int | str]:
    """As users ask it (the window ends with the newest story, and the bot keeps reading between
    questions), and cold (the first question after a start, at any point of the store's history)."""
    newest = START + SPAN
    trending(store, "7d", now=newest)  # loads the name index and the days once, as the first question does
    warm, cold, cpu = [], [], []
    found = 0
    for n in range(TRENDING_QUERIES):
        with store.engine.begin() as c:  # the bot read a story since the last question
            Writer(c).bump_version(newest)
        window = ("24h", "7d", "30d")[n % 3]
        started, cpu_started = time.perf_counter(), time.process_time()
        card = trending(store, window, now=newest + timedelta(minutes=n))
        warm.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
        found += len(card.trends)
    for n in range(TRENDING_QUERIES // 3):
        store.trends.forget()
        window = ("24h", "7d", "30d")[n % 3]
        started = time.perf_counter()
        trending(store, window, now=START + SPAN * rng.uniform(0.2, 1.0))
        cold.append((time.perf_counter() - started) * 1000)
    return {"trending.p50_ms": round(statistics.median(warm), 2), "trending.p99_ms": p99(warm),
            "trending.p99_cpu_ms": p99(cpu),  # beside wall time, on a shared machine
            "trending.cold_p50_ms": round(statistics.median(cold), 2), "trending.cold_p99_ms": p99(cold),
            "trending.queries": f"{TRENDING_QUERIES} as asked (24h, 7d, 30d; the knowledge base changed before "
                                f"each), {TRENDING_QUERIES // 3} cold; {found} trends answered"}


def bench_timeline(store: Store, rng: random.Random, people: list[str], orgs: list[str]
                   ) -> dict[str, float | int | str]:
    asked = whois_queries(rng, people, orgs)
    now = START + SPAN
    times, cpu = [], []
    lines = 0
    for query in asked:
        started, cpu_started = time.perf_counter(), time.process_time()
        card = whois(store, query, now=now)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
        lines += len(card.match.timeline) if card.match else 0
    return {"timeline.p50_ms": round(statistics.median(times), 2), "timeline.p99_ms": p99(times),
            "timeline.p99_cpu_ms": p99(cpu),
            "timeline.queries": f"{len(asked)} whois answers with timelines ({lines} timeline lines)"}


def bench_follow_check(store: Store, rng: random.Random, people: list[str], orgs: list[str]
                       ) -> dict[str, float | int | str]:
    names = [(n, EntityKind.person) for n in people] + [(n, EntityKind.org) for n in orgs]
    now = START + SPAN
    # Follows lean towards names in the news, as readers' do; a fifth are names not resolved yet.
    weights = [1.0 / (rank + 1) ** 0.5 for rank in range(len(names))]
    chosen: set[tuple[str, int]] = set()
    while len(chosen) < FOLLOWS:
        index = rng.choices(range(len(names)), weights=weights)[0]
        follower = f"dm:slack:U{rng.randrange(FOLLOWERS):05d}"
        chosen.add((follower, index))
    for n, (follower, index) in enumerate(sorted(chosen)):
        name, kind = names[index]
        if n % 5 == 0:
            store.follows.add(follower, Target(name.split()[-1], name.split()[-1]), origin="command", now=now)
        else:
            store.follows.add(follower, Target(name, name, index + 1, kind.value), origin="command", now=now)
    assert len(store.follows.index) == FOLLOWS
    # As the poller runs it: each story of an enrichment batch matched, then one write for the batch.
    # The first pass is where the unresolved follows meet their names (a few queries each, once);
    # the figure is the steady state after it, both are reported.
    first, _, first_hits = measure_checks(store, rng, names, weights, WARM_UP, now, offset=0)
    per_story, cpu, hits = measure_checks(store, rng, names, weights, CHECKED_STORIES // ENRICH_BATCH, now,
                                     offset=WARM_UP * ENRICH_BATCH)
    stories = len(per_story) * ENRICH_BATCH
    return {"follow.check_ms_per_story_10k": round(statistics.mean(per_story), 3),
            "follow.check_p99_ms_per_story_10k": p99(per_story),
            "follow.check_cpu_ms_per_story_10k": round(statistics.mean(cpu), 3),
            "follow.first_pass_ms_per_story_10k": round(statistics.mean(first), 3),
            "follow.check_stories": f"{stories} stories in batches of {ENRICH_BATCH} against {FOLLOWS} follows, "
                                    f"{hits} hits written ({hits / stories:.1f} a story), after a first pass of "
                                    f"{WARM_UP * ENRICH_BATCH} stories ({first_hits} hits)"}


def measure_checks(store: Store, rng: random.Random, names: list[tuple[str, EntityKind]], weights: list[float],
                   batches: int, now: datetime, *, offset: int) -> tuple[list[float], list[float], int]:
    per_story: list[float] = []
    cpu: list[float] = []
    hits = 0
    for batch in range(batches):
        met = []
        elapsed = spent = 0.0
        for n in range(ENRICH_BATCH):
            picked = sorted(set(rng.choices(range(len(names)), weights=weights, k=PER_STORY)))
            found = [ExtractedEntity(names[i][0], names[i][1], {names[i][0].split()[-1]}) for i in picked]
            started, cpu_started = time.perf_counter(), time.process_time()
            met.append((f"s{offset + batch * ENRICH_BATCH + n}",
                        store.follows.index.match(found, [i + 1 for i in picked])))
            elapsed += time.perf_counter() - started
            spent += time.process_time() - cpu_started
        started, cpu_started = time.perf_counter(), time.process_time()
        hits += sum(len(m) for m in store.follows.record_many(met, now=now))
        elapsed += time.perf_counter() - started
        spent += time.process_time() - cpu_started
        per_story.append(elapsed * 1000 / ENRICH_BATCH)
        cpu.append(spent * 1000 / ENRICH_BATCH)
    return per_story, cpu, hits


def run(folder: str | None = None) -> dict[str, float | int | str]:
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as scratch:
        store = Store.open(f"sqlite:///{Path(folder or scratch) / 'bench.db'}")
        people, orgs = build(store, rng)
        figures = {**bench_trending(store, rng), **bench_timeline(store, rng, people, orgs),
                   **bench_follow_check(store, rng, people, orgs)}
        store.close()
    return figures


if __name__ == "__main__":
    print(run())
