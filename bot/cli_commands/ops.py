"""Operating sitrep: feeds and their status, config checks, the config schema."""

from __future__ import annotations

import json
from pathlib import Path

import click

from bot.app import Sitrep
from bot.cli import State, cli, echo_json
from bot.config import load_config
from bot.config.models import Config
from bot.render import text


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
        click.echo(text.feeds(card))


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
