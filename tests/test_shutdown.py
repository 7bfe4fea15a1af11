"""Graceful shutdown: running jobs (a post in flight) finish before the scheduler stops."""

from __future__ import annotations

import asyncio

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.schedulers.base import STATE_PAUSED

from bot.delivery.schedule import finish_running_jobs


async def settle() -> None:
    """Let the loop run what is ready (callbacks, cancellations) without waiting on the clock."""
    for _ in range(10):
        await asyncio.sleep(0)


async def started_job(scheduler: AsyncIOScheduler, release: asyncio.Event, log: list[str]) -> asyncio.Event:
    started = asyncio.Event()

    async def post() -> None:
        started.set()
        try:
            await release.wait()  # the platform has not answered yet
            log.append("posted and marked sent")
        except asyncio.CancelledError:
            log.append("cancelled mid-post")
            raise

    scheduler.add_job(post, id="deliver")  # no trigger: runs once, now
    scheduler.start()
    await asyncio.wait_for(started.wait(), 5)
    return started


async def test_a_post_in_flight_finishes_before_shutdown() -> None:
    scheduler = AsyncIOScheduler(timezone="UTC")
    release, log = asyncio.Event(), list[str]()
    await started_job(scheduler, release, log)
    waiting = asyncio.create_task(finish_running_jobs(scheduler, grace=10))
    await asyncio.sleep(0)  # let it start waiting: it must not return while the post runs
    assert not waiting.done()
    release.set()  # the platform answers
    assert await asyncio.wait_for(waiting, 5) == 1
    scheduler.shutdown(wait=False)
    assert log == ["posted and marked sent"]


async def test_the_wait_is_bounded() -> None:
    scheduler = AsyncIOScheduler(timezone="UTC")
    release, log = asyncio.Event(), list[str]()
    await started_job(scheduler, release, log)
    assert await finish_running_jobs(scheduler, grace=0.05) == 1  # the platform never answers
    scheduler.shutdown(wait=False)  # APScheduler cancels what is still running
    await settle()
    assert log == ["cancelled mid-post"]


async def test_no_new_jobs_start_while_stopping() -> None:
    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.start()
    assert await finish_running_jobs(scheduler, grace=1) == 0
    ran: list[int] = []
    scheduler.add_job(lambda: ran.append(1), id="late")
    await settle()
    assert scheduler.state == STATE_PAUSED
    assert ran == []  # paused: nothing new begins
    scheduler.shutdown(wait=False)


async def test_a_scheduler_that_never_ran() -> None:
    assert await finish_running_jobs(AsyncIOScheduler(timezone="UTC"), grace=1) == 0
