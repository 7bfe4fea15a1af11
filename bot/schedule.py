"""Scheduling is wiring: APScheduler calls plain coroutines that tests can call directly.

Jobs: one per feed, due at the feed's persisted `next_due_at` (its interval with jitter, backoff
after failures, what the server asked for), so a restart resumes each feed's own rhythm instead
of polling everything at once; a feed-sync tick adding and removing feed jobs as feeds come and go
(chat commands, config reloads); one cron job per channel with a schedule (in the channel's
timezone); and a delivery tick draining the outbox.
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

from bot.config.models import ChannelConfig

if TYPE_CHECKING:
    from bot.app import Sitrep

log = logging.getLogger(__name__)
FEED_SYNC_TICK = timedelta(minutes=1)
OVERDUE_SPREAD = timedelta(minutes=2)  # feeds overdue at start are spread over this, not polled in one burst
DELIVERY_TICK = timedelta(seconds=15)
LOOKBACK = timedelta(days=8)


def trigger(channel: ChannelConfig) -> CronTrigger:
    assert channel.schedule is not None
    return CronTrigger.from_crontab(channel.schedule, timezone=ZoneInfo(channel.timezone))


def last_slot(channel: ChannelConfig, now: datetime, *, after: datetime | None) -> datetime | None:
    """The latest scheduled time at or before `now` (and after `after`), or None if none is due."""
    if channel.schedule is None:
        return None
    cron = trigger(channel)
    start = max(after, now - LOOKBACK) if after else now - LOOKBACK
    fire = cron.get_next_fire_time(None, start)
    latest = None
    while fire is not None and fire <= now:
        if after is None or fire > after:
            latest = fire
        fire = cron.get_next_fire_time(fire, fire + timedelta(seconds=1))
    return latest


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
        """Poll one feed, enrich what it brought, and place its job again at its new next-due time."""
        feed = await asyncio.to_thread(self.core.store.feeds.by_id, feed_id)
        if feed is None or not feed.enabled:
            return  # removed or disabled meanwhile: the job ends with this run
        self.running.add(feed_id)
        try:
            outcome = await self.core.poller.poll_one(feed)
            if outcome.new:
                await self.core.poller.enrich()
            updated = await asyncio.to_thread(self.core.store.feeds.by_id, feed_id)
            if updated is not None and updated.enabled:
                self.place(feed_id, updated.next_due_at)
        finally:
            self.running.discard(feed_id)

    def place(self, feed_id: int, next_due: datetime | None) -> None:
        """(Re)place the feed's job at its next-due time; an overdue feed is spread over a short window."""
        now = self.core.clock.now()
        when = next_due or now
        if when <= now:
            when = now + timedelta(seconds=self.rng.uniform(0, OVERDUE_SPREAD.total_seconds()))
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
                self.place(feed.id, feed.next_due_at)


async def digest_job(core: Sitrep, channel: ChannelConfig) -> None:
    """Build the digest for the slot that just fired (once, even across restarts) and send it."""
    now = core.clock.now()
    since = core.channel_since(channel)
    slot = last_slot(channel, now, after=since)
    if slot is None:
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


def build(core: Sitrep) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone="UTC")
    common = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}
    feed_jobs = FeedJobs(core, scheduler)
    scheduler.add_job(feed_jobs.sync, IntervalTrigger(seconds=FEED_SYNC_TICK.total_seconds()), id="feeds",
                      next_run_time=core.clock.now(), **common)
    scheduler.add_job(deliver_job, IntervalTrigger(seconds=DELIVERY_TICK.total_seconds()), args=[core],
                      id="deliver", **common)
    for channel in core.config.channels:
        if channel.schedule:
            scheduler.add_job(digest_job, trigger(channel), args=[core, channel], id=f"digest:{channel.name}",
                              **common)
    return scheduler
