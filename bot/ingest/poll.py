"""One poll cycle: fetch due feeds, parse, filter, store, then enrich and cluster what is new.

Every feed's outcome is recorded as its status; nothing a feed does can stop the cycle. An
unchanged feed costs one conditional request and no parse (304, or the same bytes again).
Failures back off exponentially with jitter; after `poll.max_failures` in a row (or at once for
410 Gone) a feed is `failing`, retried every `poll.failing_interval`, its channels are told once a
day, and the first good answer makes it `ok` again.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from bot.clock import Clock
from bot.config.settings import Config
from bot.delivery.deliverer import instance_id
from bot.delivery.notices import notify_failing
from bot.http.fetch import Fetcher, FetchResult
from bot.ingest.deadline import Deadline, poll_deadline
from bot.ingest.intake import Ingester
from bot.ingest.parse_pool import FeedParsers
from bot.ingest.topics import TopicFilter
from bot.knowledge.cluster import Clusterer
from bot.knowledge.enrich import Enricher, StoryText
from bot.models import Enrichment, EntityKind
from bot.ops import metrics
from bot.store import FeedRow, Store
from bot.store.stories import TextRow

log = logging.getLogger(__name__)
ENRICH_BATCH = 32
UNCHANGED_BATCH = 200
CLAIM_BATCH = 32  # feeds claimed per round trip: small enough that instances share a cycle evenly
# Changed feeds between "parse starts" and "stored" at once. Parsing (other cores) outruns the store
# (one writer), and a parsed feed weighs many times its bytes; without this bound every feed in
# flight could sit parsed, waiting for the store. Enough to keep the parsers and the writer busy.
STORE_BACKLOG = 16


@dataclass(slots=True)
class FeedOutcome:
    feed: str
    status: str  # ok | not-modified | unchanged | deferred | failed
    new: int = 0
    seen: int = 0
    error: str | None = None


@dataclass(slots=True)
class PollReport:
    feeds: list[FeedOutcome] = field(default_factory=list)
    enriched: int = 0

    @property
    def new_stories(self) -> int:
        return sum(f.new for f in self.feeds)

    @property
    def failed(self) -> int:
        return sum(f.status == "failed" for f in self.feeds)


Progress = Callable[[FeedOutcome], None]


class Poller:
    def __init__(self, *, config: Config, store: Store, fetcher: Fetcher, clock: Clock,
                 topics: TopicFilter, enricher: Enricher, rng: random.Random | None = None,
                 guarded_fetcher: Fetcher | None = None, owner: str | None = None,
                 parsers: FeedParsers | None = None) -> None:
        self.config = config
        self.owner = owner or instance_id()  # who holds the leases of the feeds this poller claims
        self.store = store
        self.fetcher = fetcher
        self.clock = clock
        self.topics = topics
        self.enricher = enricher
        self.rng = rng or random.Random()
        self.parsers = parsers or FeedParsers()  # changed feeds are parsed on other cores in a busy cycle
        self.clusterer = Clusterer(store.engine, window=config.poll.cluster_window)
        self.topic_names = list(topics.topics)
        self.ingester = Ingester(config=config, store=store, fetcher=fetcher, topics=topics,
                                 guarded_fetcher=guarded_fetcher)
        self._enrich_lock = asyncio.Lock()
        self._backlog = asyncio.Semaphore(STORE_BACKLOG)  # see STORE_BACKLOG: parse only what the store can take
        # During a cycle, 304 answers (most of them) are written in batches instead of one transaction each.
        self._unchanged: list[dict[str, object]] | None = None
        self._unchanged_by: datetime | None = None  # the earliest deadline among the batched feeds
        self._cycles = 0  # cycles running (the batch is shared, and written when the last one ends)
        self.follow_hits = 0  # follows met by stories enriched since `take_follow_hits` last asked

    async def poll_due(self, *, everything: bool = False, progress: Progress | None = None,
                       enrich: bool = True) -> PollReport:
        """Poll every due feed (every enabled one with `everything`) that this instance can claim.

        Feeds are claimed a batch at a time as slots free up, never all at once: several instances
        on one database each take a share of the cycle, and a feed another instance holds is left to
        it. A claim is a lease (`leases.feed`) that recording the feed's outcome ends; a feed is
        claimed at most once per cycle (what it was due by is fixed when the cycle starts).
        """
        started = self.clock.now()
        listed = None
        if everything:
            listed = deque(f.id for f in await asyncio.to_thread(self.store.feeds.all, enabled_only=True))
        report = PollReport()
        # Feeds in flight (fetched, being parsed or stored) are bounded like fetches are, so a cycle over
        # 10,000 feeds holds a few hundred bodies at most, however fast the network answers.
        workers = max(self.config.http.concurrency * 2, 8)
        batch = min(CLAIM_BATCH, workers)
        queue: deque[FeedRow] = deque()
        claiming = asyncio.Lock()
        exhausted = False

        async def claim() -> None:
            nonlocal exhausted
            feeds = self.store.feeds
            lease = self.config.leases.feed
            if listed is None:
                rows = await asyncio.to_thread(feeds.claim, self.clock.now(), owner=self.owner, lease=lease,
                                               limit=batch, due_by=started)
                exhausted = not rows
            else:
                ids = [listed.popleft() for _ in range(min(batch, len(listed)))]
                rows = await asyncio.to_thread(feeds.claim, self.clock.now(), owner=self.owner, lease=lease,
                                               limit=batch, ids=ids, due=False)
                exhausted = not listed
            queue.extend(rows)

        async def next_feed() -> FeedRow | None:
            async with claiming:
                while not queue and not exhausted:
                    await claim()
                return queue.popleft() if queue else None

        async def worker() -> None:
            while (feed := await next_feed()) is not None:
                outcome = await self.poll_one(feed)
                report.feeds.append(outcome)
                if progress:
                    progress(outcome)
                await self._flush_unchanged_if_due()
            await self._flush_unchanged()  # no more feeds for this worker: the others may take long

        self._cycles += 1
        if self._unchanged is None:
            self._unchanged = []
        try:
            await asyncio.gather(*(worker() for _ in range(workers)))
        finally:
            self._cycles -= 1
            await self._flush_unchanged()
            if not self._cycles:
                self._unchanged = None
        if enrich:
            report.enriched = await self.enrich()
        return report

    def close(self) -> None:
        self.parsers.close()

    async def poll_one(self, feed: FeedRow) -> FeedOutcome:
        """poll_feed, with a bug on one feed logged loudly and recorded (as a failure, which ends the
        feed's lease and backs it off) instead of raised."""
        try:
            return await self.poll_feed(feed)
        except Exception as error:  # a bug on one feed must not stop the others
            log.exception("polling %s failed unexpectedly", feed.name)
            reason = f"internal error: {type(error).__name__}"
            now = self.clock.now()
            failures = feed.consecutive_failures + 1
            try:
                await asyncio.to_thread(
                    self.store.feeds.record_failure, feed.id, owner=self.owner, now=now, error=reason, status_code=None,
                    next_due=self.next_due(feed, now, failures=failures,
                                           failing=failures >= self.config.poll.max_failures),
                    max_failures=self.config.poll.max_failures)
            except Exception:
                log.exception("recording the failure of %s failed too; its lease runs out instead", feed.name)
            return FeedOutcome(feed.name, "failed", error=reason)

    async def enrich(self) -> int:
        """Enrichment of everything pending, one runner at a time (per-feed jobs may finish together)."""
        async with self._enrich_lock:
            return await self.enrich_pending()

    def interval(self, feed: FeedRow) -> timedelta:
        return timedelta(seconds=feed.interval_s) if feed.interval_s else self.config.poll.interval

    def next_due(self, feed: FeedRow, now: datetime, *, failures: int = 0, failing: bool = False,
                 server_hint: timedelta | None = None) -> datetime:
        """When to poll next: the interval (or what the server asked, within `poll.max_interval`),
        exponential backoff after failures, the slow retry interval once failing; always jittered."""
        poll = self.config.poll
        interval = self.interval(feed)
        if failing:
            delay = poll.failing_interval
        elif failures:
            delay = min(interval * (2 ** min(failures - 1, 16)), poll.failing_interval)
            delay = delay * self.rng.uniform(0.5, 1.0)  # "equal jitter": failing feeds do not retry in step
        else:
            delay = interval
        if server_hint is not None and server_hint > delay:
            delay = server_hint if failures else min(server_hint, max(poll.max_interval, interval))
        spread = delay.total_seconds() * poll.jitter
        return now + delay + timedelta(seconds=self.rng.uniform(-spread, spread) if spread else 0)

    def deadline(self, feed: FeedRow) -> Deadline:
        """When this poll's network work must end: before the feed's lease does, with room for the writes."""
        lease = self.config.leases.feed
        ends = feed.lease_expires_at or self.clock.now() + lease  # polled unclaimed (a test, a one-off)
        return Deadline(poll_deadline(ends, lease), self.clock)

    async def poll_feed(self, feed: FeedRow) -> FeedOutcome:
        """Fetch, parse and store one claimed feed, all inside its lease (see `deadline`).

        Every outcome is written only while the feed is still this instance's claim, so an instance
        that lost it (a lease that ran out) never overwrites what the next holder recorded."""
        deadline = self.deadline(feed)
        if deadline.passed:
            # Claimed, but its lease is nearly over before a worker reached it: nothing was asked,
            # so it is no failure; it is given back, due now, for whoever claims next.
            await self._write(feed, self.store.feeds.set_next_due, feed.id, self.clock.now(), owner=self.owner)
            return FeedOutcome(feed.name, "deferred", error="its lease ran out before it was reached")
        fetched = await deadline.run(partial(self.ingester.fetcher_for(feed).fetch, feed.url, etag=feed.etag,
                                             last_modified=feed.last_modified))
        result = fetched or FetchResult(feed.url, ok=False, error="no complete answer before its lease ran out")
        now = self.clock.now()
        if not result.ok:
            if result.throttled and result.status_code is None and result.retry_after:
                # Not asked at all: the host asked us to wait (for another of its feeds). Not a failure.
                when = now + result.retry_after + timedelta(seconds=self.rng.uniform(0, 30))
                await self._write(feed, self.store.feeds.set_next_due, feed.id, when, owner=self.owner)
                return FeedOutcome(feed.name, "deferred", error=result.error)
            return await self._failed(feed, result.error or "unknown error", result, now)
        if result.not_modified:
            update = {"id": feed.id, "next_due": self.next_due(feed, now, server_hint=result.retry_after),
                      "status_code": 304, "etag": result.etag or feed.etag,
                      "last_modified": result.last_modified or feed.last_modified}
            if self._unchanged is None:
                await asyncio.to_thread(self.store.feeds.record_not_modified, [update], owner=self.owner, now=now)
            else:
                self._unchanged.append(update)
                self._unchanged_by = min(self._unchanged_by or deadline.at, deadline.at)
                if len(self._unchanged) >= UNCHANGED_BATCH:
                    await self._flush_unchanged()
            return FeedOutcome(feed.name, "not-modified")
        body_hash = hashlib.sha256(result.body).hexdigest()
        if feed.initialized and body_hash == feed.body_hash:
            # The server ignores conditional requests but sent the same bytes: nothing to parse.
            await self._write(feed, self.store.feeds.record_success, feed.id, owner=self.owner, now=now,
                              next_due=self.next_due(feed, now, server_hint=result.retry_after),
                              status_code=result.status_code, etag=result.etag, last_modified=result.last_modified)
            return FeedOutcome(feed.name, "unchanged")
        async with self._backlog:  # a fetched body waits here, unparsed, while the store catches up
            parsed = await self.parsers.parse(result.body, url=feed.url, content_type=result.content_type)
            if not parsed.usable:
                return await self._failed(feed, parsed.problem or "not a feed", result, now)
            ingested = await self.ingester.store_items(feed, parsed.title or feed.name, parsed.items, now, deadline)
            hint = max((h for h in (result.retry_after, parsed.ttl) if h is not None), default=None)
            await self._write(feed, self.store.feeds.record_success, feed.id, owner=self.owner, now=now,
                              next_due=self.next_due(feed, now, server_hint=hint), status_code=result.status_code,
                              etag=result.etag, last_modified=result.last_modified, title=parsed.title,
                              item_count=len(parsed.items), body_hash=body_hash)
            return FeedOutcome(feed.name, "ok", new=ingested.new, seen=ingested.seen, error=parsed.problem)

    async def _write(self, feed: FeedRow, write: Callable[..., bool], *args: Any, **kwargs: Any) -> bool:
        """A feed-state write that holds only while the feed is this instance's claim; says so when it is not."""
        held = await asyncio.to_thread(write, *args, **kwargs)
        if not held:
            log.warning("feed %s: its lease ran out and another instance took it over; that one's result stands",
                        feed.name)
        return held

    async def _flush_unchanged(self) -> None:
        if self._unchanged:
            batch, self._unchanged[:] = list(self._unchanged), []
            self._unchanged_by = None
            await asyncio.to_thread(self.store.feeds.record_not_modified, batch, owner=self.owner,
                                    now=self.clock.now())

    async def _flush_unchanged_if_due(self) -> None:
        """The batched 304s, written before the first of their feeds' deadlines passes (their leases hold till then)."""
        if self._unchanged_by is not None and self.clock.now() >= self._unchanged_by:
            await self._flush_unchanged()

    async def _failed(self, feed: FeedRow, error: str, result: FetchResult, now: datetime) -> FeedOutcome:
        failures = feed.consecutive_failures + 1
        failing = result.gone or failures >= self.config.poll.max_failures
        next_due = self.next_due(feed, now, failures=failures, failing=failing, server_hint=result.retry_after)
        status = await asyncio.to_thread(self.store.feeds.record_failure, feed.id, owner=self.owner, now=now,
                                         next_due=next_due, error=error, status_code=result.status_code,
                                         max_failures=self.config.poll.max_failures, failing_now=result.gone)
        if status is None:
            log.warning("feed %s failed (%s) after its lease ran out; the instance that took it over decides",
                        feed.name, error)
            return FeedOutcome(feed.name, "failed", error=error)
        log.info("feed %s failed (%s), %d in a row, status %s", feed.name, error, failures, status)
        if status == "failing":
            current = await asyncio.to_thread(self.store.feeds.by_id, feed.id)
            if current is not None:
                await asyncio.to_thread(notify_failing, self.store, self.config, current, error, now)
        return FeedOutcome(feed.name, "failed", error=error)

    async def enrich_pending(self) -> int:
        """Enrich every stored story not yet enriched (on the NLP worker), save it, and cluster it.

        Stories are claimed a batch at a time (leases.enrich), so instances sharing a database never
        enrich the same story twice; saving a story ends its claim.

        One story can never stop the others: a batch that fails is retried story by story, a story
        that still fails is saved with no knowledge, and a story whose knowledge cannot be saved is
        saved with less (see `_save`). Each such story is logged with its id and marked, so it is
        not claimed again.
        """
        done = 0
        while True:
            batch = await asyncio.to_thread(self.store.stories.claim_for_enrichment, owner=self.owner,
                                            now=self.clock.now(), lease=self.config.leases.enrich,
                                            limit=ENRICH_BATCH)
            if not batch:
                return done
            relevant = await asyncio.to_thread(self.store.knowledge.relevance, [s.id for s in batch])
            texts = [StoryText(s.title, s.text, relevant.get(s.id, True)) for s in batch]
            errors: list[str | None] = [None] * len(batch)
            try:
                results = await self.enricher.run(texts)
            except Exception:  # one story's text must not stop the others: retry them one at a time
                log.warning("enriching a batch of %d stories failed; retrying one by one", len(batch),
                            exc_info=log.isEnabledFor(logging.DEBUG))
                pairs = [await self._enrich_one(row.id, text) for row, text in zip(batch, texts, strict=True)]
                results, errors = [r for r, _ in pairs], [e for _, e in pairs]
            now = self.clock.now()
            met = []
            for row, enrichment, error in zip(batch, results, errors, strict=True):
                outcome = await asyncio.to_thread(self._save, row, enrichment, error, now)
                if outcome is None:
                    continue
                saved, ids = outcome
                names = [e.name for e in saved.entities if e.kind in (EntityKind.person, EntityKind.org)]
                try:
                    await asyncio.to_thread(self.clusterer.assign, row.id, names, row.published_at or now, now)
                except Exception as failure:  # the story is saved; it only stays out of a cluster
                    log.error("clustering story %s failed (%s: %s); it stays on its own", row.id,
                              type(failure).__name__, failure, exc_info=log.isEnabledFor(logging.DEBUG))
                found = self.store.knowledge.named(saved.entities)
                met.append((row.id, await asyncio.to_thread(self.store.follows.index.match, found, ids)))
            # After clustering, so the follow alert job sees each story's event, never a lone report;
            # one write for the batch's hits.
            try:
                recorded = await asyncio.to_thread(self.store.follows.record_many, met, now=now)
                self.follow_hits += sum(len(r) for r in recorded)
            except Exception as failure:  # the stories are saved; only their follow alerts are lost
                log.error("recording follow hits for %d stories failed (%s: %s)", len(met), type(failure).__name__,
                          _first_line(failure), exc_info=log.isEnabledFor(logging.DEBUG))
            done += len(batch)

    def take_follow_hits(self) -> int:
        """How many follows stories met since the last call (the follow alert job has work if any)."""
        hits, self.follow_hits = self.follow_hits, 0
        return hits

    def _save(self, row: TextRow, enrichment: Enrichment, error: str | None,
              now: datetime) -> tuple[Enrichment, list[int]] | None:
        """Save what was learned from one story, with less if it must be: the enrichment saved with its
        stored entity ids, or None.

        In order: everything; then facts and quotes with their speakers' names but no entities (what
        failed is almost always resolving names against the store); then nothing but the mark. Each
        try is its own transaction, so a failed one leaves nothing half-written. The error goes to the
        log without a traceback (at debug level with one): one story's bad luck is not the operator's
        emergency, and a live bot's log must stay readable.
        """
        knowledge = self.store.knowledge
        bare = Enrichment(summary=enrichment.summary or row.title, facts=enrichment.facts,
                          quotes=enrichment.quotes, entities=[])
        attempts = [enrichment, bare] if enrichment.entities else [enrichment]
        for attempt in attempts:
            try:
                return attempt, knowledge.save(row.id, attempt, published=row.published_at, now=now, error=error)
            except Exception as failure:
                error = f"saving {'knowledge' if attempt.entities else 'facts and quotes'} failed: " \
                        f"{type(failure).__name__}: {_first_line(failure)}"
                log.error("story %s: %s", row.id, error, exc_info=log.isEnabledFor(logging.DEBUG))
                metrics.enrich_failed("save")
        try:
            if knowledge.mark_failed(row.id, error or "not saved", now=now):
                log.error("story %s stored without what was learned from it; it will not be enriched again",
                          row.id)
        except Exception as failure:  # the database itself is failing: the claim runs out and it is tried later
            log.error("story %s could not be marked either (%s: %s); it is tried again when its claim ends",
                      row.id, type(failure).__name__, _first_line(failure), exc_info=log.isEnabledFor(logging.DEBUG))
        return None

    async def _enrich_one(self, story_id: str, text: StoryText) -> tuple[Enrichment, str | None]:
        try:
            return (await self.enricher.run([text]))[0], None
        except Exception as failure:
            log.error("enriching story %s failed (%s: %s); stored without facts, quotes or entities", story_id,
                      type(failure).__name__, _first_line(failure), exc_info=log.isEnabledFor(logging.DEBUG))
            metrics.enrich_failed("enrich")
            error = f"enriching failed: {type(failure).__name__}: {_first_line(failure)}"
            return Enrichment(summary=text.title, facts=[], quotes=[], entities=[]), error


def _first_line(error: BaseException) -> str:
    """An exception's message without the SQL and parameters a database error appends."""
    text = str(error).strip()
    return (text.splitlines()[0] if text else "")[:300]
