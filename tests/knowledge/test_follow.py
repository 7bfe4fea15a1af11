"""/follow, /unfollow, /following on the core: names resolved like /whois, each user's follows their own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import Sitrep
from bot.cards import FollowingCard, MessageCard
from bot.clock import FakeClock
from bot.commands import Caller
from bot.models import Role
from bot.store import Store
from tests.conftest import make_config
from tests.fakes.knowledge import Newsroom, org, person

DAY = datetime(2026, 4, 20, 9, 0, tzinfo=UTC)
ANA = Caller(user="U0ANA", platform="slack")
BEN = Caller(user="U0BEN", platform="slack")
CONFIG = """
follow: {max_per_user: 3}
channels:
  - {name: team, platform: console, follows: [Okafor]}
"""


@pytest.fixture
async def core(store: Store, tmp_path: Path) -> AsyncIterator[Sitrep]:
    room = Newsroom(store)
    room.publish("Vantage Robotics hires Mira Okafor", DAY - timedelta(days=3),
                  [person("Mira Okafor", "Okafor", roles=[Role("head of hardware", "Vantage Robotics")]),
                   org("Vantage Robotics")])
    room.publish("Okafor speaks on drones", DAY, [person("Mira Okafor", "Okafor")])
    room.publish("Two Hollis brothers", DAY, [person("Peter Hollis", "Hollis"), person("Sam Hollis", "Hollis")])
    core = Sitrep(config=make_config(CONFIG, tmp_path), store=store, clock=FakeClock(DAY))
    core.sync_follows()
    yield core
    await core.aclose()


async def say(core: Sitrep, text: str, caller: Caller = ANA) -> str:
    card = await core.handle(text, caller)
    assert isinstance(card, MessageCard), card
    return card.text


@pytest.mark.parametrize("typed", ["Okafor", "okafor", "Mira Okafor", "Okafro", "Mira Okafer", "Okaf"])
async def test_a_name_resolves_like_whois(core: Sitrep, typed: str) -> None:
    said = await say(core, f"/follow {typed}")
    assert said.startswith("Following Mira Okafor — Vantage Robotics' head of hardware."), said
    assert "direct message" in said and "at most 5 an hour" in said
    [row] = core.store.follows.of("dm:slack:U0ANA")
    assert (row.name, row.kind, row.query) == ("Mira Okafor", "person", typed)
    assert "already following Mira Okafor" in await say(core, "/follow Mira Okafor")


async def test_an_ambiguous_name_follows_nobody_and_lists_who_it_could_be(core: Sitrep) -> None:
    said = await say(core, "/follow Hollis")
    assert "Several people or organisations match “Hollis”" in said
    assert "Peter Hollis" in said and "Sam Hollis" in said
    assert core.store.follows.of("dm:slack:U0ANA") == []


async def test_an_unknown_name_is_followed_as_written(core: Sitrep) -> None:
    said = await say(core, "/follow Quentin Marlowe")
    assert "Nobody called “Quentin Marlowe” is in the news yet" in said
    [row] = core.store.follows.of("dm:slack:U0ANA")
    assert row.entity_id is None and row.name == "Quentin Marlowe"


async def test_follows_are_each_users_own(core: Sitrep) -> None:
    await say(core, "/follow Okafor", ANA)
    mine = await core.handle("/following", ANA)
    theirs = await core.handle("/following", BEN)
    assert isinstance(mine, FollowingCard) and [f.name for f in mine.follows] == ["Mira Okafor"]
    assert isinstance(theirs, FollowingCard) and theirs.follows == [] and theirs.title == "You follow nobody yet"
    refused = await core.handle("/unfollow Okafor", BEN)
    assert isinstance(refused, MessageCard) and refused.level == "error"
    same_id_elsewhere = Caller(user="U0ANA", platform="discord")
    assert (await core.handle("/following", same_id_elsewhere)) == FollowingCard(
        "You follow nobody yet", [], "Try /follow Kalinowski: an alert comes when a new story names them.")
    assert await say(core, "/unfollow okafor", ANA) == "No longer following Mira Okafor."


async def test_unfollow_by_surname_full_name_or_as_typed(core: Sitrep) -> None:
    await say(core, "/follow Mira Okafor")
    assert await say(core, "/unfollow Okafor") == "No longer following Mira Okafor."
    await say(core, "/follow Quentin Marlowe")
    assert await say(core, "/unfollow quentin marlowe") == "No longer following Quentin Marlowe."
    assert "not follow “Nobody”" in await say(core, "/unfollow Nobody")


async def test_a_limit_per_person(core: Sitrep) -> None:
    for name in ("Alpha One", "Beta Two", "Gamma Three"):
        await say(core, f"/follow {name}")
    said = await say(core, "/follow Delta Four")
    assert "3 names already" in said


async def test_an_empty_follow_says_how(core: Sitrep) -> None:
    assert "Follow whom?" in await say(core, "/follow")
    assert "Follow whom?" in await say(core, "/follow ...")


async def test_the_configs_follows_are_resolved_and_only_removed_there(core: Sitrep) -> None:
    [row] = core.store.follows.of("team")
    assert (row.name, row.origin) == ("Mira Okafor", "config")
    from bot.knowledge.follow import following, unfollow

    card = following(core.store, "team")
    assert card.title == "Channel team follows 1 name" and card.follows[0].origin == "config"
    with pytest.raises(Exception, match="in the config file; remove it there"):
        unfollow(core.store, "team", "Okafor", now=DAY)
