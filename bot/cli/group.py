"""The `sitrep` click group and what every command shares: the config, once loaded, and output helpers.

Text output is for people; `--format json` is for programs. Command modules import this one;
it imports none of them, so there is no cycle (`bot.cli.main` brings them together).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import click

from bot import __version__
from bot.cards import to_json
from bot.config import Config, load_config
from bot.ops.logs import secret_values, setup_logging

T = TypeVar("T")
log = logging.getLogger("sitrep")
FORMATS_CARD = click.Choice(["text", "json", "markdown"])


class State:
    def __init__(self, config_path: Path, verbose: int) -> None:
        self.config_path = config_path
        self.verbose = verbose
        self._config: Config | None = None

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(self.config_path)
            setup_logging(self._config.logging, verbose=self.verbose, secrets=secret_values(self._config))
        return self._config


def run_async(factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
    return asyncio.run(factory())


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "-c", "config_path", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("config/sitrep.yaml"), envvar="SITREP_CONFIG", show_default=True,
              help="The YAML config file.")
@click.option("--verbose", "-v", count=True, help="More logging (-vv for debug).")
@click.version_option(__version__, prog_name="sitrep")
@click.pass_context
def cli(ctx: click.Context, config_path: Path, verbose: int) -> None:
    """sitrep: AI-and-defense news digests for Slack, Discord and the terminal."""
    setup_logging(None, verbose=verbose)
    ctx.obj = State(config_path, verbose)


def echo_json(data: Any) -> None:
    click.echo(json.dumps(to_json(data), indent=2, ensure_ascii=False))
