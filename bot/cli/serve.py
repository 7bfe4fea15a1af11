"""`sitrep run` and `sitrep poll`: the bot itself, and one poll cycle."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import stat
import sys
from contextlib import suppress
from typing import Any

import click

from bot import platforms
from bot.app import Sitrep
from bot.cli.group import State, cli, echo_json, run_async
from bot.delivery.follow_alerts import follow_alert_job
from bot.delivery.schedule import build as build_scheduler
from bot.delivery.schedule import due_digests, finish_running_jobs
from bot.ingest.poll import FeedOutcome, PollReport
from bot.ops.health import HealthServer, Readiness
from bot.ops.logs import secret_values, setup_logging
from bot.ports import ChatAdapter

log = logging.getLogger("sitrep")


async def poll_with_progress(core: Sitrep) -> PollReport:
    """One poll of the due feeds this instance claims, through `Sitrep.poll` (which records the
    metrics); a progress bar on a terminal when there are many."""
    if not sys.stderr.isatty():
        return await core.poll()
    due = await asyncio.to_thread(core.store.feeds.due, core.clock.now())
    if len(due) < 20:
        return await core.poll()
    from rich.progress import Progress

    with Progress(transient=True) as progress:
        # The total is what is due now; other instances may take some of it, so the bar may end early.
        task = progress.add_task("polling feeds", total=len(due))

        def advance(_: FeedOutcome) -> None:
            progress.advance(task)

        return await core.poll(progress=advance)


def summary(report: PollReport) -> str:
    return (f"polled {len(report.feeds)} feeds: {report.new_stories} new stories, "
            f"{report.failed} failed, {report.enriched} enriched")


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_obj
def poll(state: State, fmt: str) -> None:
    """Poll every due feed once, then exit."""
    config = state.config

    async def go() -> PollReport:
        core = Sitrep.open(config)
        try:
            return await poll_with_progress(core)
        finally:
            await core.aclose()

    report = run_async(go)
    if fmt == "json":
        echo_json(report)
    else:
        click.echo(summary(report), err=True)


@cli.command()
@click.option("--once", is_flag=True, help="One poll, the digests that are due, then exit.")
@click.pass_obj
def run(state: State, once: bool) -> None:
    """Run the bot: poll on schedule, post digests, answer commands."""
    config = state.config
    setup_logging(config.logging, verbose=state.verbose, secrets=secret_values(config))
    run_async(lambda: _run(state, once))


async def _run(state: State, once: bool) -> None:
    config = state.config
    core = Sitrep.open(config)
    # Not ready until the scheduler runs; alive (and scrapeable) from the start, even during a long first poll.
    readiness = Readiness(core.store, scheduler_running=lambda: False)
    server = None
    try:
        if config.server.enabled and not once:
            server = HealthServer(host=config.server.host, port=config.server.port, readiness=readiness)
            await server.start()
        report = await poll_with_progress(core)
        log.info(summary(report))
        if once:
            await due_digests(core)
            await follow_alert_job(core)
            await core.deliver()
            return
        await _first_console_digest(core)
        await follow_alert_job(core)  # what the first poll brought about followed names, before the prompt
        await _serve(core, readiness)
    finally:
        if server is not None:
            await server.stop()
        await core.aclose()


async def _first_console_digest(core: Sitrep) -> None:
    """The terminal gets its digest at start, so `make run` shows the bot working at once.

    It goes through the outbox like any digest: the channel then counts as served, and the
    scheduler's start-up catch-up does not print the same stories a second time.
    """
    for channel in core.config.channels:
        if channel.platform.value != "console":
            continue
        since = core.channel_since(channel)
        await core.queue_digest(channel, since=since, slot=f"start:{core.clock.now().isoformat()}")
        if not await core.deliver(channel=channel.name):
            when = f" ({since:%Y-%m-%d %H:%M} UTC)" if since else ""
            click.echo(f"No new stories since the last digest{when}; /digest shows the latest.\n")


JOB_GRACE = 20.0  # seconds for running jobs (a post in flight) to finish after SIGTERM
DRAIN_GRACE = 10.0  # then seconds to post what the outbox still holds


def stdin_is_null() -> bool:
    """Whether standard input is closed or /dev/null, as under systemd, Docker without -i, or Kubernetes.

    There the console has nothing to read, and its end of input must not end the service.
    """
    try:
        mode = os.fstat(sys.stdin.fileno()).st_mode
    except (OSError, ValueError, AttributeError):
        return True
    return stat.S_ISCHR(mode) and not sys.stdin.isatty()


async def _serve(core: Sitrep, readiness: Readiness | None = None) -> None:
    adapters: list[ChatAdapter] = []
    wanted = {c.platform.value for c in core.config.channels}
    if core.config.slack is not None:
        wanted.add("slack")
    if core.config.discord is not None:
        wanted.add("discord")
    chat = wanted & {"slack", "discord"}
    if not chat or "console" in wanted:
        wanted.add("console")
    if stdin_is_null():
        wanted.discard("console")  # nothing to read: console channels still print their digests
    for name in sorted(wanted & {"console", "slack", "discord"}):
        adapter = platforms.load(name).adapter(core)
        if adapter is not None:
            adapters.append(adapter)
    scheduler = build_scheduler(core)
    readiness = readiness or Readiness(core.store)
    readiness.scheduler_running = lambda: bool(scheduler.running)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    scheduler.start()
    for adapter in adapters:
        await adapter.start()
    waiters: list[asyncio.Task[Any]] = [asyncio.create_task(stop.wait())]
    console = next((a for a in adapters if a.name == "console"), None)
    if console is not None and not chat:
        # Only the console is listening: its end of input (Ctrl-D, end of a pipe) ends the bot.
        waiters.append(asyncio.create_task(console.finished.wait()))  # type: ignore[attr-defined]
    log.info("sitrep is running")
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        log.info("stopping: finishing running jobs and posts")
        readiness.stopping = True  # /readyz fails at once, so load balancers stop sending work here
        for waiter in waiters:
            waiter.cancel()
        await finish_running_jobs(scheduler, grace=JOB_GRACE)
        scheduler.shutdown(wait=False)
        for adapter in reversed(adapters):
            with suppress(Exception):
                await adapter.stop()
        # Finish what was already handed to the outbox before exiting (graceful shutdown).
        with suppress(Exception):
            await asyncio.wait_for(core.deliver(), timeout=DRAIN_GRACE)
        log.info("stopped")
