"""The digest's optional people section: the most-mentioned people of its stories, who they are."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.config import ChannelConfig
from bot.delivery.digest import build
from bot.errors import ConfigError
from bot.models import Role
from bot.render import plain
from bot.store import Store
from tests.conftest import make_config
from tests.fakes.knowledge import Newsroom, person

CONFIG = """
channels:
  - {name: team, platform: console, sections: [events, people]}
  - {name: names, platform: console, sections: [people]}
  - {name: plain, platform: console}
"""


@pytest.fixture
def room(store: Store, clock: FakeClock) -> Newsroom:
    room = Newsroom(store)
    okafor = person("Mira Okafor", "Okafor", roles=[Role("head of hardware", "Vantage Robotics")])
    for n in range(3):
        room.publish(f"Okafor story {n}", clock.now(), [okafor, person("Tuesday")])
    room.publish("Osei story", clock.now(), [person("Daniel Osei")])
    return room


def channel(tmp_path: Path, name: str) -> tuple[object, ChannelConfig]:
    config = make_config(CONFIG, tmp_path)
    found = config.channel(name)
    assert found is not None
    return config, found


def test_people_ranked_by_stories_with_who_they_are(room: Newsroom, store: Store, clock: FakeClock,
                                                    tmp_path: Path) -> None:
    config, team = channel(tmp_path, "team")
    digest = build(store, config, team, since=None, now=clock.now())  # type: ignore[arg-type]
    assert [(p.name, p.mentions) for p in digest.people] == [("Mira Okafor", 3), ("Daniel Osei", 1)]
    assert digest.people[0].description == "Mira Okafor — Vantage Robotics' head of hardware"
    assert digest.entries and digest.sections == ["events", "people"]
    assert "People in the news:\n  • Mira Okafor (3 stories) — /whois Mira Okafor" in plain.digest(digest)


def test_a_people_only_digest_still_accounts_for_its_stories(room: Newsroom, store: Store, clock: FakeClock,
                                                             tmp_path: Path) -> None:
    config, names = channel(tmp_path, "names")
    digest = build(store, config, names, since=None, now=clock.now())  # type: ignore[arg-type]
    assert digest.entries == [] and len(digest.story_ids) == 4 and digest.people


def test_without_the_section_there_are_no_people(room: Newsroom, store: Store, clock: FakeClock,
                                                 tmp_path: Path) -> None:
    config, other = channel(tmp_path, "plain")
    assert build(store, config, other, since=None, now=clock.now()).people == []  # type: ignore[arg-type]


@pytest.mark.parametrize("sections", ["[events, events]", "[]", "[gossip]"])
def test_sections_are_checked(tmp_path: Path, sections: str) -> None:
    with pytest.raises(ConfigError, match="sections"):
        make_config(f"channels:\n  - {{name: t, platform: console, sections: {sections}}}\n", tmp_path)


def test_a_channel_may_not_take_a_direct_message_name(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="may not start with 'dm:'"):
        make_config("channels:\n  - {name: 'dm:slack:U1', platform: console}\n", tmp_path)
