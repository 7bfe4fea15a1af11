"""`slack-webhook`: digests posted to a Slack incoming webhook as Block Kit messages.

Slack's incoming webhooks answer `ok` and no message id, and offer no way to see what was posted,
so a post whose outcome a crash left unknown is posted again (see bot/delivery/deliverer.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

from adapters.slack import blocks
from adapters.webhooks.poster import Sleep, WebhookPoster, new_client, webhook_url
from bot.cards import Card, Digest

if TYPE_CHECKING:
    from bot.app import Sitrep
    from bot.config.settings import ChannelConfig

# Slack's documented webhook errors that mean the channel cannot take posts until someone acts.
PERMANENT = {
    "no_service": "the Slack webhook no longer exists (removed or the app uninstalled)",
    "no_team": "the Slack workspace of this webhook is gone",
    "team_disabled": "the Slack workspace of this webhook is disabled",
    "channel_not_found": "the Slack channel of this webhook was not found",
    "channel_is_archived": "the Slack channel of this webhook is archived",
    "action_prohibited": "a Slack admin restricted posting to this channel",
    "posting_to_general_channel_denied": "only admins may post to this Slack channel",
    "invalid_token": "the Slack webhook token is invalid",
}


def permanent(response: httpx.Response, said: str) -> str | None:
    key = said.strip().split()[0] if said.strip() else ""
    if key in PERMANENT:
        return f"{PERMANENT[key]} ({response.status_code} {key}); create a new incoming webhook and update the target"
    if response.status_code in (401, 403, 404, 410):
        return f"Slack refused the webhook ({response.status_code}: {said}); check the channel's target URL"
    return None


class SlackWebhookSender:
    def __init__(self, *, client: httpx.AsyncClient, sleep: Sleep | None = None) -> None:
        self.client = client
        self.poster = WebhookPoster("Slack", client=client, permanent=permanent,
                                    **({"sleep": sleep} if sleep else {}))

    async def send(self, channel: ChannelConfig, payload: Any, *, idempotency_key: str) -> str | None:
        await self.poster.post(webhook_url(channel), payload, idempotency_key=idempotency_key)
        return None  # incoming webhooks return "ok", not a message id

    async def aclose(self) -> None:
        await self.client.aclose()


class SlackWebhookPlugin:
    name = "slack-webhook"

    def render_digest(self, digest: Digest) -> list[Any]:
        return list(blocks.render_digest(digest))

    def render_card(self, card: Card) -> Any:
        return blocks.render_card(card)

    def sender(self, core: Sitrep) -> SlackWebhookSender:
        return SlackWebhookSender(client=new_client(core.config.http))

    def adapter(self, core: Sitrep) -> None:
        return None  # a webhook only posts; it cannot hear commands


def plugin() -> SlackWebhookPlugin:
    return SlackWebhookPlugin()
