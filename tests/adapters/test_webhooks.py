"""slack-webhook and discord-webhook senders against a fake webhook server on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from adapters.discord.embeds import render_digest as discord_digest
from adapters.slack.blocks import render_digest as slack_digest
from adapters.webhooks.discord import DiscordWebhookSender
from adapters.webhooks.slack import SlackWebhookSender
from bot import platforms
from bot.config.settings import ChannelConfig
from bot.ports import DeliveryError
from tests.conftest import make_config
from tests.fakes.digests import sample_digest
from tests.fakes.webhook_server import Fault, WebhookServer, webhook_server

TOKEN = "s3cr3t-t0ken"


@pytest.fixture
def server() -> Iterator[WebhookServer]:
    with webhook_server() as running:
        yield running


def channel(tmp_path: Path, platform: str, url: str) -> ChannelConfig:
    config = make_config(f"channels:\n  - {{name: team, platform: {platform}, target: '{url}'}}\n", tmp_path)
    found = config.channel("team")
    assert found is not None
    return found


async def test_slack_webhook_posts_blocks(server: WebhookServer, tmp_path: Path) -> None:
    sender = SlackWebhookSender(client=httpx.AsyncClient())
    target = channel(tmp_path, "slack-webhook", server.slack_url(f"T1/B1/{TOKEN}"))
    payload = slack_digest(sample_digest(2))[0]
    assert await sender.send(target, payload, idempotency_key="sitrep-1-0") is None
    [post] = server.posts
    assert (post.platform, post.key, post.payload) == ("slack", "sitrep-1-0", payload)
    await sender.aclose()


async def test_discord_webhook_waits_for_the_message_id(server: WebhookServer, tmp_path: Path) -> None:
    sender = DiscordWebhookSender(client=httpx.AsyncClient())
    target = channel(tmp_path, "discord-webhook", server.discord_url(f"99/{TOKEN}") + "?thread_id=7")
    payload = discord_digest(sample_digest(2))[0]
    message_id = await sender.send(target, payload, idempotency_key="sitrep-1-0")
    [post] = server.posts
    assert message_id == post.message_id
    assert post.payload["allowed_mentions"] == {"parse": []}
    await sender.aclose()


@pytest.mark.parametrize(("platform", "fault", "kind", "words"), [
    ("discord-webhook", Fault(429, {"message": "You are being rate limited.", "retry_after": 1.5, "global": False}),
     "retry", "rate limit"),
    ("slack-webhook", Fault(429, "rate_limited", {"Retry-After": "30"}), "retry", "rate limit"),
    ("slack-webhook", Fault(500, "internal_error"), "transient", "server error 500"),
    ("discord-webhook", Fault(503, {"message": "upstream"}, {"Retry-After": "4"}), "retry", "server error 503"),
    ("discord-webhook", Fault(404, {"message": "Unknown Webhook", "code": 10015}), "permanent", "webhook was deleted"),
    ("discord-webhook", Fault(401, {"message": "Invalid Webhook Token", "code": 50027}), "permanent", "token"),
    ("slack-webhook", Fault(404, "no_service"), "permanent", "no longer exists"),
    ("slack-webhook", Fault(410, "channel_is_archived"), "permanent", "archived"),
    ("slack-webhook", Fault(403, "action_prohibited"), "permanent", "restricted"),
    ("slack-webhook", Fault(400, "invalid_blocks"), "rejected", "refused the message"),
    ("discord-webhook", Fault(400, {"message": "Invalid Form Body", "code": 50035}), "rejected", "Invalid Form Body"),
    ("discord-webhook", Fault(record=True, drop=True), "uncertain", "may have arrived"),
])
async def test_errors_are_classified(server: WebhookServer, tmp_path: Path, platform: str, fault: Fault, kind: str,
                                     words: str) -> None:
    plugin = platforms.load(platform)
    url = server.slack_url(f"T/B/{TOKEN}") if platform.startswith("slack") else server.discord_url(f"1/{TOKEN}")
    sender = SlackWebhookSender(client=httpx.AsyncClient()) if platform.startswith("slack") else \
        DiscordWebhookSender(client=httpx.AsyncClient())
    server.fail_next(fault)
    with pytest.raises(DeliveryError) as caught:
        await sender.send(channel(tmp_path, platform, url), plugin.render_digest(sample_digest(1))[0],
                          idempotency_key="k")
    error = caught.value
    assert words in str(error)
    assert TOKEN not in str(error)  # the URL's token never reaches a log line or `sitrep feeds`
    assert error.permanent is (kind == "permanent")
    assert error.rejected is (kind == "rejected")
    assert error.uncertain is (kind == "uncertain")
    if kind == "retry":
        assert error.retry_after is not None and error.retry_after >= timedelta(seconds=1.5)
    await sender.aclose()


async def test_connection_refused_is_transient_and_certain(tmp_path: Path) -> None:
    server = WebhookServer()  # never started, and its socket closed: nobody listens on that port
    url = server.discord_url(f"1/{TOKEN}")
    server.httpd.server_close()
    sender = DiscordWebhookSender(client=httpx.AsyncClient())
    with pytest.raises(DeliveryError) as caught:
        await sender.send(channel(tmp_path, "discord-webhook", url), {"content": "x"}, idempotency_key="k")
    assert "cannot connect" in str(caught.value)
    assert not (caught.value.permanent or caught.value.uncertain or caught.value.rejected)
    await sender.aclose()


async def test_an_empty_bucket_paces_the_next_post(server: WebhookServer, tmp_path: Path) -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    sender = DiscordWebhookSender(client=httpx.AsyncClient(), sleep=sleep)
    target = channel(tmp_path, "discord-webhook", server.discord_url(f"1/{TOKEN}"))
    server.rate_limit_remaining = 0
    await sender.send(target, {"content": "one", "allowed_mentions": {"parse": []}}, idempotency_key="a")
    await sender.send(target, {"content": "two", "allowed_mentions": {"parse": []}}, idempotency_key="b")
    assert len(waits) == 1 and 0 < waits[0] <= 0.5
    await sender.aclose()


def test_plugins_are_found_by_name() -> None:
    for name in ("slack-webhook", "discord-webhook"):
        plugin = platforms.load(name)
        assert plugin.name == name
        assert plugin.render_digest(sample_digest(1))


def test_a_webhook_channel_needs_a_url(tmp_path: Path) -> None:
    from bot.errors import ConfigError

    with pytest.raises(ConfigError, match="webhook URL"):
        make_config("channels:\n  - {name: t, platform: slack-webhook, target: C0123}\n", tmp_path)
