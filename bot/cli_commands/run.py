"""`sitrep run` and `sitrep poll`: the bot itself, and one poll cycle."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from contextlib import suppress
from typing import Any

import click

from bot import platforms
from bot.app import Sitrep
from bot.cli import State, cli, echo_json, run_async
from bot.logs import setup_logging
from bot.poll import FeedOutcome, PollReport
from bot.ports import ChatAdapter
from bot.render import text
from bot.schedule import build as build_scheduler
from bot.schedule import due_digests

log = logging.getLogger("sitrep")


async def poll_with_progress(core: Sitrep) -> PollReport:
    """One poll; a progress bar on a terminal when there are many feeds to read."""
    due = await asyncio.to_thread(core.store.feeds.due, core.clock.now())
    if len(due) < 20 or not sys.stderr.isatty():
        return await core.poller.poll(due)
    from rich.progress import Progress

    with Progress(transient=True) as progress:
        task = progress.add_task("polling feeds", total=len(due))

        def advance(_: FeedOutcome) -> None:
            progress.advance(task)

        return await core.poller.poll(due, progress=advance)


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
    setup_logging(config.logging, verbose=state.verbose)
    run_async(lambda: _run(state, once))


async def _run(state: State, once: bool) -> None:
    config = state.config
    core = Sitrep.open(config)
    try:
        report = await poll_with_progress(core)
        log.info(summary(report))
        if once:
            await due_digests(core)
            await core.deliver()
            return
        await _first_console_digest(core)
        await _serve(core)
    finally:
        await core.aclose()


async def _first_console_digest(core: Sitrep) -> None:
    """The terminal shows the latest events at start, so `make run` shows the bot working at once."""
    for channel in core.config.channels:
        if channel.platform.value == "console":
            digest = await asyncio.to_thread(core.digest, channel, since=None)
            click.echo(text.digest(digest) + "\n")


async def _serve(core: Sitrep) -> None:
    adapters: list[ChatAdapter] = []
    wanted = {c.platform.value for c in core.config.channels}
    if core.config.slack is not None:
        wanted.add("slack")
    if core.config.discord is not None:
        wanted.add("discord")
    chat = wanted & {"slack", "discord"}
    if not chat or "console" in wanted:
        wanted.add("console")
    for name in sorted(wanted & {"console", "slack", "discord"}):
        adapter = platforms.load(name).adapter(core)
        if adapter is not None:
            adapters.append(adapter)
    scheduler = build_scheduler(core)
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
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
        scheduler.shutdown(wait=False)
        for adapter in reversed(adapters):
            with suppress(Exception):
                await adapter.stop()
        # Finish what was already handed to the outbox before exiting (graceful shutdown).
        with suppress(Exception):
            await asyncio.wait_for(core.deliver(), timeout=10)
