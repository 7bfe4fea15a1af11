"""`discord-webhook`: digests posted to a Discord channel webhook as embeds.

Posts use `?wait=true`, so Discord answers with the created message and its id is stored with the
delivery. Webhooks cannot list messages, so a post whose outcome a crash left unknown is posted
again (see bot/delivery/deliverer.py); the id still lets an operator find and delete it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import httpx

from adapters.discord import embeds
from adapters.webhooks.poster import Sleep, WebhookPoster, new_client, webhook_url
from bot.cards import Card, Digest

if TYPE_CHECKING:
    from bot.app import Sitrep
    from bot.config.settings import ChannelConfig

log = logging.getLogger(__name__)

# Discord's JSON error codes that mean the webhook or its channel cannot take posts.
PERMANENT_CODES = {
    10003: "the Discord channel of this webhook no longer exists",
    10015: "the Discord webhook was deleted",
    50001: "the Discord webhook has no access to its channel",
    50013: "the Discord webhook lacks permission to post",
    50027: "the Discord webhook token is invalid",
}


def permanent(response: httpx.Response, said: str) -> str | None:
    try:
        code = response.json().get("code")
    except (ValueError, AttributeError):
        code = None
    if code in PERMANENT_CODES:
        return f"{PERMANENT_CODES[code]} ({response.status_code} {said}); create a webhook and update the target"
    if response.status_code in (401, 403, 404):
        return f"Discord refused the webhook ({response.status_code}: {said}); check the channel's target URL"
    return None


class DiscordWebhookSender:
    def __init__(self, *, client: httpx.AsyncClient, sleep: Sleep | None = None) -> None:
        self.client = client
        self.poster = WebhookPoster("Discord", client=client, permanent=permanent,
                                    **({"sleep": sleep} if sleep else {}))

    async def send(self, channel: ChannelConfig, payload: Any, *, idempotency_key: str) -> str | None:
        response = await self.poster.post(webhook_url(channel), payload, idempotency_key=idempotency_key,
                                          params={"wait": "true"})
        try:
            return str(response.json()["id"])
        except (ValueError, KeyError, TypeError):
            # Posted all the same (2xx): record it as sent, without an id, rather than post it twice.
            log.warning("Discord accepted delivery %s but returned no message id (%d)", idempotency_key,
                        response.status_code)
            return None

    async def aclose(self) -> None:
        await self.client.aclose()


class DiscordWebhookPlugin:
    name = "discord-webhook"

    def render_digest(self, digest: Digest) -> list[Any]:
        return list(embeds.render_digest(digest))

    def render_card(self, card: Card) -> Any:
        return embeds.render_card(card)

    def sender(self, core: Sitrep) -> DiscordWebhookSender:
        return DiscordWebhookSender(client=new_client(core.config.http))

    def adapter(self, core: Sitrep) -> None:
        return None  # a webhook only posts; it cannot hear commands


def plugin() -> DiscordWebhookPlugin:
    return DiscordWebhookPlugin()
