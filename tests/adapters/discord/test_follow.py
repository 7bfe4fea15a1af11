"""Following on Discord: documented interaction payloads through the real command tree, and follow
alerts as direct messages (Create DM, then Create Message with a nonce)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from adapters.discord.adapter import DiscordAdapter
from adapters.discord.sender import DiscordSender
from bot.app import Sitrep
from bot.config.settings import Config
from bot.delivery import direct
from bot.delivery.follow_alerts import follow_alert_job
from bot.ports import DeliveryError
from tests.fakes.discord_api import EPHEMERAL, TOKEN, USER_ID, FakeDiscord, callback_path, option, slash
from tests.fakes.follows import person, report

pytestmark = pytest.mark.slow  # the demo feeds are polled once per session

PAYLOAD = {"content": "alert", "embeds": [], "allowed_mentions": {"parse": []}}


@pytest.fixture
async def bot(core: Sitrep, fake: FakeDiscord) -> AsyncIterator[DiscordAdapter]:
    adapter = DiscordAdapter(core, defer_after=30.0)
    await adapter.client.login(fake.token)
    yield adapter
    await adapter.client.close()


async def invoke(bot: DiscordAdapter, fake: FakeDiscord, payload: dict[str, Any]) -> dict[str, Any]:
    bot.client._connection.parse_interaction_create(payload)  # type: ignore[arg-type]
    [callback] = await fake.wait_for(lambda r: r.path == callback_path(payload))
    assert isinstance(callback.body, dict)
    return callback.body


def said(callback: dict[str, Any]) -> str:
    data = callback["data"]
    return "\n".join([data.get("content") or ""] + [f"{e.get('title', '')}\n{e.get('description', '')}"
                                                   for e in data.get("embeds", [])]).replace("\\", "")


async def test_follow_following_trending_unfollow(bot: DiscordAdapter, fake: FakeDiscord) -> None:
    followed = await invoke(bot, fake, slash("follow", [option("name", "Kalinowski")]))
    assert "Following Caitlin Kalinowski" in said(followed) and followed["data"]["flags"] & EPHEMERAL
    listed = await invoke(bot, fake, slash("following"))
    assert "You follow 1 name" in said(listed) and "Caitlin Kalinowski" in said(listed)
    other = await invoke(bot, fake, slash("following", user_id=USER_ID + 1))
    assert "You follow nobody yet" in said(other)
    trending = await invoke(bot, fake, slash("trending", [option("window", "30d")]))
    assert "Trending: the 30 days to 2026-03" in said(trending) and "Caitlin Kalinowski" in said(trending)
    completed = await invoke(bot, fake, slash("unfollow", [option("name", "cai", focused=True)], autocomplete=True))
    assert [c["value"] for c in completed["data"]["choices"]] == ["Caitlin Kalinowski"]
    nobody = await invoke(bot, fake, slash("unfollow", [option("name", "", focused=True)], autocomplete=True,
                                           user_id=USER_ID + 1))
    assert nobody["data"]["choices"] == []  # another member sees none of your follows
    gone = await invoke(bot, fake, slash("unfollow", [option("name", "Caitlin Kalinowski")]))
    assert "No longer following Caitlin Kalinowski" in said(gone)
    assert not fake.rejected


async def test_a_follow_alert_arrives_as_a_direct_message(bot: DiscordAdapter, core: Sitrep,
                                                          fake: FakeDiscord) -> None:
    await invoke(bot, fake, slash("follow", [option("name", "Kalinowski")]))
    report(core.store, "Kalinowski to testify before Senate panel",
           ["Caitlin Kalinowski will testify on Tuesday about military uses of AI."],
           [person("Caitlin Kalinowski", "Kalinowski")], now=core.clock.now())
    assert await follow_alert_job(core) == 1
    [opened] = [r for r in fake.requests if r.path == "/users/@me/channels"]
    assert opened.body == {"recipient_id": str(USER_ID)}
    [message] = [m for m in fake.messages if m["channel_id"] == fake.dm_channels[str(USER_ID)]]
    assert "You follow Caitlin Kalinowski" in message["content"]
    assert "Kalinowski to testify before Senate panel" in message["embeds"][0]["title"]
    assert not fake.rejected


async def test_a_user_who_takes_no_dms_parks_the_recipient(fake: FakeDiscord) -> None:
    fake.no_dm.add("123456789012345678")
    sender = DiscordSender(token=TOKEN, api_url=fake.api_url)
    try:
        channel = direct.channel_for(direct.recipient("discord", "123456789012345678"), Config())
        assert channel is not None
        with pytest.raises(DeliveryError) as refused:
            await sender.send(channel, PAYLOAD, idempotency_key="k")
        assert refused.value.permanent and "50007" in str(refused.value)
        bad = direct.channel_for(direct.recipient("discord", "not-an-id"), Config())
        assert bad is not None
        with pytest.raises(DeliveryError, match="not a Discord user ID"):
            await sender.send(bad, PAYLOAD, idempotency_key="k")
    finally:
        await sender.aclose()
