"""Following on Slack: signed slash commands answered by the core, and follow alerts as direct
messages (conversations.open, then chat.postMessage with the key in metadata, checked in history)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.sender import SlackSender
from bot.app import Sitrep
from bot.clock import FakeClock
from bot.config.settings import ChannelConfig, Config
from bot.delivery import direct
from bot.delivery.follow_alerts import follow_alert_job
from bot.ports import DeliveryError
from tests.adapters.slack.conftest import SlackClient, texts
from tests.fakes.follows import person, report
from tests.fakes.slack_api import FakeSlack

PAYLOAD = {"text": "Alert", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "*Alert*"}}]}


def dm(user: str) -> ChannelConfig:
    channel = direct.channel_for(direct.recipient("slack", user), Config())
    assert channel is not None
    return channel


async def test_follow_following_trending_and_unfollow_as_slack_commands(slack: SlackClient) -> None:
    said = texts((await slack.command("/follow", "Kalinowski", user="U0FAN")).json())
    assert "Following Caitlin Kalinowski — OpenAI's head of robotics" in said and "direct message" in said
    listed = texts((await slack.command("/following", user="U0FAN")).json())
    assert "You follow 1 name" in listed and "Caitlin Kalinowski" in listed
    assert "You follow nobody yet" in texts((await slack.command("/following", user="U0OTHER")).json())
    trending = (await slack.command("/trending", "30d", user="U0FAN")).json()
    assert "Trending: the 30 days to 2026-03" in texts(trending) and "Caitlin Kalinowski" in texts(trending)
    assert any(b.get("type") == "actions" for b in trending["blocks"])  # shareable: it is nobody's own
    following = (await slack.command("/following", user="U0FAN")).json()
    assert not any(b.get("type") == "actions" for b in following["blocks"])  # one's follows are not shared
    assert "No longer following Caitlin Kalinowski" in texts((await slack.command("/unfollow", "Kalinowski",
                                                                                   user="U0FAN")).json())


async def test_a_follow_alert_arrives_as_a_direct_message(slack: SlackClient, fake_slack: FakeSlack) -> None:
    await slack.command("/follow", "Kalinowski", user="U0FAN")
    core = slack.adapter.core
    client = AsyncWebClient(token=fake_slack.bot_token, base_url=fake_slack.api_url, retry_handlers=[])
    now = core.clock.now()
    bot = Sitrep(config=core.config, store=core.store, clock=FakeClock(now),
                 senders={"slack": SlackSender(client, clock=FakeClock(now))})
    try:
        report(core.store, "Kalinowski to testify before Senate panel",
               ["Caitlin Kalinowski will testify on Tuesday about military uses of AI."],
               [person("Caitlin Kalinowski", "Kalinowski")], now=now)
        assert await follow_alert_job(bot) == 1
    finally:
        await bot.fetcher.aclose()
        await bot.guarded_fetcher.client.aclose()
    [opened] = fake_slack.called("conversations.open")
    assert opened.params["users"] == "U0FAN"
    [message] = fake_slack.messages["D0FAN"]
    assert "Kalinowski to testify before Senate panel" in str(message["blocks"])
    assert "will testify on Tuesday" in str(message["blocks"])
    assert "You follow Caitlin Kalinowski" in str(message["blocks"])
    assert message["metadata"]["event_payload"]["key"].startswith("sitrep-")


async def test_a_direct_message_is_posted_once_per_key(fake_slack: FakeSlack, clock: FakeClock) -> None:
    client = AsyncWebClient(token=fake_slack.bot_token, base_url=fake_slack.api_url, retry_handlers=[])
    sender = SlackSender(client, clock=clock)
    first = await sender.send(dm("U0FAN"), PAYLOAD, idempotency_key="sitrep-9-0")
    again = await SlackSender(client, clock=clock).send(dm("U0FAN"), PAYLOAD, idempotency_key="sitrep-9-0")
    assert first == again and len(fake_slack.messages["D0FAN"]) == 1


async def test_someone_who_cannot_get_a_direct_message_parks_the_recipient(fake_slack: FakeSlack,
                                                                           clock: FakeClock) -> None:
    fake_slack.no_dm.add("U0GONE")
    client = AsyncWebClient(token=fake_slack.bot_token, base_url=fake_slack.api_url, retry_handlers=[])
    with pytest.raises(DeliveryError) as refused:
        await SlackSender(client, clock=clock).send(dm("U0GONE"), PAYLOAD, idempotency_key="k")
    assert refused.value.permanent and "user_not_found" in str(refused.value)


async def test_no_access_to_dm_history_leaves_channel_checks_on(fake_slack: FakeSlack, clock: FakeClock) -> None:
    client = AsyncWebClient(token=fake_slack.bot_token, base_url=fake_slack.api_url, retry_handlers=[])
    sender = SlackSender(client, clock=clock)
    fake_slack.fail_next("conversations.history", "missing_scope")
    await sender.send(dm("U0FAN"), PAYLOAD, idempotency_key="k1")
    assert not sender.check_dm_history and sender.check_history
    clock.advance(timedelta(seconds=1))
    channel = ChannelConfig.model_validate({"name": "team", "platform": "slack", "target": "C0DIGEST"})
    await sender.send(channel, PAYLOAD, idempotency_key="k2")
    assert fake_slack.called("conversations.history")[-1].params["channel"] == "C0DIGEST"
