"""`sitrep discord …`: setting up the Discord bot. The work is the Discord plugin's (the core never
imports discord.py); this module only finds it by name and prints what it makes."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import click

from bot import platforms
from bot.cli.group import State, cli, run_async
from bot.config.settings import DiscordConfig
from bot.errors import SitrepError


@runtime_checkable
class InviteLinks(Protocol):
    def invite_url(self, application_id: int, *, guild_id: int | None = None) -> str: ...

    def invite_permissions(self) -> tuple[int, list[str]]: ...

    async def lookup_application_id(self, config: DiscordConfig) -> int: ...


def invite_links() -> InviteLinks:
    plugin = platforms.load("discord")
    if not isinstance(plugin, InviteLinks):
        raise SitrepError("this build's Discord adapter cannot make invite links")
    return plugin


@cli.group(name="discord")
def discord_group() -> None:
    """Set up the Discord bot."""


@discord_group.command("invite-url")
@click.option("--client-id", type=int, default=None,
              help="The application ID (Developer Portal, General Information). "
                   "Default: discord.application_id, else looked up with discord.token.")
@click.option("--guild", "guild_id", type=int, default=None, help="Preselect this server in the invite dialog.")
@click.pass_obj
def invite_url(state: State, client_id: int | None, guild_id: int | None) -> None:
    """Print the link that adds sitrep to a server, with the least permissions it needs."""
    links = invite_links()
    if client_id is None:
        config = state.config
        if config.discord is None:
            raise click.UsageError(f"no --client-id, and {state.config_path} has no discord: section")
        discord_config = config.discord
        client_id = discord_config.application_id or run_async(lambda: links.lookup_application_id(discord_config))
    value, names = links.invite_permissions()
    click.echo(links.invite_url(client_id, guild_id=guild_id))
    click.echo(f"scopes: bot, applications.commands; permissions {value}: {', '.join(names)}", err=True)
