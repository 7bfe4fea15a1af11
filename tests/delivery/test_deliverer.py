"""Delivery through the outbox: order, retries, failing channels, and crashes mid-send."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot import platforms
from bot.app import Sitrep
from bot.clock import FakeClock
from bot.config.settings import ChannelConfig
from bot.delivery.deliverer import LEASE, MAX_ATTEMPTS, PROBE, Deliverer
from bot.delivery.schedule import digest_job, start_job
from bot.errors import SitrepError
from bot.ports import DeliveryError
from bot.render import plain
from bot.store import Store
from tests.conftest import make_config
from tests.fakes.stories import add_story
from tests.fakes.webhook_server import Fault, WebhookServer, webhook_server

CONFIG = """
channels:
  - {{name: team, platform: discord-webhook, target: '{discord}', max_items: 25, schedule: "0 8 * * *"}}
  - {{name: ops, platform: slack-webhook, target: '{slack}'}}
"""


@pytest.fixture
def server() -> Iterator[WebhookServer]:
    with webhook_server() as running:
        yield running


@pytest.fixture
async def core(server: WebhookServer, store: Store, clock: FakeClock, tmp_path: Path) -> AsyncIterator[Sitrep]:
    config = make_config(CONFIG.format(discord=server.discord_url("1/tok"), slack=server.slack_url("T/B/tok")),
                         tmp_path)
    core = Sitrep(config=config, store=store, clock=clock)
    yield core
    await core.aclose()


def team(core: Sitrep) -> ChannelConfig:
    channel = core.config.channel("team")
    assert channel is not None
    return channel


async def queue(core: Sitrep, stories: int = 25) -> int:
    for i in range(stories):
        add_story(core.store, f"Story {i}", now=core.clock.now() - timedelta(minutes=1), outlet="wire")
    digest_id = await core.queue_digest(team(core), since=None)
    assert digest_id is not None
    return digest_id


async def test_stored_first_then_sent_in_order_with_message_ids(core: Sitrep, server: WebhookServer) -> None:
    digest_id = await queue(core)
    rows = core.store.outbox.deliveries_for(digest_id)
    assert len(rows) == 3 and all(r.status == "pending" for r in rows)  # 25 embeds: 10 + 10 + 5
    assert server.posts == []
    assert await core.deliver() == 3
    assert server.keys() == [f"sitrep-{digest_id}-{part}" for part in range(3)]
    rows = core.store.outbox.deliveries_for(digest_id)
    assert [r.status for r in rows] == ["sent"] * 3
    assert [r.message_id for r in rows] == [p.message_id for p in server.posts]
    assert await core.deliver() == 0  # nothing twice


async def test_rate_limit_waits_retry_after_and_keeps_order(core: Sitrep, server: WebhookServer,
                                                            clock: FakeClock) -> None:
    digest_id = await queue(core)
    server.fail_next(Fault(429, {"message": "You are being rate limited.", "retry_after": 2.0, "global": False},
                           {"Retry-After": "2"}))
    assert await core.deliver() == 0
    first = core.store.outbox.deliveries_for(digest_id)[0]
    assert first.next_attempt_at == clock.now() + timedelta(seconds=2)
    clock.advance(timedelta(seconds=1))
    assert await core.deliver() == 0  # part 1 does not overtake part 0
    clock.advance(timedelta(seconds=1))
    assert await core.deliver() == 3
    assert server.keys() == [f"sitrep-{digest_id}-{part}" for part in range(3)]


async def test_5xx_backs_off_then_the_channel_is_failing_and_nothing_is_lost(
        core: Sitrep, server: WebhookServer, clock: FakeClock) -> None:
    digest_id = await queue(core, stories=1)
    server.fail_next(*[Fault(502, {"message": "bad gateway"})] * MAX_ATTEMPTS)
    waits = []
    for _ in range(MAX_ATTEMPTS):
        before = clock.now()
        assert await core.deliver() == 0
        row = core.store.outbox.deliveries_for(digest_id)[0]
        waits.append(row.next_attempt_at - before)
        clock.set(row.next_attempt_at)
    assert waits[:4] == [timedelta(seconds=30), timedelta(seconds=60), timedelta(seconds=120), timedelta(seconds=240)]
    assert waits[-1] == PROBE
    state = core.store.outbox.channel("team")
    assert state is not None and state.status == "failing"
    assert state.last_error is not None and "12 attempts" in state.last_error and "502" in state.last_error
    listing = plain.feeds(core.feeds_card())
    assert "failing since" in listing and "1 message(s) waiting" in listing
    assert await core.deliver() == 1  # the platform is back, at the probe: posted, and the channel is ok
    state = core.store.outbox.channel("team")
    assert state is not None and (state.status, state.last_error) == ("ok", None)


async def test_a_deleted_webhook_fails_the_channel_at_once(core: Sitrep, server: WebhookServer,
                                                           clock: FakeClock) -> None:
    digest_id = await queue(core)
    server.fail_next(Fault(404, {"message": "Unknown Webhook", "code": 10015}))
    assert await core.deliver() == 0
    assert server.requests == 1
    state = core.store.outbox.channel("team")
    assert state is not None and state.status == "failing"
    assert "webhook was deleted" in (state.last_error or "")
    listing = plain.feeds(core.feeds_card())
    assert "team" in listing and "failing" in listing and "webhook was deleted" in listing
    assert "tok" not in listing.replace("stories", "")
    clock.advance(timedelta(hours=1))
    assert await core.deliver() == 0 and server.requests == 1  # not hammered
    # The 08:00 slot passes while failing: no new digest piles up; stories wait for the fix.
    clock.set(datetime(2026, 3, 11, 8, 1, tzinfo=clock.now().tzinfo))
    await digest_job(core, team(core))
    assert len(core.store.outbox.unsent(channel="team")) == 3
    # A restart (the operator fixed the webhook): the channel is tried at once, then catches up.
    await start_job(core)
    assert [r.status for r in core.store.outbox.deliveries_for(digest_id)] == ["sent"] * 3
    state = core.store.outbox.channel("team")
    assert state is not None and state.status == "ok"


async def test_a_refused_payload_fails_alone(core: Sitrep, server: WebhookServer) -> None:
    digest_id = await queue(core)
    server.fail_next(Fault(400, {"message": "Invalid Form Body", "code": 50035}))
    assert await core.deliver() == 2
    assert [r.status for r in core.store.outbox.deliveries_for(digest_id)] == ["failed", "sent", "sent"]
    state = core.store.outbox.channel("team")
    assert state is not None and state.status == "ok"


class CheckingFake:
    """A platform that lets us see what was posted (like Slack history with message metadata)."""

    def __init__(self) -> None:
        self.posted: dict[str, str] = {}
        self.sends = 0

    async def send(self, channel: ChannelConfig, payload: Any, *, idempotency_key: str) -> str | None:
        self.sends += 1
        self.posted[idempotency_key] = f"m{len(self.posted)}"
        return self.posted[idempotency_key]

    async def find_sent(self, channel: ChannelConfig, payload: Any, *, idempotency_key: str,
                        since: datetime) -> str | None:
        return self.posted.get(idempotency_key)

    async def aclose(self) -> None:
        return None


async def test_after_a_crash_a_checkable_platform_is_asked_before_posting_again(
        core: Sitrep, clock: FakeClock) -> None:
    digest_id = await queue(core, stories=1)
    [row] = core.store.outbox.deliveries_for(digest_id)
    fake = CheckingFake()
    # Another process claimed it, posted, and died before marking it sent.
    assert core.store.outbox.claim(row.id, owner="elsewhere:1:x", now=clock.now(), lease=LEASE)
    fake.posted[row.idempotency_key] = "m-before-crash"
    deliverer = Deliverer(config=core.config, store=core.store, clock=clock, senders={"discord-webhook": fake})
    assert await deliverer.deliver_due() == 0  # its lease still runs: nobody else touches it
    clock.advance(LEASE)
    assert await deliverer.deliver_due() == 1
    assert fake.sends == 0
    [row] = core.store.outbox.deliveries_for(digest_id)
    assert (row.status, row.message_id) == ("sent", "m-before-crash")


async def test_a_holder_is_never_judged_dead_by_its_process_id(
        core: Sitrep, server: WebhookServer, clock: FakeClock, caplog: pytest.LogCaptureFixture) -> None:
    """Containers sharing a hostname each have their own process ids: a pid that does not exist here
    may be a live sender next door. Its lease is waited out, then the message is posted."""
    digest_id = await queue(core, stories=1)
    [row] = core.store.outbox.deliveries_for(digest_id)
    host = core.owner.split(":")[0]
    assert core.store.outbox.claim(row.id, owner=f"{host}:999999999:elsewhere", now=clock.now(), lease=LEASE)
    assert await core.deliver() == 0
    assert server.posts == []
    clock.advance(LEASE)
    with caplog.at_level(logging.WARNING):
        assert await core.deliver() == 1
    assert "a duplicate is possible" in caplog.text
    assert server.keys() == [row.idempotency_key]


async def test_a_holder_that_stopped_cleanly_is_resumed_at_once(core: Sitrep, server: WebhookServer,
                                                                 clock: FakeClock, store_url: str) -> None:
    digest_id = await queue(core, stories=1)
    [row] = core.store.outbox.deliveries_for(digest_id)
    other = Sitrep(config=core.config, store=Store.open(store_url), clock=clock)  # another instance
    assert other.store.outbox.claim(row.id, owner=other.owner, now=clock.now(), lease=LEASE)
    assert await core.deliver() == 0  # held
    await other.aclose()  # stopping ends its leases
    assert await core.deliver() == 1
    assert server.keys() == [row.idempotency_key]


class StalledSender:
    """Posts only when told to, then reports the outcome it is given."""

    def __init__(self) -> None:
        self.started = asyncio.Event()
        self.go = asyncio.Event()
        self.outcome: DeliveryError | None = None

    async def send(self, channel: ChannelConfig, payload: Any, *, idempotency_key: str) -> str | None:
        self.started.set()
        await self.go.wait()
        if self.outcome is not None:
            raise self.outcome
        return "m-stalled"

    async def aclose(self) -> None:
        return None


@pytest.mark.parametrize("outcome", [None, DeliveryError("HTTP 502"), DeliveryError("HTTP 400", rejected=True),
                                     DeliveryError("webhook deleted", permanent=True)],
                         ids=["posted", "transient", "rejected", "permanent"])
async def test_a_sender_that_stalled_past_its_lease_cannot_undo_the_takeover(
        core: Sitrep, clock: FakeClock, outcome: DeliveryError | None) -> None:
    digest_id = await queue(core, stories=1)
    stalled = StalledSender()
    stalled.outcome = outcome
    slow = Deliverer(config=core.config, store=core.store, clock=clock, senders={"discord-webhook": stalled},
                     owner="a:1:slow")
    fast_sender = CheckingFake()
    fast = Deliverer(config=core.config, store=core.store, clock=clock, senders={"discord-webhook": fast_sender},
                     owner="b:1:fast")
    first = asyncio.create_task(slow.deliver_due())
    await stalled.started.wait()
    clock.advance(LEASE)  # the stalled sender's lease runs out; the other instance takes the message over
    assert await fast.deliver_due() == 1
    stalled.go.set()
    assert await first == 0
    [row] = core.store.outbox.deliveries_for(digest_id)
    assert (row.status, row.message_id) == ("sent", "m0")  # the takeover's outcome stands
    state = core.store.outbox.channel("team")
    assert state is None or state.status == "ok"
    clock.advance(timedelta(days=1))
    assert await fast.deliver_due() == 0 and fast_sender.sends == 1  # nothing sent again


async def test_a_channel_gone_from_the_config_fails_its_messages(core: Sitrep, tmp_path: Path) -> None:
    digest_id = await queue(core, stories=1)
    core.config = make_config("channels: []\n", tmp_path)
    await core.deliver()
    [row] = core.store.outbox.deliveries_for(digest_id)
    assert row.status == "failed" and "no longer configured" in (row.last_error or "")


async def test_a_platform_without_a_sender_marks_its_channel_failing(store: Store, clock: FakeClock,
                                                                     tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # A platform that renders but cannot send from this process (its client cannot start here).
    real = platforms.load("slack")

    class CannotSend:
        name = "slack"
        render_digest = staticmethod(real.render_digest)
        render_card = staticmethod(real.render_card)

        def sender(self, core: Sitrep) -> Any:
            raise SitrepError("the Slack client cannot start here")

        def adapter(self, core: Sitrep) -> Any:
            return None

    monkeypatch.setattr(platforms, "load", lambda name: CannotSend())
    config = make_config("slack: {bot_token: xoxb-1, app_token: xapp-1}\n"
                         "channels:\n  - {name: chat, platform: slack, target: C0123}\n", tmp_path)
    core = Sitrep(config=config, store=store, clock=clock)
    add_story(store, "A story", now=clock.now())
    chat = config.channel("chat")
    assert chat is not None
    assert await core.queue_digest(chat, since=None) is not None
    assert await core.deliver() == 0
    state = store.outbox.channel("chat")
    assert state is not None and state.status == "failing"
    assert state.last_error == "the Slack client cannot start here"
    await core.aclose()


async def test_concurrent_passes_post_each_message_once(core: Sitrep, server: WebhookServer) -> None:
    digest_id = await queue(core)
    results = await asyncio.gather(core.deliver(), core.deliver(), core.deliver(channel="team"))
    assert sum(results) == 3
    assert server.keys() == [f"sitrep-{digest_id}-{part}" for part in range(3)]


async def test_empty_digests_are_recorded_but_not_posted(core: Sitrep, server: WebhookServer) -> None:
    digest_id = await core.queue_digest(team(core), since=None, slot="s1")
    assert digest_id is not None
    assert core.store.outbox.deliveries_for(digest_id) == []
    assert await core.queue_digest(team(core), since=None, slot="s1") is None  # the slot is done
