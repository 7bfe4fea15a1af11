"""`sitrep`: the entry point. It imports every command module (importing registers the commands
on the group) and turns sitrep's errors into exit statuses.

Exit status: 0 success, 1 a runtime failure, 2 a usage or config error (before anything starts).
"""

from __future__ import annotations

import click

from bot.cli import admin, discord_setup, following, read, serve  # noqa: F401  (importing registers the commands)
from bot.cli.group import cli
from bot.errors import ConfigError, SitrepError


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

