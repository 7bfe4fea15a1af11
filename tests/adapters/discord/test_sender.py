"""The Discord sender against the fake REST API: posting, deduplication, errors the outbox acts on."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from adapters.discord import plugin
from adapters.discord.embeds import render_digest
from adapters.discord.sender import DiscordSender, nonce
from bot.app import Sitrep
from bot.config.settings import ChannelConfig, Config, Platform
from bot.errors import SitrepError
from bot.ports import DeliveryError
from bot.store import Store
from tests.conftest import make_config
from tests.fakes.digests import hostile_digest, sample_digest
from tests.fakes.discord_api import TOKEN, FakeDiscord
from tests.fakes.limits import discord_hazards

CHANNEL = "645027906669510667"


def channel(target: str = CHANNEL) -> ChannelConfig:
    return ChannelConfig(name="news", platform=Platform.discord, target=target)  # type: ignore[arg-type]


class Sleeps:
    """Records the waits the sender asks for instead of waiting, on a clock the test moves."""

    def __init__(self) -> None:
        self.now = 100.0
        self.waits: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = await FakeDiscord().start()
    server.channels[CHANNEL] = "ok"
    yield server
    await server.close()


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
async def sender(fake: FakeDiscord, sleeps: Sleeps) -> AsyncIterator[DiscordSender]:
    sender = DiscordSender(token=TOKEN, api_url=fake.api_url, sleep=sleeps.sleep, monotonic=sleeps.monotonic)
    yield sender
    await sender.aclose()


async def test_a_digest_is_posted_as_the_bot_with_a_nonce(fake: FakeDiscord, sender: DiscordSender) -> None:
    payloads = render_digest(sample_digest(25))
    ids = [await sender.send(channel(), p, idempotency_key=f"sitrep-1-{i}") for i, p in enumerate(payloads)]
    assert len(set(ids)) == len(payloads) == len(fake.messages) == 3
    assert ids == [m["id"] for m in fake.messages]
    assert not fake.rejected  # every part within Discord's limits
    for request, payload in zip(fake.requests, payloads, strict=True):
        assert request.path == f"/channels/{CHANNEL}/messages"
        assert request.headers["Authorization"] == f"Bot {TOKEN}"
        assert request.headers["User-Agent"].startswith("DiscordBot (")
        assert request.body["embeds"] == payload["embeds"]
        assert request.body["allowed_mentions"] == {"parse": []}
        assert request.body["enforce_nonce"] is True
        assert len(request.body["nonce"]) == 25


async def test_a_retried_delivery_is_deduplicated_by_discord(fake: FakeDiscord, sender: DiscordSender) -> None:
    [payload] = render_digest(sample_digest(1))
    first = await sender.send(channel(), payload, idempotency_key="sitrep-7-0")
    again = await sender.send(channel(), payload, idempotency_key="sitrep-7-0")
    assert first == again and len(fake.messages) == 1
    other = await sender.send(channel(), payload, idempotency_key="sitrep-8-0")
    assert other != first and len(fake.messages) == 2


def test_the_nonce_depends_on_the_payload_too() -> None:
    """Two databases reusing "sitrep-1-0" for different digests must not swallow each other's post."""
    a, b = render_digest(sample_digest(1))[0], render_digest(sample_digest(2))[0]
    assert nonce("sitrep-1-0", a) == nonce("sitrep-1-0", a)
    assert nonce("sitrep-1-0", a) != nonce("sitrep-1-0", b)
    assert nonce("sitrep-1-0", a) != nonce("sitrep-1-1", a)


async def test_mentions_are_forced_off_and_hostile_text_is_inert(fake: FakeDiscord, sender: DiscordSender) -> None:
    for i, payload in enumerate(render_digest(hostile_digest())):
        loud = {**payload, "allowed_mentions": {"parse": ["everyone", "roles", "users"]}}
        await sender.send(channel(), loud, idempotency_key=f"k{i}")
    assert fake.messages and not fake.rejected
    for request in fake.requests:
        assert request.body["allowed_mentions"] == {"parse": []}
        assert not discord_hazards(request.body)


@pytest.mark.parametrize(("state", "target", "status", "words"), [
    ("forbidden", CHANNEL, 403, "Missing Access"),
    (None, "111111111111111111", 404, "Unknown Channel"),
])
async def test_a_channel_the_bot_cannot_use_fails_for_good(fake: FakeDiscord, sender: DiscordSender,
                                                           state: str | None, target: str, status: int,
                                                           words: str) -> None:
    if state:
        fake.channels[target] = state
    with pytest.raises(DeliveryError) as caught:
        await sender.send(channel(target), render_digest(sample_digest(1))[0], idempotency_key="k")
    assert caught.value.permanent
    assert f"{status}: {words}" in str(caught.value)


async def test_a_bad_token_fails_for_good(fake: FakeDiscord) -> None:
    sender = DiscordSender(token="wrong", api_url=fake.api_url)
    with pytest.raises(DeliveryError) as caught:
        await sender.send(channel(), render_digest(sample_digest(1))[0], idempotency_key="k")
    await sender.aclose()
    assert caught.value.permanent and "discord.token" in str(caught.value)


async def test_a_target_that_is_not_an_id_fails_before_any_request(fake: FakeDiscord, sender: DiscordSender) -> None:
    with pytest.raises(DeliveryError, match="channel ID") as caught:
        await sender.send(channel("#general"), render_digest(sample_digest(1))[0], idempotency_key="k")
    assert caught.value.permanent and not fake.requests


@pytest.mark.parametrize(("body", "headers", "seconds"), [
    ({"message": "You are being rate limited.", "retry_after": 1.337, "global": False, "code": 0}, {}, 1.337),
    ({"message": "You are being rate limited."}, {"Retry-After": "7"}, 7.0),
    ({}, {"X-RateLimit-Reset-After": "2.5"}, 2.5),
])
async def test_429_becomes_a_retry_after(fake: FakeDiscord, sender: DiscordSender, body: dict[str, Any],
                                         headers: dict[str, str], seconds: float) -> None:
    fake.script("POST", r"/channels/\d+/messages", 429, body, headers)
    payload = render_digest(sample_digest(1))[0]
    with pytest.raises(DeliveryError) as caught:
        await sender.send(channel(), payload, idempotency_key="k")
    assert not caught.value.permanent
    assert caught.value.retry_after == timedelta(seconds=seconds)
    assert await sender.send(channel(), payload, idempotency_key="k")  # the retry goes through


async def test_a_global_rate_limit_says_so(fake: FakeDiscord, sender: DiscordSender) -> None:
    fake.script("POST", r"/channels/\d+/messages", 429, {"message": "limited", "retry_after": 0.5, "global": True})
    with pytest.raises(DeliveryError, match="global") as caught:
        await sender.send(channel(), render_digest(sample_digest(1))[0], idempotency_key="k")
    assert caught.value.retry_after == timedelta(seconds=0.5)


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_server_errors_are_transient(fake: FakeDiscord, sender: DiscordSender, status: int) -> None:
    fake.script("POST", r"/channels/\d+/messages", status, {"message": "upstream trouble", "code": 0})
    with pytest.raises(DeliveryError) as caught:
        await sender.send(channel(), render_digest(sample_digest(1))[0], idempotency_key="k")
    assert not caught.value.permanent and caught.value.retry_after is None


async def test_an_unreachable_api_is_transient() -> None:
    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sender = DiscordSender(token=TOKEN, api_url=f"http://127.0.0.1:{port}/api/v10")
    with pytest.raises(DeliveryError, match="could not be reached") as caught:
        await sender.send(channel(), render_digest(sample_digest(1))[0], idempotency_key="k")
    await sender.aclose()
    assert not caught.value.permanent


async def test_an_invalid_payload_is_not_retried(fake: FakeDiscord, sender: DiscordSender) -> None:
    with pytest.raises(DeliveryError) as caught:
        await sender.send(channel(), {"content": "x" * 2001, "embeds": []}, idempotency_key="k")
    assert caught.value.permanent and "Invalid Form Body" in str(caught.value)
    with pytest.raises(DeliveryError, match="not a Discord message payload"):
        await sender.send(channel(), "plain text", idempotency_key="k")


async def test_an_exhausted_bucket_is_waited_out_when_short(fake: FakeDiscord, sender: DiscordSender,
                                                            sleeps: Sleeps) -> None:
    fake.headers = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset-After": "1.5", "X-RateLimit-Bucket": "b"}
    payloads = render_digest(sample_digest(25))
    for i, payload in enumerate(payloads):
        await sender.send(channel(), payload, idempotency_key=f"k{i}")
    assert sleeps.waits == [1.5, 1.5]  # before the second and third parts, never a 429
    assert len(fake.messages) == 3


async def test_a_long_bucket_reset_goes_back_to_the_outbox(fake: FakeDiscord, sender: DiscordSender,
                                                           sleeps: Sleeps) -> None:
    fake.headers = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset-After": "30"}
    payloads = render_digest(sample_digest(25))
    await sender.send(channel(), payloads[0], idempotency_key="k0")
    with pytest.raises(DeliveryError) as caught:
        await sender.send(channel(), payloads[1], idempotency_key="k1")
    assert caught.value.retry_after == timedelta(seconds=30) and not caught.value.permanent
    assert len(fake.requests) == 1 and sleeps.waits == []
    sleeps.now += 30
    fake.headers = {}
    assert await sender.send(channel(), payloads[1], idempotency_key="k1")


def test_a_discord_channel_without_a_token_is_a_clear_error(store: Store) -> None:
    config = Config(channels=[channel("1")])  # built in code: the config loader refuses this in YAML
    with pytest.raises(SitrepError, match=r"discord\.token"):
        plugin().sender(Sitrep(config=config, store=store))


def test_the_plugin_sender_uses_the_configured_api(tmp_path: Path, store: Store) -> None:
    config = make_config('discord: {token: abc, api_url: "http://127.0.0.1:9/api/v10/"}\n', tmp_path)
    sender = plugin().sender(Sitrep(config=config, store=store))
    assert isinstance(sender, DiscordSender) and sender.api_url == "http://127.0.0.1:9/api/v10"
