"""Follow alerts end to end on the core: one per event, the sentence and the quote, through the
outbox exactly once, within quiet hours and alert_limit, for people and for channels."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from adapters.console.adapter import ConsoleSender
from bot.app import Sitrep
from bot.cards import MessageCard
from bot.clock import FakeClock
from bot.commands import Caller
from bot.delivery.alerts import alert_job
from bot.delivery.follow_alerts import follow_alert_job, naming_sentence
from bot.store import Store
from tests.conftest import make_config
from tests.fakes.follows import NORA, RESIGNS, nora, report, resignation
from tests.fakes.stories import new_cluster
from tests.fakes.webhook_server import WebhookServer, webhook_server

CONFIG = """
topics:
  ai-defense: {{any: [drone]}}
  breaking: {{any: [quits]}}
follow:
  alert_limit: 2
  quiet_hours: "22:00-07:00"
channels:
  - name: team
    platform: discord-webhook
    target: '{url}'
    follows: [Brightline]
    alert_topics: [breaking]
"""
READER = Caller(user="reader", platform="console")
START = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)


@pytest.fixture
def server() -> Iterator[WebhookServer]:
    with webhook_server() as running:
        yield running


@pytest.fixture
def printed() -> ConsoleSender:
    return ConsoleSender(out=io.StringIO())


@pytest.fixture
async def core(server: WebhookServer, store: Store, tmp_path: Path, printed: ConsoleSender) -> AsyncIterator[Sitrep]:
    config = make_config(CONFIG.format(url=server.discord_url("1/tok")), tmp_path)
    core = Sitrep(config=config, store=store, clock=FakeClock(START), senders={"console": printed})
    core.sync_follows()
    yield core
    await core.aclose()


def clock(core: Sitrep) -> FakeClock:
    assert isinstance(core.clock, FakeClock)
    return core.clock


def event(core: Sitrep, n: int) -> None:
    report(core.store, f"Castellane item {n}", [f"Nora Castellane spoke about item {n}."],
           [nora()], now=core.clock.now())


async def test_a_follower_gets_one_alert_per_event_with_the_sentence_and_the_quote(
        core: Sitrep, printed: ConsoleSender, server: WebhookServer) -> None:
    said = await core.handle("/follow Castellane", READER)
    assert "Nobody called “Castellane” is in the news yet" in str(said)
    cluster = new_cluster(core.store, core.clock.now())
    resignation(core.store, core.clock.now(), cluster=cluster)
    resignation(core.store, core.clock.now(), outlet="daily", cluster=cluster, title="Castellane leaves Brightline")
    assert await follow_alert_job(core) == 2  # the reader, and the channel that follows Brightline
    [(to, text)] = printed.posted
    assert to == "dm:console:reader"
    assert text.startswith(f"sitrep follow — {NORA}") and "reported by 2 outlets" in text
    assert RESIGNS[0][:60] in text  # the sentence that names her
    assert "“I could not sign my name to this” — Nora Castellane" in text
    assert f"You follow {NORA}." in text
    [post] = server.posts
    assert "This channel follows Brightline Dynamics" in post.payload["content"]
    clock(core).advance(timedelta(minutes=5))
    resignation(core.store, core.clock.now(), outlet="gazette", cluster=cluster, title="A third outlet reports it")
    assert await follow_alert_job(core) == 0  # the same event, a third outlet: no second alert
    assert len(printed.posted) == 1 and len(server.posts) == 1
    assert core.store.follows.recipients_with_hits() == []


async def test_alerts_wait_out_quiet_hours(core: Sitrep, printed: ConsoleSender) -> None:
    await core.handle("/follow Nora Castellane", READER)
    clock(core).set(datetime(2026, 5, 4, 23, 0, tzinfo=UTC))
    resignation(core.store, core.clock.now())
    assert await follow_alert_job(core) == 1  # the channel has no quiet hours; the reader does
    assert printed.posted == []
    clock(core).set(datetime(2026, 5, 5, 7, 5, tzinfo=UTC))
    assert await follow_alert_job(core) == 1
    assert "quits over drone contract" in printed.posted[0][1]


async def test_the_hourly_cap_holds_alerts_back_until_the_hour_has_passed(core: Sitrep, printed: ConsoleSender
                                                                          ) -> None:
    await core.handle("/follow Castellane", READER)
    for n in range(3):
        event(core, n)
    await follow_alert_job(core)
    assert len(printed.posted) == 2  # follow.alert_limit: 2
    clock(core).advance(timedelta(minutes=30))
    await follow_alert_job(core)
    assert len(printed.posted) == 2
    clock(core).advance(timedelta(minutes=31))
    await follow_alert_job(core)
    assert len(printed.posted) == 3  # waited, not lost


async def test_an_alert_that_waited_too_long_is_dropped(core: Sitrep, printed: ConsoleSender) -> None:
    await core.handle("/follow Castellane", READER)
    clock(core).set(datetime(2026, 5, 4, 21, 0, tzinfo=UTC))
    resignation(core.store, core.clock.now())
    clock(core).set(datetime(2026, 5, 4, 22, 30, tzinfo=UTC))  # quiet from 22:00: the hit waits
    await follow_alert_job(core)
    clock(core).advance(timedelta(hours=13))  # past follow.wait (12 h) after the story was read
    await follow_alert_job(core)
    assert printed.posted == [] and core.store.follows.hits("dm:console:reader") == []


async def test_backfill_is_never_alerted(core: Sitrep, printed: ConsoleSender) -> None:
    await core.handle("/follow Castellane", READER)
    report(core.store, "Old news about Castellane", ["Nora Castellane, in the archive."],
           [nora()], now=core.clock.now(), announce=False)
    assert await follow_alert_job(core) == 0
    assert printed.posted == [] and core.store.follows.recipients_with_hits() == []


async def test_two_instances_alert_once(core: Sitrep, printed: ConsoleSender, server: WebhookServer) -> None:
    other = Sitrep(config=core.config, store=core.store, clock=core.clock, senders={"console": printed})
    try:
        await core.handle("/follow Castellane", READER)
        resignation(core.store, core.clock.now())
        await asyncio.gather(follow_alert_job(core), follow_alert_job(other))
        await asyncio.gather(follow_alert_job(core), follow_alert_job(other))
        assert len(printed.posted) == 1 and len(server.posts) == 1
    finally:
        await other.fetcher.aclose()
        await other.guarded_fetcher.client.aclose()


async def test_hits_survive_a_restart(core: Sitrep, printed: ConsoleSender) -> None:
    await core.handle("/follow Castellane", READER)
    resignation(core.store, core.clock.now())  # read, then the process stops before the job runs
    again = Sitrep(config=core.config, store=core.store, clock=core.clock, senders={"console": printed})
    try:
        assert await follow_alert_job(again) == 2
        assert len(printed.posted) == 1
    finally:
        await again.fetcher.aclose()
        await again.guarded_fetcher.client.aclose()


async def test_a_channel_hears_an_event_once_whether_a_topic_or_a_follow_saw_it(
        core: Sitrep, server: WebhookServer) -> None:
    resignation(core.store, core.clock.now())  # "quits" is the channel's alert topic, Brightline its follow
    await alert_job(core)
    await follow_alert_job(core)
    assert len(server.posts) == 1


async def test_unfollowing_stops_the_alerts(core: Sitrep, printed: ConsoleSender) -> None:
    await core.handle("/follow Castellane", READER)
    said = await core.handle("/unfollow Castellane", READER)
    assert said == MessageCard("No longer following Castellane.")
    resignation(core.store, core.clock.now())
    await follow_alert_job(core)
    assert printed.posted == []


def test_the_naming_sentence_is_a_whole_sentence_with_the_name_as_a_word() -> None:
    text = "Brightline said on Monday it would cut jobs. Later, Castellane spoke. Castellanes are a family."
    assert naming_sentence(text, ["Nora Castellane", "Castellane"]) == "Later, Castellane spoke."
    assert naming_sentence("Nobody here.", ["Castellane"]) is None
