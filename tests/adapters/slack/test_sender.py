"""Scheduled digests to Slack: chat.postMessage through the outbox, Slack's errors, rate limits, duplicates."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.sender import EVENT_TYPE, SlackSender
from bot.app import Sitrep
from bot.clock import FakeClock
from bot.config.settings import ChannelConfig
from bot.delivery.deliverer import LEASE
from bot.ports import DeliveryError
from bot.store import Store
from tests.conftest import make_config
from tests.fakes.slack_api import FakeSlack

CHANNEL = ChannelConfig.model_validate({"name": "team", "platform": "slack", "target": "C0DIGEST"})
PAYLOAD = {"text": "Digest", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "*Digest*"}}],
           "unfurl_links": False, "unfurl_media": False}


def sender(fake: FakeSlack, clock: FakeClock) -> SlackSender:
    client = AsyncWebClient(token=fake.bot_token, base_url=fake.api_url, retry_handlers=[])
    return SlackSender(client, clock=clock)


async def test_a_message_is_posted_with_its_key_in_metadata(fake_slack: FakeSlack, clock: FakeClock) -> None:
    ts = await sender(fake_slack, clock).send(CHANNEL, PAYLOAD, idempotency_key="sitrep-1-0")
    [message] = fake_slack.messages["C0DIGEST"]
    assert ts == message["ts"]
    assert message["blocks"] == PAYLOAD["blocks"] and message["text"] == "Digest"
    assert message["metadata"] == {"event_type": EVENT_TYPE, "event_payload": {"key": "sitrep-1-0"}}
    [call] = fake_slack.called("chat.postMessage")
    assert call.params["unfurl_links"] is False and call.token == fake_slack.bot_token


async def test_a_key_already_in_the_channel_is_not_posted_again(fake_slack: FakeSlack, clock: FakeClock) -> None:
    first = await sender(fake_slack, clock).send(CHANNEL, PAYLOAD, idempotency_key="sitrep-1-0")
    again = await sender(fake_slack, clock).send(CHANNEL, PAYLOAD, idempotency_key="sitrep-1-0")
    other = await sender(fake_slack, clock).send(CHANNEL, PAYLOAD, idempotency_key="sitrep-1-1")
    assert again == first and other != first
    assert len(fake_slack.messages["C0DIGEST"]) == 2
    history = fake_slack.called("conversations.history")
    assert len(history) == 3 and history[0].params["include_all_metadata"] in ("1", "true", True)


async def test_without_history_access_it_posts_and_stops_checking(fake_slack: FakeSlack, clock: FakeClock,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    fake_slack.fail_next("conversations.history", "missing_scope")
    slack = sender(fake_slack, clock)
    assert await slack.send(CHANNEL, PAYLOAD, idempotency_key="k1")
    assert await slack.send(CHANNEL, PAYLOAD, idempotency_key="k2")
    assert len(fake_slack.called("conversations.history")) == 1
    assert len(fake_slack.messages["C0DIGEST"]) == 2
    assert "duplicate checks are off" in caplog.text


@pytest.mark.parametrize("error", ["channel_not_found", "not_in_channel", "is_archived", "invalid_auth",
                                   "account_inactive", "missing_scope", "token_revoked", "invalid_blocks"])
async def test_errors_that_retrying_cannot_fix_are_permanent(fake_slack: FakeSlack, clock: FakeClock,
                                                             error: str) -> None:
    fake_slack.fail_next("chat.postMessage", error)
    with pytest.raises(DeliveryError) as raised:
        await sender(fake_slack, clock).send(CHANNEL, PAYLOAD, idempotency_key="k")
    assert raised.value.permanent and error in str(raised.value)


async def test_a_real_unknown_channel_is_permanent(fake_slack: FakeSlack, clock: FakeClock) -> None:
    gone = ChannelConfig.model_validate({"name": "gone", "platform": "slack", "target": "C0GONE"})
    with pytest.raises(DeliveryError, match="channel_not_found") as raised:
        await sender(fake_slack, clock).send(gone, PAYLOAD, idempotency_key="k")
    assert raised.value.permanent


async def test_429_carries_retry_after(fake_slack: FakeSlack, clock: FakeClock) -> None:
    fake_slack.fail_next("chat.postMessage", "ratelimited", status=429, retry_after=7)
    with pytest.raises(DeliveryError) as raised:
        await sender(fake_slack, clock).send(CHANNEL, PAYLOAD, idempotency_key="k")
    assert not raised.value.permanent and raised.value.retry_after == timedelta(seconds=7)
    assert "C0DIGEST" not in fake_slack.messages


@pytest.mark.parametrize(("status", "body"), [(500, "<html>oops</html>"), (503, {"ok": False, "error": "fatal_error"}),
                                              (200, {"ok": False, "error": "internal_error"})])
async def test_server_trouble_is_transient(fake_slack: FakeSlack, clock: FakeClock, status: int,
                                           body: dict[str, object] | str) -> None:
    fake_slack.fail_next("chat.postMessage", status=status, body=body)
    with pytest.raises(DeliveryError) as raised:
        await sender(fake_slack, clock).send(CHANNEL, PAYLOAD, idempotency_key="k")
    assert not raised.value.permanent and raised.value.retry_after is None


async def test_an_unreachable_slack_is_transient(clock: FakeClock) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = AsyncWebClient(token="xoxb-x", base_url=f"http://127.0.0.1:{port}/api/", retry_handlers=[])
    with pytest.raises(DeliveryError, match="cannot reach Slack") as raised:
        await SlackSender(client, clock=clock).send(CHANNEL, PAYLOAD, idempotency_key="k")
    assert not raised.value.permanent


# --- through the outbox ------------------------------------------------------------------------


@pytest.fixture
async def core(tmp_path: Path, store: Store, clock: FakeClock, fake_slack: FakeSlack) -> AsyncIterator[Sitrep]:
    config = make_config(f"""
channels:
  - {{name: team, platform: slack, target: C0DIGEST, schedule: "0 8 * * *", post_empty: true}}
slack:
  mode: http
  bot_token: {fake_slack.bot_token}
  signing_secret: s
  api_url: {fake_slack.api_url}
""", tmp_path)
    sitrep = Sitrep(config=config, store=store, clock=clock)
    yield sitrep
    await sitrep.aclose()


async def queue(core: Sitrep) -> int:
    channel = core.config.channel("team")
    assert channel is not None
    digest_id = await core.queue_digest(channel, since=None)
    assert digest_id is not None
    return digest_id


async def test_a_scheduled_digest_goes_out_through_the_outbox(core: Sitrep, fake_slack: FakeSlack) -> None:
    digest_id = await queue(core)
    assert await core.deliver() == 1
    [message] = fake_slack.messages["C0DIGEST"]
    [delivery] = core.store.outbox.deliveries_for(digest_id)
    assert delivery.status == "sent" and delivery.message_id == message["ts"]
    assert message["blocks"][0]["type"] == "header"
    assert await core.deliver() == 0


async def test_a_rate_limited_digest_waits_as_long_as_slack_asks(core: Sitrep, fake_slack: FakeSlack,
                                                                 clock: FakeClock) -> None:
    digest_id = await queue(core)
    fake_slack.fail_next("chat.postMessage", "ratelimited", status=429, retry_after=600)
    assert await core.deliver() == 0
    [delivery] = core.store.outbox.deliveries_for(digest_id)
    assert delivery.status == "pending" and delivery.next_attempt_at >= clock.now() + timedelta(seconds=600)
    clock.advance(timedelta(seconds=599))
    assert await core.deliver() == 0
    clock.advance(timedelta(seconds=2))
    assert await core.deliver() == 1
    assert len(fake_slack.messages["C0DIGEST"]) == 1


async def test_an_archived_channel_is_marked_failing_and_its_digest_waits(core: Sitrep,
                                                                          fake_slack: FakeSlack) -> None:
    fake_slack.archived.add("C0DIGEST")
    digest_id = await queue(core)
    assert await core.deliver() == 0
    # Not retried on every tick and not lost: the message waits until someone fixes the channel.
    [delivery] = core.store.outbox.deliveries_for(digest_id)
    assert delivery.status == "pending" and "is_archived" in (delivery.last_error or "")
    state = core.store.outbox.channel("team")
    assert state is not None and state.status == "failing" and "is_archived" in (state.last_error or "")


async def test_a_crash_between_posting_and_marking_does_not_post_twice(core: Sitrep, fake_slack: FakeSlack,
                                                                       clock: FakeClock) -> None:
    digest_id = await queue(core)
    [delivery] = core.store.outbox.deliveries_for(digest_id)
    # The crashed instance: it claimed the delivery, Slack accepted the post, then the process died.
    assert core.store.outbox.claim(delivery.id, owner="crashed", now=clock.now(), lease=LEASE)
    channel = core.config.channel("team")
    assert channel is not None
    posted = await core.sender("slack").send(channel, delivery.payload, idempotency_key=delivery.idempotency_key)
    assert await core.deliver() == 0  # the lease still holds
    clock.advance(LEASE + timedelta(seconds=1))
    assert await core.deliver() == 1
    [after] = core.store.outbox.deliveries_for(digest_id)
    assert after.status == "sent" and after.message_id == posted
    assert len(fake_slack.messages["C0DIGEST"]) == 1
