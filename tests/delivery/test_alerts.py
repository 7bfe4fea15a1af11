"""Instant alerts: posted at once for alert topics, capped per hour, once per event, never in quiet hours."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import Sitrep
from bot.clock import FakeClock
from bot.config.settings import ChannelConfig
from bot.delivery.alerts import alert_job, queue_alerts
from bot.store import Store
from tests.conftest import make_config
from tests.fakes.stories import add_story, new_cluster
from tests.fakes.webhook_server import WebhookServer, webhook_server

CONFIG = """
topics:
  ai-defense: {{any: [AI]}}
  breaking: {{any: [breaking]}}
channels:
  - name: team
    platform: discord-webhook
    target: '{url}'
    alert_topics: [breaking]
    alert_limit: 2
    quiet_hours: "22:00-07:00"
    timezone: UTC
"""


@pytest.fixture
def server() -> Iterator[WebhookServer]:
    with webhook_server() as running:
        yield running


@pytest.fixture
async def core(server: WebhookServer, store: Store, tmp_path: Path) -> AsyncIterator[Sitrep]:
    clock = FakeClock(datetime(2026, 3, 10, 12, 0, tzinfo=UTC))
    core = Sitrep(config=make_config(CONFIG.format(url=server.discord_url("1/tok")), tmp_path), store=store,
                  clock=clock)
    yield core
    await core.aclose()


def team(core: Sitrep) -> ChannelConfig:
    channel = core.config.channel("team")
    assert channel is not None
    return channel


def breaking(core: Sitrep, title: str, *, outlet: str = "wire", cluster: int | None = None) -> str:
    return add_story(core.store, title, now=core.clock.now(), outlet=outlet, topics=("ai-defense", "breaking"),
                     cluster=cluster if cluster is not None else new_cluster(core.store, core.clock.now()))


async def test_alerts_post_at_once_within_the_cap(core: Sitrep, server: WebhookServer) -> None:
    clock = core.clock
    assert isinstance(clock, FakeClock)
    add_story(core.store, "Not breaking", now=clock.now())
    for n in range(3):
        breaking(core, f"Breaking {n}")
    await alert_job(core)
    assert len(server.posts) == 2  # alert_limit: 2 per hour
    post = server.posts[0].payload
    assert post["content"].startswith("**sitrep alert — breaking**")
    assert post["embeds"][0]["color"] == 0xC0392B
    clock.advance(timedelta(minutes=5))
    await alert_job(core)
    assert len(server.posts) == 2  # still capped; nothing alerted twice
    clock.advance(timedelta(minutes=56))  # the cap frees up, but the third story is an hour old by now
    await alert_job(core)
    assert len(server.posts) == 2  # the held-back story is no longer news: it waits for the digest


async def test_an_event_is_alerted_once_however_many_outlets_report_it(core: Sitrep, server: WebhookServer) -> None:
    clock = core.clock
    assert isinstance(clock, FakeClock)
    event = new_cluster(core.store, clock.now())
    breaking(core, "Breaking: first report", cluster=event)
    assert len(await queue_alerts(core, team(core))) == 1
    clock.advance(timedelta(minutes=2))
    breaking(core, "Breaking: second outlet", outlet="daily", cluster=event)
    assert await queue_alerts(core, team(core)) == []


async def test_no_alerts_in_quiet_hours_nor_for_what_came_then(core: Sitrep, server: WebhookServer) -> None:
    clock = core.clock
    assert isinstance(clock, FakeClock)
    clock.set(datetime(2026, 3, 10, 6, 50, tzinfo=UTC))
    breaking(core, "Breaking at dawn")
    assert await queue_alerts(core, team(core)) == []
    clock.set(datetime(2026, 3, 10, 7, 5, tzinfo=UTC))
    assert await queue_alerts(core, team(core)) == []  # first seen in quiet hours: left to the digest
    breaking(core, "Breaking after seven")
    assert len(await queue_alerts(core, team(core))) == 1


async def test_alerts_leave_the_digest_window_alone(core: Sitrep, server: WebhookServer) -> None:
    story = breaking(core, "Breaking news")
    await alert_job(core)
    assert core.channel_since(team(core)) is None
    digest_id = await core.queue_digest(team(core), since=None)
    assert digest_id is not None
    body = core.store.outbox.last_digest_body("team")
    assert [sid for e in body["entries"] for sid in e["story_ids"]] == [story]


async def test_a_failing_channel_gets_no_alerts(core: Sitrep, server: WebhookServer) -> None:
    core.store.outbox.set_channel("team", core.clock.now(), status="failing", last_error="webhook deleted")
    breaking(core, "Breaking news")
    assert await queue_alerts(core, team(core)) == []


async def test_two_instances_choosing_alerts_at_once_queue_each_once(core: Sitrep, server: WebhookServer,
                                                                     tmp_path: Path) -> None:
    """A second instance on the same database (its own Sitrep, its own owner id) runs the alert job at
    the same moment: the channel's alert lease lets one choose at a time, so nothing is queued twice."""
    other = Sitrep(config=core.config, store=core.store, clock=core.clock)
    try:
        for n in range(2):
            breaking(core, f"Breaking {n}")
        first, second = await asyncio.gather(queue_alerts(core, team(core)), queue_alerts(other, team(other)))
        assert len(first) + len(second) == 2
        assert await queue_alerts(other, team(other)) == [] and await queue_alerts(core, team(core)) == []
    finally:
        await other.fetcher.aclose()
        await other.guarded_fetcher.client.aclose()
