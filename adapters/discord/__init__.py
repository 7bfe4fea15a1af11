"""Discord: slash commands through discord.py's command tree, digests posted over the REST API.

embeds.py renders the core's cards (pure); commands.py and reply.py answer interactions;
sender.py posts scheduled digests for the outbox. discord.py is imported only when the bot needs
it, so rendering and sending stay cheap.
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
    from bot.config.models import DiscordConfig


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


def plugin() -> DiscordPlugin:
    return DiscordPlugin()
