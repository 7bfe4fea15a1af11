"""Digest scheduling: each slot once, one digest after downtime, quiet hours make digests wait."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import Sitrep
from bot.clock import FakeClock
from bot.delivery.schedule import build, digest_job, due_digests, start_job
from bot.store import Store
from bot.store.schema import digests
from tests.conftest import make_config
from tests.fakes.stories import add_story

CONFIG = """
channels:
  - {name: team, platform: console, schedule: "0 6 * * *", timezone: America/New_York,
     quiet_hours: "22:00-07:00", alert_topics: [ai-defense]}
  - {name: other, platform: console, schedule: "30 8 * * 1-5", timezone: UTC}
"""


@pytest.fixture
async def core(store: Store, tmp_path: Path) -> AsyncIterator[Sitrep]:
    clock = FakeClock(datetime(2026, 3, 10, 9, 0, tzinfo=UTC))  # a Tuesday; 05:00 in New York
    core = Sitrep(config=make_config(CONFIG, tmp_path), store=store, clock=clock)
    yield core
    await core.aclose()


def slots(store: Store, channel: str) -> list[str]:
    with store.engine.connect() as c:
        return [r.slot for r in c.execute(select(digests.c.slot).where(digests.c.channel == channel)
                                          .order_by(digests.c.id))]


async def test_each_slot_is_built_once(core: Sitrep) -> None:
    clock = core.clock
    assert isinstance(clock, FakeClock)
    other = core.config.channel("other")
    assert other is not None
    add_story(core.store, "A story", now=clock.now())
    clock.set(datetime(2026, 3, 10, 8, 30, 5, tzinfo=UTC))
    await digest_job(core, other)
    await digest_job(core, other)  # the cron job and the sweep both fire; a restart runs it again
    await due_digests(core)
    assert slots(core.store, "other") == ["2026-03-10T08:30:00+00:00"]


async def test_one_digest_after_downtime_covers_the_gap(core: Sitrep) -> None:
    clock = core.clock
    assert isinstance(clock, FakeClock)
    other = core.config.channel("other")
    assert other is not None
    clock.set(datetime(2026, 3, 10, 8, 31, tzinfo=UTC))
    add_story(core.store, "Before", now=clock.now() - timedelta(minutes=5))
    await digest_job(core, other)
    for day in range(3):  # down for three days while stories kept arriving (fetched on restart)
        add_story(core.store, f"During {day}", now=clock.now() + timedelta(days=day, hours=2))
    clock.set(datetime(2026, 3, 13, 12, 0, tzinfo=UTC))
    await start_job(core)
    assert slots(core.store, "other") == ["2026-03-10T08:30:00+00:00", "2026-03-13T08:30:00+00:00"]
    body = core.store.outbox.last_digest_body("other")
    assert sorted(e["headline"] for e in body["entries"]) == ["During 0", "During 1", "During 2"]


async def test_quiet_hours_hold_the_digest_until_they_end(core: Sitrep) -> None:
    clock = core.clock
    assert isinstance(clock, FakeClock)
    team = core.config.channel("team")
    assert team is not None
    add_story(core.store, "Overnight", now=clock.now())
    clock.set(datetime(2026, 3, 10, 10, 0, 30, tzinfo=UTC))  # 06:00:30 in New York (EDT from 8 March): quiet
    await digest_job(core, team)
    assert slots(core.store, "team") == []
    clock.set(datetime(2026, 3, 10, 11, 0, 30, tzinfo=UTC))  # 07:00:30: quiet hours over, the sweep builds it
    await due_digests(core)
    assert slots(core.store, "team") == ["2026-03-10T06:00:00-04:00"]


async def test_the_scheduler_wiring(core: Sitrep) -> None:
    scheduler = build(core)
    ids = {job.id for job in scheduler.get_jobs()}
    assert {"deliver", "start", "digests", "alerts", "digest:team", "digest:other"} <= ids


def test_a_six_field_schedule_has_seconds_and_finds_its_last_slot_quickly() -> None:
    from bot.config.settings import ChannelConfig
    from bot.delivery.schedule import last_slot

    channel = ChannelConfig(name="fast", platform="console", schedule="*/5 * * * * *")  # type: ignore[arg-type]
    now = datetime(2026, 3, 10, 12, 0, 7, tzinfo=UTC)
    assert last_slot(channel, now, after=None) == datetime(2026, 3, 10, 12, 0, 5, tzinfo=UTC)
    assert last_slot(channel, now, after=datetime(2026, 3, 10, 12, 0, 5, tzinfo=UTC)) is None
    assert last_slot(channel, now, after=datetime(2026, 3, 10, 11, 0, tzinfo=UTC)) == datetime(
        2026, 3, 10, 12, 0, 5, tzinfo=UTC)
    daily = ChannelConfig(name="daily", platform="console", schedule="0 8 * * *")  # type: ignore[arg-type]
    assert last_slot(daily, now, after=None) == datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
    assert last_slot(daily, now, after=datetime(2026, 3, 9, 9, 0, tzinfo=UTC)) == datetime(2026, 3, 10, 8, 0,
                                                                                           tzinfo=UTC)
    with pytest.raises(ValueError, match="cron"):
        ChannelConfig(name="bad", platform="console", schedule="* * * * * * *")  # type: ignore[arg-type]


async def test_an_instance_holding_the_channel_builds_and_a_dead_ones_lease_runs_out(core: Sitrep) -> None:
    """Two instances on one database: the one holding the channel's job lease builds its digest; the
    other skips, and takes over once a dead holder's lease has run out."""
    clock = core.clock
    assert isinstance(clock, FakeClock)
    other = core.config.channel("other")
    assert other is not None
    add_story(core.store, "A story", now=clock.now())
    clock.set(datetime(2026, 3, 10, 8, 30, 5, tzinfo=UTC))
    assert core.store.leases.acquire("digest:other", owner="host:1:dead", now=clock.now(),
                                     ttl=core.config.leases.job)
    await digest_job(core, other)
    assert slots(core.store, "other") == []
    clock.advance(core.config.leases.job)
    await digest_job(core, other)
    assert slots(core.store, "other") == ["2026-03-10T08:30:00+00:00"]
    # Done and let go: the next slot is built by whichever instance's schedule fires first.
    assert core.store.leases.acquire("digest:other", owner="host:2:alive", now=clock.now(), ttl=timedelta(1))
