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
    from adapters.discord.sender import DiscordSender
    from bot.app import Sitrep
    from bot.config.models import DiscordConfig
    from bot.ports import ChatAdapter


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

    def adapter(self, core: Sitrep) -> ChatAdapter | None:
        raise SitrepError("the Discord bot adapter is not installed in this build yet")


def plugin() -> DiscordPlugin:
    return DiscordPlugin()
