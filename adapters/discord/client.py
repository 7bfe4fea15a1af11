"""The discord.py client sitrep runs: no privileged intents, mentions off, commands synced on login.

Only the `guilds` intent is asked for: slash commands arrive as interactions whatever the intents
(and carry the member's role IDs, which is all the admin check reads). `discord.api_url` becomes discord.py's
REST base (`discord.http.Route.BASE`, process-wide), which is how tests point it at a fake.

Sharding: `discord.shards: auto` runs an AutoShardedClient with the shard count Discord
recommends (GET /gateway/bot); a number runs that many shards; absent, one connection, which
Discord allows up to 2,500 servers. All shards run in this process.
"""

from __future__ import annotations

import logging
from typing import Any, cast

import discord
from discord import app_commands

from bot.config.settings import DiscordConfig

log = logging.getLogger(__name__)


def intents() -> discord.Intents:
    wanted = discord.Intents.none()
    wanted.guilds = True
    return wanted


def client_options() -> dict[str, Any]:
    return {"intents": intents(), "allowed_mentions": discord.AllowedMentions.none(), "max_messages": None,
            "chunk_guilds_at_startup": False}


async def sync_commands(tree: app_commands.CommandTree[Any], guilds: list[int]) -> None:
    """Register the commands with Discord: per guild (instant) when guilds are configured, else
    globally (Discord may take a while to show changes). A guild that refuses is logged, not fatal."""
    if not guilds:
        synced = await tree.sync()
        log.info("synced %d commands globally", len(synced))
        return
    for guild_id in guilds:
        guild = discord.Object(id=guild_id)
        tree.copy_global_to(guild=guild)
        try:
            synced = await tree.sync(guild=guild)
        except discord.Forbidden as error:
            log.error("could not sync commands to guild %d (%s): invite the bot with the applications.commands "
                      "scope there (sitrep discord invite-url)", guild_id, error.text)
            continue
        log.info("synced %d commands to guild %d", len(synced), guild_id)


class _Commands:
    """What both client classes add to discord.py's: the command tree, synced where config says."""

    def __init__(self, *, guilds: list[int], **options: Any) -> None:
        super().__init__(**options)
        self.tree: app_commands.CommandTree[Any] = app_commands.CommandTree(cast(discord.Client, self))
        self.sync_guilds = guilds

    async def setup_hook(self) -> None:
        await sync_commands(self.tree, self.sync_guilds)


class SitrepClient(_Commands, discord.Client):
    async def on_ready(self) -> None:
        log.info("connected to Discord as %s, in %d servers", self.user, len(self.guilds))


class ShardedSitrepClient(_Commands, discord.AutoShardedClient):
    async def on_ready(self) -> None:
        log.info("connected to Discord as %s, in %d servers over %s shards", self.user, len(self.guilds),
                 self.shard_count)


AnyClient = SitrepClient | ShardedSitrepClient


def build_client(config: DiscordConfig) -> AnyClient:
    discord.http.Route.BASE = config.api_url.rstrip("/")
    # sitrep never joins voice: the warnings about missing voice libraries would only alarm operators.
    discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
    if config.shards is None:
        return SitrepClient(guilds=list(config.guilds), **client_options())
    count = None if config.shards == "auto" else config.shards
    return ShardedSitrepClient(guilds=list(config.guilds), shard_count=count, **client_options())
