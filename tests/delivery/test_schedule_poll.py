"""Per-feed jobs: each feed at its own persisted next-due time, so a restart does not poll everything at once."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.clock import FakeClock
from bot.delivery.schedule import OVERDUE_SPREAD, FeedJobs, build, feed_job_id
from bot.store import Store
from tests.fakes.feed_server import Feed, FeedServer, rss
from tests.fakes.pollers import core_for, feed

BODY = rss([{"title": "One", "link": "http://news.example/1", "guid": "1"}])


@pytest.fixture
async def server() -> AsyncIterator[FeedServer]:
    async with FeedServer() as running:
        running.route("/f", Feed(BODY))
        yield running


@pytest.fixture
async def scheduler() -> AsyncIterator[AsyncIOScheduler]:
    paused = AsyncIOScheduler(timezone="UTC")
    paused.start(paused=True)  # jobs are stored and inspected, never fired: tests call them directly
    yield paused
    paused.shutdown(wait=False)


def feeds(server: FeedServer, n: int) -> list[dict[str, str]]:
    return [{"name": f"f{i}", "url": server.url("/f"), "interval": "30m"} for i in range(n)]


async def test_one_job_per_feed_at_its_persisted_next_due(tmp_path: Path, store: Store, clock: FakeClock,
                                                          server: FeedServer,
                                                          scheduler: AsyncIOScheduler) -> None:
    async with core_for(tmp_path, store, clock, feeds(server, 4)) as core:
        await core.poller.poll_due(enrich=False)  # every feed now has a next-due time ~30m ahead
        due = {f.id: f.next_due_at for f in core.store.feeds.all()}
        jobs = FeedJobs(core, scheduler, rng=random.Random(1))
        await jobs.sync()
        placed = {job.id: job.next_run_time for job in scheduler.get_jobs()}
        assert placed == {feed_job_id(i): when for i, when in due.items()}
        assert all(when is not None and when > clock.now() + timedelta(minutes=20) for when in placed.values())


async def test_overdue_feeds_are_spread_not_polled_at_once(tmp_path: Path, store: Store, clock: FakeClock,
                                                           server: FeedServer, scheduler: AsyncIOScheduler) -> None:
    async with core_for(tmp_path, store, clock, feeds(server, 20)) as core:
        jobs = FeedJobs(core, scheduler, rng=random.Random(2))
        await jobs.sync()  # new feeds are due now
        times = sorted(job.next_run_time for job in scheduler.get_jobs())
        assert times[0] >= clock.now() and times[-1] <= clock.now() + OVERDUE_SPREAD
        assert times[-1] - times[0] > OVERDUE_SPREAD / 2


async def test_a_job_polls_and_places_itself_again(tmp_path: Path, store: Store, clock: FakeClock,
                                                   server: FeedServer, scheduler: AsyncIOScheduler) -> None:
    async with core_for(tmp_path, store, clock, feeds(server, 1), poll={"jitter": 0.1}) as core:
        jobs = FeedJobs(core, scheduler)
        row = feed(core, "f0")
        await jobs.run(row.id)
        row = feed(core, "f0")
        assert row.status == "ok" and row.last_success_at == clock.now()
        job = scheduler.get_job(feed_job_id(row.id))
        assert job is not None and job.next_run_time == row.next_due_at
        assert timedelta(minutes=27) <= job.next_run_time - clock.now() <= timedelta(minutes=33)
        assert len(server.seen("/f")) == 1


async def test_sync_drops_jobs_of_removed_feeds_and_spares_running_ones(
        tmp_path: Path, store: Store, clock: FakeClock, server: FeedServer, scheduler: AsyncIOScheduler) -> None:
    async with core_for(tmp_path, store, clock, feeds(server, 3)) as core:
        jobs = FeedJobs(core, scheduler)
        await jobs.sync()
        assert len(scheduler.get_jobs()) == 3
        gone = feed(core, "f0")
        core.store.feeds.update_state(gone.id, enabled=False)
        busy = feed(core, "f1")
        scheduler.remove_job(feed_job_id(busy.id))
        jobs.running.add(busy.id)  # as while its poll is in flight
        await jobs.sync()
        assert {job.id for job in scheduler.get_jobs()} == {feed_job_id(feed(core, "f2").id)}
        await jobs.run(gone.id)  # a disabled feed's job ends without polling
        assert server.seen("/f") == []


async def test_build_wires_the_feed_sync_and_keeps_the_other_jobs(tmp_path: Path, store: Store,
                                                                 clock: FakeClock, server: FeedServer) -> None:
    channels = [{"name": "ops", "platform": "console", "schedule": "0 8 * * *"}]
    async with core_for(tmp_path, store, clock, feeds(server, 1), channels=channels) as core:
        scheduler = build(core)
        ids = {job.id for job in scheduler.get_jobs()}
        assert ids == {"feeds", "deliver", "digest:ops", "digests", "start", "follow-alerts"}
