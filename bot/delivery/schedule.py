"""Scheduling is wiring: APScheduler calls plain coroutines that tests can call directly.

Jobs: one per feed, due at the feed's persisted `next_due_at` (its interval with jitter, backoff
after failures, what the server asked for), so a restart resumes each feed's own rhythm instead
of polling everything at once; a feed-sync tick adding and removing feed jobs as feeds come and go
(chat commands, config reloads); one cron job per channel with a schedule (in the channel's
timezone); a sweep for digests that had to wait; instant alerts and follow alerts; a start-up
catch-up; a delivery tick draining the outbox; and, when storage.retention is set, a retention job
pruning old stories.
"""

from __future__ import annotations

import asyncio
import logging
import random
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.config.settings import ChannelConfig
from bot.config.types import cron_trigger
from bot.delivery.alerts import alert_job
from bot.delivery.follow_alerts import follow_alert_job
from bot.delivery.quiet import is_quiet
from bot.ops import metrics
from bot.ops.retention import prune

if TYPE_CHECKING:
    from bot.app import Sitrep
    from bot.store import FeedRow

log = logging.getLogger(__name__)
FEED_SYNC_TICK = timedelta(minutes=1)
OVERDUE_SPREAD = timedelta(minutes=2)  # feeds overdue at start are spread over this, not polled in one burst
DELIVERY_TICK = timedelta(seconds=10)
DIGEST_SWEEP = timedelta(minutes=1)  # catches digests that waited (quiet hours, a failing channel)
ALERT_TICK = timedelta(seconds=30)
LOOKBACK = timedelta(days=8)


def trigger(channel: ChannelConfig) -> CronTrigger:
    assert channel.schedule is not None
    made: CronTrigger = cron_trigger(channel.schedule, ZoneInfo(channel.timezone))
    return made


def last_slot(channel: ChannelConfig, now: datetime, *, after: datetime | None) -> datetime | None:
    """The latest scheduled time at or before `now` (and after `after`), or None if none is due.

    Looked for in growing windows back from now (a minute, an hour, a day, LOOKBACK), so a schedule
    that fires every few seconds costs a few steps, not a week of them.
    """
    if channel.schedule is None:
        return None
    cron = trigger(channel)
    floor = max(after, now - LOOKBACK) if after else now - LOOKBACK
    for window in (timedelta(minutes=1), timedelta(hours=1), timedelta(days=1), LOOKBACK):
        start = max(floor, now - window)
        fire = cron.get_next_fire_time(None, start)
        latest = None
        while fire is not None and fire <= now:
            if after is None or fire > after:
                latest = fire
            fire = cron.get_next_fire_time(fire, fire + timedelta(microseconds=1))
        if latest is not None or start <= floor:
            return latest
    return None


async def poll_job(core: Sitrep) -> None:
    """Every due feed at once: what `sitrep poll` and `run --once` do."""
    report = await core.poll()
    if report.feeds:
        log.info("polled %d feeds: %d new stories, %d failed", len(report.feeds), report.new_stories,
                 report.failed)


def feed_job_id(feed_id: int) -> str:
    return f"feed:{feed_id}"


class FeedJobs:
    """One APScheduler job per enabled feed, each due at the feed's persisted next-due time."""

    def __init__(self, core: Sitrep, scheduler: AsyncIOScheduler, *, rng: random.Random | None = None) -> None:
        self.core = core
        self.scheduler = scheduler
        self.rng = rng or random.Random()
        self.running: set[int] = set()  # a feed being polled has no pending job: sync must not add one

    async def run(self, feed_id: int) -> None:
        """Claim the feed, poll it, enrich what it brought, and place its job again at its new next-due time.

        Every instance has a job for every feed; the claim (a lease) lets one of them poll it. The
        others find it taken or no longer due, and look again at its new next-due time, or when the
        lease ends: if the instance holding it died, one of them polls it then.
        """
        store = self.core.store
        now = self.core.clock.now()
        feed = await asyncio.to_thread(store.feeds.claim_one, feed_id, now, owner=self.core.owner,
                                       lease=self.core.config.leases.feed)
        if feed is None:
            current = await asyncio.to_thread(store.feeds.by_id, feed_id)
            if current is not None and current.enabled:
                self.place(feed_id, self.look_again(current, now))
            return  # removed or disabled meanwhile: the job ends with this run
        self.running.add(feed_id)
        try:
            outcome = await self.core.poller.poll_one(feed)
            metrics.feed_polled(outcome.status, outcome.error)
            metrics.stories_stored(outcome.new)
            if outcome.new:
                await self.core.poller.enrich()
                if self.core.poller.take_follow_hits():  # followers hear at once, not at the next tick
                    await follow_alert_job(self.core)
            updated = await asyncio.to_thread(store.feeds.by_id, feed_id)
            if updated is not None and updated.enabled:
                self.place(feed_id, updated.next_due_at)
        finally:
            self.running.discard(feed_id)

    def look_again(self, feed: FeedRow, now: datetime) -> datetime:
        """When to try a feed this instance could not claim: when it is next due, or sooner, when the
        lease of the instance holding it ends (a dead instance's feed is taken over then)."""
        held = feed.lease_expires_at if feed.lease_expires_at and feed.lease_expires_at > now else None
        due = feed.next_due_at if feed.next_due_at and feed.next_due_at > now else None
        if held is None:
            return due or now + timedelta(seconds=1)
        return min(held, due) if due else held

    def place(self, feed_id: int, next_due: datetime | None, *, spread: timedelta = OVERDUE_SPREAD) -> None:
        """(Re)place the feed's job at its next-due time; an overdue feed is spread over a short window
        (`spread`: OVERDUE_SPREAD, or the feed's interval when that is shorter)."""
        now = self.core.clock.now()
        when = next_due or now
        if when <= now:
            when = now + timedelta(seconds=self.rng.uniform(0, min(spread, OVERDUE_SPREAD).total_seconds()))
        self.scheduler.add_job(self.run, DateTrigger(run_date=when), args=[feed_id], id=feed_job_id(feed_id),
                               replace_existing=True, coalesce=True, max_instances=1, misfire_grace_time=3600)

    async def sync(self) -> None:
        """Add the jobs of new feeds, drop those of feeds removed or disabled."""
        feeds = await asyncio.to_thread(self.core.store.feeds.all, enabled_only=True)
        wanted = {feed_job_id(f.id): f for f in feeds}
        existing = {job.id for job in self.scheduler.get_jobs() if job.id.startswith("feed:")}
        for job_id in existing - set(wanted):
            self.scheduler.remove_job(job_id)
        for job_id, feed in wanted.items():
            if job_id not in existing and feed.id not in self.running:
                self.place(feed.id, feed.next_due_at, spread=self.core.poller.interval(feed))


async def digest_job(core: Sitrep, channel: ChannelConfig) -> None:
    """Build the digest for the latest slot that has passed (once, even across restarts) and send it.

    A slot missed while the bot was down is built at the next start: one digest covering the whole
    gap, not one per missed slot. In quiet hours, and while the channel is failing, the digest
    waits (stories keep accumulating) and is built by the sweep once that is over.
    """
    now = core.clock.now()
    if is_quiet(channel, now):
        log.debug("channel %s: a due digest waits for the end of quiet hours", channel.name)
        return
    # Every instance runs this job; the one holding the channel's lease builds, and the slot's unique
    # key in the outbox makes a second build of it (a lease run out mid-build) store nothing.
    async with core.job_lease(f"digest:{channel.name}") as held:
        if not held:
            log.debug("channel %s: another instance is building its digest", channel.name)
            return
        since = await asyncio.to_thread(core.channel_since, channel)
        slot = last_slot(channel, now, after=since)
        if slot is None:
            return
        state = await asyncio.to_thread(core.store.outbox.channel, channel.name)
        if state is not None and state.status == "failing":
            log.debug("channel %s is failing (%s): digest for %s waits", channel.name, state.last_error,
                      slot.isoformat())
            return
        digest_id = await core.queue_digest(channel, since=since, slot=slot.isoformat())
        if digest_id is not None:
            log.info("channel %s: digest %d queued for %s", channel.name, digest_id, slot.isoformat())
    await core.deliver(channel=channel.name)


async def due_digests(core: Sitrep) -> None:
    """Every channel whose scheduled time has passed since its last digest gets one now."""
    for channel in core.config.channels:
        if channel.schedule:
            await digest_job(core, channel)


async def deliver_job(core: Sitrep) -> None:
    await core.deliver()


async def start_job(core: Sitrep) -> None:
    """At start: failing channels get one try at once (a restart is how an operator says "fixed"),
    then digests missed while the bot was down are built, fresh alerts queued, and everything waiting
    is sent."""
    now = core.clock.now()
    for state in await asyncio.to_thread(core.store.outbox.channels):
        if state.status == "failing" and core.config.channel(state.channel) is not None:
            await asyncio.to_thread(core.store.outbox.wake, state.channel, now)
    await due_digests(core)
    await alert_job(core)
    await follow_alert_job(core)
    await core.deliver()


def build(core: Sitrep) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone="UTC")
    common = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}
    feed_jobs = FeedJobs(core, scheduler)
    scheduler.add_job(feed_jobs.sync, IntervalTrigger(seconds=FEED_SYNC_TICK.total_seconds()), id="feeds",
                      next_run_time=core.clock.now(), **common)
    scheduler.add_job(deliver_job, IntervalTrigger(seconds=DELIVERY_TICK.total_seconds()), args=[core],
                      id="deliver", **common)
    scheduler.add_job(start_job, DateTrigger(run_date=core.clock.now()), args=[core], id="start", **common)
    scheduler.add_job(due_digests, IntervalTrigger(seconds=DIGEST_SWEEP.total_seconds()), args=[core],
                      id="digests", **common)
    if any(c.alert_topics for c in core.config.channels):
        scheduler.add_job(alert_job, IntervalTrigger(seconds=ALERT_TICK.total_seconds()), args=[core],
                          id="alerts", **common)
    # Always: people may start following at any time. Hits waiting out quiet hours or a cap go then.
    scheduler.add_job(follow_alert_job, IntervalTrigger(seconds=ALERT_TICK.total_seconds()), args=[core],
                      id="follow-alerts", **common)
    for channel in core.config.channels:
        if channel.schedule:
            scheduler.add_job(digest_job, trigger(channel), args=[core, channel], id=f"digest:{channel.name}",
                              **common)
    add_retention_job(scheduler, core)
    return scheduler


async def finish_running_jobs(scheduler: AsyncIOScheduler, *, grace: float) -> int:
    """Stop starting jobs and wait (up to `grace` seconds) for the running ones; returns how many ran on.

    APScheduler 3's asyncio executor cancels running jobs when the scheduler shuts down. A delivery
    cancelled mid-post may have reached the platform without being marked sent, and would be posted
    again by the next sender: on SIGTERM, let in-flight work finish first.
    """
    if not scheduler.running:
        return 0
    scheduler.pause()
    executor = scheduler._lookup_executor("default")
    running = [f for f in getattr(executor, "_pending_futures", ()) if not f.done()]
    if running:
        log.info("waiting up to %.0fs for %d running job(s) to finish", grace, len(running))
        _, late = await asyncio.wait(running, timeout=grace)
        if late:
            log.warning("%d job(s) still running after %.0fs; they will be cancelled", len(late), grace)
    return len(running)


RETENTION_TICK = timedelta(hours=6)


async def retention_job(core: Sitrep) -> None:
    """Prune stories older than storage.retention (entity profiles stay): see bot.ops.retention."""
    retention = core.config.storage.retention
    if retention is None:
        return
    report = await asyncio.to_thread(prune, core.store, now=core.clock.now(), retention=retention)
    if report.stories:
        log.info("retention: %d stories and %d empty clusters pruned", report.stories, report.clusters)


def add_retention_job(scheduler: AsyncIOScheduler, core: Sitrep) -> None:
    """Schedule pruning when storage.retention is set: soon after start, then every six hours."""
    if core.config.storage.retention is None:
        return
    scheduler.add_job(retention_job, IntervalTrigger(seconds=RETENTION_TICK.total_seconds()), args=[core],
                      id="retention", next_run_time=core.clock.now() + timedelta(minutes=5), coalesce=True,
                      max_instances=1, misfire_grace_time=3600)
