"""The running Discord bot: log in (which syncs the commands), then keep the gateway connection
in a background task until `stop()`. Interactions arrive over that connection and are answered
by the command tree (adapters/discord/commands.py)."""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress

import aiohttp
import discord

from adapters.discord import discord_config
from adapters.discord.client import AnyClient, build_client
from adapters.discord.commands import SitrepCommands
from adapters.discord.reply import DEFER_AFTER
from bot.app import Sitrep
from bot.errors import SitrepError

log = logging.getLogger(__name__)
STOP_TIMEOUT = 10.0


class DiscordAdapter:
    name = "discord"

    def __init__(self, core: Sitrep, *, client: AnyClient | None = None, defer_after: float = DEFER_AFTER) -> None:
        self.config = discord_config(core)
        self.client = client or build_client(self.config)
        self.commands = SitrepCommands(core, defer_after=defer_after)
        self.commands.install(self.client.tree)
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        try:
            await self.client.login(self.config.token.get_secret_value())
        except discord.LoginFailure as error:
            await self.client.close()
            raise SitrepError(f"Discord refused discord.token: {error}") from None
        except (discord.HTTPException, aiohttp.ClientError, OSError) as error:
            await self.client.close()
            raise SitrepError(f"could not log in to Discord at {self.config.api_url}: {error}") from None
        self._task = asyncio.create_task(self._connect(), name="discord-gateway")

    async def _connect(self) -> None:
        try:
            await self.client.connect(reconnect=True)
        except asyncio.CancelledError:
            raise
        except Exception:  # the bot keeps polling and posting digests over REST; the operator reads why
            log.exception("the Discord gateway connection ended; slash commands are not answered")

    async def stop(self) -> None:
        await self.client.close()
        if self._task is not None:
            with suppress(asyncio.CancelledError, asyncio.TimeoutError):
                await asyncio.wait_for(self._task, STOP_TIMEOUT)
