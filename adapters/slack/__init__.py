"""Slack: Block Kit renderers (blocks.py), the bot (adapter.py: Socket Mode or HTTP mode), slash
commands and the share button (commands.py, interactive.py), and the digest sender (sender.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from adapters.slack import blocks
from bot.cards import Card, Digest
from bot.errors import SitrepError

if TYPE_CHECKING:
    from adapters.slack.adapter import SlackAdapter
    from adapters.slack.sender import SlackSender
    from bot.app import Sitrep

NOT_CONFIGURED = "a channel uses platform slack, but there is no slack: section with a bot_token (see docs/slack.md)"


class SlackPlugin:
    name = "slack"

    def render_digest(self, digest: Digest) -> list[Any]:
        return list(blocks.render_digest(digest))

    def render_card(self, card: Card) -> Any:
        return blocks.render_card(card)

    def sender(self, core: Sitrep) -> SlackSender:
        # Imported here so rendering (`sitrep digest --format slack`) never loads the Slack SDK.
        from adapters.slack.adapter import web_client
        from adapters.slack.sender import SlackSender

        if core.config.slack is None:
            raise SitrepError(NOT_CONFIGURED)
        return SlackSender(web_client(core.config.slack), clock=core.clock)

    def adapter(self, core: Sitrep) -> SlackAdapter:
        from adapters.slack.adapter import SlackAdapter

        if core.config.slack is None:
            raise SitrepError(NOT_CONFIGURED)
        return SlackAdapter(core)


def plugin() -> SlackPlugin:
    return SlackPlugin()
