"""Reading what sitrep knows: stories, whois, news, digests, feeds."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from typing import Any

import click

from bot import platforms
from bot.app import Sitrep
from bot.cards import to_json
from bot.cli.group import FORMATS_CARD, State, cli, echo_json, run_async
from bot.config.settings import ChannelConfig
from bot.delivery.digest import parse_since
from bot.errors import SitrepError
from bot.knowledge.news import news as news_card
from bot.knowledge.whois import whois as whois_card
from bot.models import StoryView
from bot.render import markdown, plain


def open_core(state: State) -> Sitrep:
    return Sitrep.open(state.config)


def story_json(view: StoryView) -> dict[str, Any]:
    """The stories contract (docs/architecture.md, "Contracts"); extra keys are allowed, these must stay."""
    return {
        "id": view.id, "title": view.title, "url": view.url, "source": view.source,
        "sources": [{"name": s.feed, "url": s.url} for s in view.sources],
        "published": view.published.isoformat() if view.published else None,
        "relevant": view.relevant, "topics": view.topics,
        "topic_matches": [{"topic": m.topic, "matched": m.matched, "reasons": m.reasons} for m in view.topic_matches],
        "summary": view.summary, "facts": view.facts,
        "quotes": [{"speaker": q.speaker, "text": q.text, "partial": q.partial} for q in view.quotes],
        "entities": [{"name": name, "kind": kind.value} for name, kind in view.entities],
        "cluster": view.cluster, "cluster_size": view.cluster_size, "announce": view.announce,
    }


@cli.command()
@click.option("--all", "include_all", is_flag=True, help="Include stories the topic filter rejected.")
@click.option("--limit", type=int, default=None)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_obj
def stories(state: State, include_all: bool, limit: int | None, fmt: str) -> None:
    """List stored stories, newest first, with why each was kept or dropped."""
    core = open_core(state)
    try:
        views = core.store.stories.views(include_irrelevant=include_all, limit=limit)
    finally:
        core.store.close()
    if fmt == "json":
        click.echo(json.dumps([story_json(v) for v in views], indent=2, ensure_ascii=False))
        return
    for v in views:
        mark = "+" if v.relevant else "-"
        why = "; ".join(r for m in v.topic_matches for r in m.reasons)
        when = v.published.strftime("%Y-%m-%d") if v.published else "undated"
        click.echo(f"{mark} {when} {v.title} [{v.source}]")
        click.echo(f"    {why}")


@cli.command()
@click.argument("name", nargs=-1, required=True)
@click.option("--format", "fmt", type=FORMATS_CARD, default="text")
@click.pass_obj
def whois(state: State, name: tuple[str, ...], fmt: str) -> None:
    """Who is NAME, according to the news read so far."""
    core = open_core(state)
    try:
        card = whois_card(core.store, " ".join(name), now=core.clock.now())
    finally:
        core.store.close()
    if fmt == "json":
        data = to_json(card)
        echo_json({"query": data["query"], "match": data["match"], "candidates": data["candidates"],
                   "message": data["message"]})
    else:
        click.echo(markdown.render(card) if fmt == "markdown" else plain.render(card))


@cli.command()
@click.argument("query", nargs=-1, required=True)
@click.option("--format", "fmt", type=FORMATS_CARD, default="text")
@click.pass_obj
def news(state: State, query: tuple[str, ...], fmt: str) -> None:
    """Search the stories read so far."""
    core = open_core(state)
    try:
        card = news_card(core.store, " ".join(query))
    finally:
        core.store.close()
    if fmt == "json":
        echo_json(card)
    else:
        click.echo(markdown.render(card) if fmt == "markdown" else plain.render(card))


@cli.command()
@click.option("--channel", help="The channel whose topics and limits to use (default: the first).")
@click.option("--since", default=None, help="24h, 7d, all (default: since the channel's last digest).")
@click.option("--send", is_flag=True, help="Post it to the channel through the outbox.")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json", "slack", "discord"]), default="text")
@click.pass_obj
def digest(state: State, channel: str | None, since: str | None, send: bool, fmt: str) -> None:
    """Print a digest, or post it with --send."""
    config = state.config
    target = config.channel(channel) if channel else (config.channels[0] if config.channels else None)
    if channel and target is None:
        raise click.BadParameter(f"no channel called {channel!r} in {config.source}", param_hint="--channel")
    if send and target is None:
        raise click.UsageError("--send needs a channel; add one under channels: in the config")

    async def go() -> None:
        core = open_core(state)
        try:
            start = core.channel_since(target) if since is None and target else None
            start = start if since is None else parse_since(since, core.clock.now())
            # Without --since this previews the channel's next scheduled digest, flood guard and all;
            # an explicit window shows every relevant story first seen in it.
            announced_only = since is None
            if send:
                assert target is not None
                await send_digest(core, target, start, announced_only=announced_only)
                return
            card = await asyncio.to_thread(core.digest, target, since=start, announced_only=announced_only)
            if fmt == "json":
                echo_json(card)
            elif fmt == "markdown":
                click.echo(markdown.digest(card))
            elif fmt in ("slack", "discord"):
                click.echo(json.dumps(platforms.load(fmt).render_digest(card), indent=2, ensure_ascii=False))
            else:
                click.echo(plain.digest(card))
        finally:
            await core.aclose()

    run_async(go)


async def send_digest(core: Sitrep, target: ChannelConfig, start: datetime | None, *,
                      announced_only: bool = True) -> None:
    """Build, store and post a digest the way a scheduled one goes (the outbox, its retries); what
    cannot be posted now stays queued for `sitrep run`, and the command says why and exits 1."""
    digest_id = await core.queue_digest(target, since=start, announced_only=announced_only)
    assert digest_id is not None  # on-demand digests fill no slot, so they are never a duplicate
    await core.deliver(channel=target.name)
    rows = await asyncio.to_thread(core.store.outbox.deliveries_for, digest_id)
    sent = sum(r.status == "sent" for r in rows)
    if not rows:
        click.echo(f"digest {digest_id} for {target.name}: nothing new to post", err=True)
        return
    click.echo(f"digest {digest_id} queued for {target.name}; {sent} of {len(rows)} message(s) sent", err=True)
    waiting = [r for r in rows if r.status in ("pending", "sending")]
    failed = [r for r in rows if r.status == "failed"]
    if waiting or failed:
        state = await asyncio.to_thread(core.store.outbox.channel, target.name)
        reason = (state.last_error if state and state.last_error else None) or next(
            (r.last_error for r in [*failed, *waiting] if r.last_error), "not sent yet")
        raise SitrepError(f"{len(waiting)} message(s) wait in the outbox and {len(failed)} failed for "
                          f"{target.name}: {reason}" + ("; `sitrep run` sends what waits" if waiting else ""))
