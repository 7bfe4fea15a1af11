"""Discord: slash commands through discord.py's command tree, digests posted over the REST API.

embeds.py renders the core's cards (pure); commands.py and reply.py answer interactions;
sender.py posts scheduled digests for the outbox; invite.py makes the invite link. discord.py is
imported only when the bot or the invite link needs it, so rendering stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from adapters.discord import embeds
from bot.cards import Card, Digest
from bot.errors import SitrepError

if TYPE_CHECKING:
    from adapters.discord.adapter import DiscordAdapter
    from adapters.discord.sender import DiscordSender
    from bot.app import Sitrep
    from bot.config.settings import DiscordConfig


def discord_config(core: Sitrep) -> DiscordConfig:
    if core.config.discord is None:
        raise SitrepError("a discord channel needs a `discord:` section with the bot token (discord.token)")
    return core.config.discord


class DiscordPlugin:
    name = "discord"

    def render_digest(self, digest: Digest) -> list[Any]:
        return list(embeds.render_digest(digest))

    def render_card(self, card: Card) -> Any:
        return embeds.render_card(card)

    def sender(self, core: Sitrep) -> DiscordSender:
        from adapters.discord.sender import DiscordSender

        config = discord_config(core)
        return DiscordSender(token=config.token.get_secret_value(), api_url=config.api_url)

    def adapter(self, core: Sitrep) -> DiscordAdapter:
        from adapters.discord.adapter import DiscordAdapter

        return DiscordAdapter(core)

    def invite_url(self, application_id: int, *, guild_id: int | None = None) -> str:
        from adapters.discord import invite

        return invite.invite_url(application_id, guild_id=guild_id)

    def invite_permissions(self) -> tuple[int, list[str]]:
        from adapters.discord import invite

        return invite.permissions().value, invite.permission_names()

    async def lookup_application_id(self, config: DiscordConfig) -> int:
        from adapters.discord import invite

        return await invite.lookup_application_id(config)


def plugin() -> DiscordPlugin:
    return DiscordPlugin()
