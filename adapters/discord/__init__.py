"""Discord: embed renderers (embeds.py) now; the bot adapter and its sender come with the Discord
issue, which replaces `sender()` and `adapter()` below and adds its own modules."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from adapters.discord import embeds
from bot.cards import Card, Digest
from bot.errors import SitrepError

if TYPE_CHECKING:
    from bot.app import Sitrep
    from bot.ports import ChatAdapter, Sender

NOT_INSTALLED = "the Discord adapter is not installed in this build yet"


class DiscordPlugin:
    name = "discord"

    def render_digest(self, digest: Digest) -> list[Any]:
        return list(embeds.render_digest(digest))

    def render_card(self, card: Card) -> Any:
        return embeds.render_card(card)

    def sender(self, core: Sitrep) -> Sender:
        raise SitrepError(NOT_INSTALLED)

    def adapter(self, core: Sitrep) -> ChatAdapter | None:
        raise SitrepError(NOT_INSTALLED)


def plugin() -> DiscordPlugin:
    return DiscordPlugin()
