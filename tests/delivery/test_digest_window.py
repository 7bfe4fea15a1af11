"""The digest contract: an explicit window shows every relevant story first seen in it; the flood
guard's `announce` flag only keeps stories out of what is pushed unasked (scheduled digests, alerts)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import Sitrep
from bot.cards import Digest
from bot.cli.main import main
from bot.clock import FakeClock
from bot.commands import Caller
from bot.delivery.alerts import plan
from bot.store import Store
from tests.conftest import make_config
from tests.fakes.stories import add_story

CONFIG = """
storage:
  url: sqlite:///{db}
feeds:
  - {{name: wire, url: https://wire.example/feed}}
channels:
  - {{name: team, platform: console, max_items: 10, topics: [ai-defense], alert_topics: [ai-defense]}}
"""


def held_back(store: Store, now: datetime, count: int = 5) -> list[str]:
    """Relevant stories the flood guard stored without announcing (a new feed's first poll)."""
    return [add_story(store, f"Backfilled report {i}", now=now - timedelta(minutes=i), announce=False)
            for i in range(count)]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "window.db"


@pytest.fixture
def config_file(tmp_path: Path, db: Path) -> Path:
    path = tmp_path / "sitrep.yaml"
    path.write_text(CONFIG.format(db=db), encoding="utf-8")
    return path


def test_cli_digest_with_an_explicit_window_shows_stories_the_flood_guard_held(
        config_file: Path, db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = Store.open(f"sqlite:///{db}")
    try:
        ids = held_back(store, datetime.now(UTC))
    finally:
        store.close()
    capsys.readouterr()
    for since in ("all", "24h", "7d"):
        assert main(["--config", str(config_file), "digest", "--channel", "team", "--since", since,
                     "--format", "json"]) == 0
        digest = json.loads(capsys.readouterr().out)
        assert sorted(sid for e in digest["entries"] for sid in e["story_ids"]) == sorted(ids), since
    # Without --since it previews the channel's next scheduled digest: the flood guard applies.
    assert main(["--config", str(config_file), "digest", "--channel", "team", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["entries"] == []


async def test_digest_on_demand_shows_every_relevant_story_of_the_week(store: Store, tmp_path: Path,
                                                                       clock: FakeClock) -> None:
    config = make_config(CONFIG.format(db=tmp_path / "unused.db"), tmp_path)
    core = Sitrep(config=config, store=store, clock=clock)
    try:
        ids = held_back(store, clock.now())
        add_story(store, "Off-topic report", now=clock.now(), topics=("sports",), announce=False)
        card = await core.handle("/digest", Caller(user="U1", platform="slack", channel="team"))
        assert isinstance(card, Digest)
        assert sorted(card.story_ids) == sorted(ids)
        # Older than the week /digest covers: not shown.
        add_story(store, "Last month", now=clock.now() - timedelta(days=30), announce=False)
        again = await core.handle("/digest", Caller(user="U1", platform="slack", channel="team"))
        assert isinstance(again, Digest) and sorted(again.story_ids) == sorted(ids)
    finally:
        await core.aclose()


async def test_scheduled_digests_and_alerts_still_leave_held_stories_out(store: Store, tmp_path: Path,
                                                                         clock: FakeClock) -> None:
    config = make_config(CONFIG.format(db=tmp_path / "unused.db"), tmp_path)
    core = Sitrep(config=config, store=store, clock=clock)
    channel = config.channel("team")
    assert channel is not None
    try:
        held_back(store, clock.now())
        announced = add_story(store, "Fresh report", now=clock.now())
        digest_id = await core.queue_digest(channel, since=None, slot="08:00")
        assert digest_id is not None
        assert [sid for e in store.outbox.last_digest_body("team")["entries"] for sid in e["story_ids"]] == [announced]
        alerts, _ = plan(store, config, channel, clock.now())
        assert [d.story_ids for _, d in alerts] == [[announced]]
    finally:
        await core.aclose()
