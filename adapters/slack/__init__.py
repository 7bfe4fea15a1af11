"""Slack: Block Kit renderers (blocks.py) now; the bot adapter and its sender come with the Slack
issue, which replaces `sender()` and `adapter()` below and adds its own modules."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from adapters.slack import blocks
from bot.cards import Card, Digest
from bot.errors import SitrepError

if TYPE_CHECKING:
    from bot.app import Sitrep
    from bot.ports import ChatAdapter, Sender

NOT_INSTALLED = "the Slack adapter is not installed in this build yet"


class SlackPlugin:
    name = "slack"

    def render_digest(self, digest: Digest) -> list[Any]:
        return list(blocks.render_digest(digest))

    def render_card(self, card: Card) -> Any:
        return blocks.render_card(card)

    def sender(self, core: Sitrep) -> Sender:
        raise SitrepError(NOT_INSTALLED)

    def adapter(self, core: Sitrep) -> ChatAdapter | None:
        raise SitrepError(NOT_INSTALLED)


def plugin() -> SlackPlugin:
    return SlackPlugin()
