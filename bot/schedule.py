"""Scheduling is wiring: APScheduler calls plain coroutines that tests can call directly.

Jobs: a poll tick (feeds whose persisted next-due time has passed), one cron job per channel
with a schedule (in the channel's timezone), a sweep for digests that had to wait, instant
alerts, a start-up catch-up, a delivery tick draining the outbox, and, when storage.retention is
set, a retention job pruning old stories.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.alerts import alert_job
from bot.config.models import ChannelConfig
from bot.quiet import is_quiet
from bot.retention import prune

if TYPE_CHECKING:
    from bot.app import Sitrep

log = logging.getLogger(__name__)
POLL_TICK = timedelta(seconds=30)
DELIVERY_TICK = timedelta(seconds=10)
DIGEST_SWEEP = timedelta(minutes=1)  # catches digests that waited (quiet hours, a failing channel)
ALERT_TICK = timedelta(seconds=30)
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
    report = await core.poll()
    if report.feeds:
        log.info("polled %d feeds: %d new stories, %d failed", len(report.feeds), report.new_stories,
                 report.failed)


async def digest_job(core: Sitrep, channel: ChannelConfig) -> None:
    """Build the digest for the latest slot that has passed (once, even across restarts) and send it.

    A slot missed while the bot was down is built at the next start: one digest covering the whole
    gap, not one per missed slot. In quiet hours, and while the channel is failing, the digest
    waits (stories keep accumulating) and is built by the sweep once that is over.
    """
    now = core.clock.now()
    since = core.channel_since(channel)
    slot = last_slot(channel, now, after=since)
    if slot is None:
        return
    if is_quiet(channel, now):
        log.debug("channel %s: digest for %s waits for the end of quiet hours", channel.name, slot.isoformat())
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
    await core.deliver()


def build(core: Sitrep) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone="UTC")
    common = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}
    scheduler.add_job(poll_job, IntervalTrigger(seconds=POLL_TICK.total_seconds()), args=[core], id="poll",
                      next_run_time=core.clock.now(), **common)
    scheduler.add_job(deliver_job, IntervalTrigger(seconds=DELIVERY_TICK.total_seconds()), args=[core],
                      id="deliver", **common)
    scheduler.add_job(start_job, DateTrigger(run_date=core.clock.now()), args=[core], id="start", **common)
    scheduler.add_job(due_digests, IntervalTrigger(seconds=DIGEST_SWEEP.total_seconds()), args=[core],
                      id="digests", **common)
    if any(c.alert_topics for c in core.config.channels):
        scheduler.add_job(alert_job, IntervalTrigger(seconds=ALERT_TICK.total_seconds()), args=[core],
                          id="alerts", **common)
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
    """Prune stories older than storage.retention (entity profiles stay): see bot.retention."""
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
