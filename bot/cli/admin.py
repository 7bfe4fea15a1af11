"""Operating sitrep: feeds and their status, config checks, the config schema."""

from __future__ import annotations

import json
from pathlib import Path

import click

from bot.app import Sitrep
from bot.cli.group import State, cli, echo_json
from bot.config import load_config
from bot.config.settings import Config
from bot.ingest import opml
from bot.render import plain


@cli.group(invoke_without_command=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_context
def feeds(ctx: click.Context, fmt: str) -> None:
    """Feeds and their status (ok, failing with the reason, disabled)."""
    if ctx.invoked_subcommand is not None:
        return
    state: State = ctx.obj
    core = Sitrep.open(state.config)
    try:
        card = core.feeds_card()
    finally:
        core.store.close()
    if fmt == "json":
        echo_json(card)
    else:
        click.echo(plain.feeds(card))


@feeds.command("export")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write here, not to stdout.")
@click.pass_obj
def feeds_export(state: State, output: Path | None) -> None:
    """Write every enabled feed as OPML 2.0, for a feed reader or another sitrep."""
    core = Sitrep.open(state.config)
    try:
        rows = core.store.feeds.all(enabled_only=True)
        document = opml.export([opml.OpmlFeed(r.name, r.url, r.topics) for r in rows], title="sitrep feeds",
                               now=core.clock.now())
    finally:
        core.store.close()
    if output is None:
        click.echo(document.decode("utf-8"), nl=False)
    else:
        output.write_bytes(document)
        click.echo(f"wrote {len(rows)} feeds to {output}", err=True)


@feeds.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Say what would be added; change nothing.")
@click.pass_obj
def feeds_import(state: State, path: Path, dry_run: bool) -> None:
    """Add the feeds of an OPML file (as if added by command: `sitrep feeds` lists them, the config is untouched)."""
    found = opml.parse(path.read_bytes())
    core = Sitrep.open(state.config)
    try:
        rows = core.store.feeds.all()
        todo = opml.plan(found, existing_names={r.name for r in rows}, existing_urls={r.url for r in rows},
                         known_topics=set(core.topics.topics))
        if not dry_run:
            for name, feed in todo.add:
                core.store.feeds.add(name=name, url=feed.url, topics=feed.topics, added_by=f"opml:{path.name}",
                                     now=core.clock.now())
    finally:
        core.store.close()
    verb = "would add" if dry_run else "added"
    for name, feed in todo.add:
        click.echo(f"{verb} {name}: {feed.url}")
    for feed, reason in todo.skipped:
        click.echo(f"skipped {feed.name or feed.url}: {reason}", err=True)
    click.echo(f"{len(found)} feeds in {path.name}: {len(todo.add)} {verb}, {len(todo.skipped)} skipped", err=True)


@cli.group()
def config() -> None:
    """Check a config file, or print its JSON Schema."""


@config.command("check")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path), required=False)
@click.pass_obj
def check(state: State, path: Path | None) -> None:
    """Validate a config file (default: --config) and say what it configures."""
    target = path or state.config_path
    loaded = load_config(target)
    click.echo(f"{target}: ok — {len(loaded.feeds)} feeds, {len(loaded.channels)} channels, "
               f"topics: {', '.join(sorted(loaded.topics) or ['ai-defense (built-in)'])}")


@config.command("schema")
def schema() -> None:
    """Print the JSON Schema of the config file (config/schema.json is generated from it)."""
    click.echo(json.dumps(config_schema(), indent=2, ensure_ascii=False))


def config_schema() -> dict[str, object]:
    data = Config.model_json_schema(mode="validation")
    data["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    data["title"] = "sitrep config"
    return data
