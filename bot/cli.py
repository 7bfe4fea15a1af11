"""The `sitrep` command line. Text output is for people; `--format json` is for programs.

Exit status: 0 success, 1 a runtime failure, 2 a usage or config error (before anything starts).
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
from bot.errors import ConfigError, SitrepError
from bot.logs import secret_values, setup_logging

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


# Commands live in their own modules, grouped by what they do; importing registers them.
from bot.cli_commands import content, discord, ops, run  # noqa: E402,F401


def main(argv: list[str] | None = None) -> int:
    try:
        cli.main(args=argv, prog_name="sitrep", standalone_mode=False)
    except ConfigError as error:
        click.echo(f"config error: {error}" if "\n" not in str(error) else f"config errors:\n{error}", err=True)
        return 2
    except click.exceptions.Exit as done:
        return int(done.exit_code or 0)
    except click.ClickException as error:
        error.show()
        return error.exit_code
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return 130
    except SitrepError as error:
        click.echo(f"error: {error}", err=True)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0

