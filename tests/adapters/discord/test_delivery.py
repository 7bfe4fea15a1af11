"""Scheduled digests to Discord channels through the delivery outbox, in process and from the CLI."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import Sitrep
from bot.clock import FakeClock
from bot.config.settings import ChannelConfig
from tests.adapters.discord.conftest import config_for
from tests.conftest import REPO
from tests.fakes.discord_api import CHANNEL_ID, FakeDiscord
from tests.fakes.limits import discord_hazards, discord_problems

pytestmark = pytest.mark.slow  # the demo feeds are polled once per session


def channel(core: Sitrep) -> ChannelConfig:
    found = core.config.channel("discord-news")
    assert found is not None
    return found


async def test_a_digest_is_delivered_to_the_channel(core: Sitrep, fake: FakeDiscord) -> None:
    digest_id = await core.queue_digest(channel(core), since=None)
    assert digest_id is not None
    sent = await core.deliver()
    deliveries = core.store.outbox.deliveries_for(digest_id)
    assert sent == len(deliveries) == len(fake.messages) >= 1
    assert [d.message_id for d in deliveries] == [m["id"] for m in fake.messages]
    assert all(d.status == "sent" for d in deliveries)
    assert not fake.rejected
    titles = [e["title"] for m in fake.messages for e in m["embeds"] if "title" in e]
    assert any("Kalinowski" in t for t in titles)
    for request in fake.requests:
        assert request.path == f"/channels/{CHANNEL_ID}/messages"
        assert not discord_problems(request.body) and not discord_hazards(request.body)
    assert await core.deliver() == 0  # nothing posted twice


async def test_a_rate_limited_post_waits_and_is_sent_once(core: Sitrep, fake: FakeDiscord, clock: FakeClock) -> None:
    fake.script("POST", r"/channels/\d+/messages", 429, {"message": "You are being rate limited.",
                                                         "retry_after": 120.0, "global": False})
    digest_id = await core.queue_digest(channel(core), since=None)
    assert digest_id is not None
    assert await core.deliver() == len(core.store.outbox.deliveries_for(digest_id)) - 1
    [waiting] = [d for d in core.store.outbox.deliveries_for(digest_id) if d.status != "sent"]
    assert waiting.next_attempt_at == clock.now() + timedelta(seconds=120)
    assert "retry after 120.00s" in (waiting.last_error or "")
    clock.advance(timedelta(seconds=119))
    assert await core.deliver() == 0
    clock.advance(timedelta(seconds=1))
    assert await core.deliver() == 1
    assert all(d.status == "sent" for d in core.store.outbox.deliveries_for(digest_id))
    assert len(fake.messages) == len(core.store.outbox.deliveries_for(digest_id))


async def test_a_channel_the_bot_may_not_post_in_is_marked_failing(core: Sitrep, fake: FakeDiscord) -> None:
    fake.channels[str(CHANNEL_ID)] = "forbidden"
    digest_id = await core.queue_digest(channel(core), since=None)
    assert digest_id is not None
    assert await core.deliver() == 0
    # The channel is failing; its messages wait (retried every few hours and at restart), none is lost.
    assert {d.status for d in core.store.outbox.deliveries_for(digest_id)} == {"pending"}
    state = core.store.outbox.channel("discord-news")
    assert state is not None and state.status == "failing"
    assert "403: Missing Access" in (state.last_error or "")
    assert not fake.messages


async def test_digest_send_posts_without_a_gateway(tmp_path: Path, demo_db: Path, fake: FakeDiscord) -> None:
    """`sitrep digest --send` in its own process: the sender needs only REST, never the gateway."""
    config = config_for(tmp_path, demo_db, fake)
    assert config.source is not None
    env = {**os.environ, "DISCORD_TOKEN": fake.token}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "--config", str(config.source), "digest", "--send", "--since", "all",
        cwd=REPO, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    _, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, err.decode()
    assert f"{len(fake.messages)} message(s) sent" in err.decode()
    assert fake.messages and not fake.rejected
    assert {r.path for r in fake.requests} == {f"/channels/{CHANNEL_ID}/messages"}  # no login, no gateway
