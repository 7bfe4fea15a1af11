"""Follows in the store: added once, resolved when the name first appears, synced from the config,
shared by instances, and checked against new stories at the cost of a dict lookup."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.store import Store, follow_index
from bot.store.follows import Target
from tests.fakes.follows import BRIGHTLINE, NORA, brightline, person, report, resignation

NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
ME = "dm:slack:U0READER"


def test_following_twice_is_one_follow(store: Store) -> None:
    first, created = store.follows.add(ME, Target("Castellane", "Castellane"), origin="command", now=NOW)
    again, created_again = store.follows.add(ME, Target("castellane", "castellane"), origin="command", now=NOW)
    assert created and not created_again and again.id == first.id
    assert [f.name for f in store.follows.of(ME)] == ["Castellane"]
    assert store.follows.of("dm:slack:U0OTHER") == []  # one person's follows are theirs
    assert store.follows.remove(first.id, now=NOW) and store.follows.of(ME) == []


def test_a_name_followed_before_the_news_knows_it_resolves_on_first_mention(store: Store) -> None:
    store.follows.add(ME, Target("Castellane", "Castellane"), origin="command", now=NOW)
    _, met = report(store, "Weather report", ["Rain in the afternoon."], [person("Ada Brune")], now=NOW)
    assert met == []
    _, met = resignation(store, NOW)
    assert [(m.follow.recipient, m.resolves) for m in met] == [(ME, True)]
    [row] = store.follows.of(ME)
    assert (row.name, row.kind, row.query) == (NORA, "person", "Castellane")
    later = NOW + timedelta(days=1)
    _, met = report(store, "Brightline names a new autonomy lead", ["Castellane's successor starts Monday."],
                    [person(NORA, "Castellane")], now=later)
    assert [m.resolves for m in met] == [False]  # now by entity id
    assert len(store.follows.hits(ME)) == 2


def test_an_organisation_followed_by_its_short_name_meets_its_full_name(store: Store) -> None:
    store.follows.add("team", Target("Brightline", "Brightline"), origin="config", now=NOW)
    _, met = report(store, "Contract news", ["Brightline Dynamics Inc won."], [brightline()], now=NOW)
    assert [m.follow.recipient for m in met] == ["team"]
    assert store.follows.of("team")[0].name == BRIGHTLINE


def test_resolved_follows_are_matched_by_entity_not_by_a_namesake(store: Store) -> None:
    resignation(store, NOW)
    entity = store.knowledge.find(NORA, person(NORA).kind)
    assert entity is not None
    store.follows.add(ME, Target("Castellane", NORA, entity.id, "person"), origin="command", now=NOW)
    _, met = report(store, "Another Castellane", ["Piet Castellane paints."], [person("Piet Castellane")],
                    now=NOW + timedelta(hours=1))
    assert met == []


def test_hits_are_recorded_once_per_story(store: Store) -> None:
    store.follows.add(ME, Target(NORA, NORA), origin="command", now=NOW)
    story, _ = resignation(store, NOW)
    entity = store.knowledge.find(NORA, person(NORA).kind)
    assert entity is not None
    again = store.follows.index.match([person(NORA)], [entity.id])
    store.follows.record_hits(story, again, now=NOW)  # re-enrichment of the same story
    assert [h.story_id for h in store.follows.hits(ME)] == [story]
    assert store.follows.recipients_with_hits() == [ME]
    assert store.follows.drop_hits(ME, [story]) == 1 and store.follows.hits(ME) == []


def test_a_merged_entity_leaves_its_followers_to_find_it_again(store: Store) -> None:
    report(store, "Castellane speaks", ["Castellane spoke."], [person("Castellane")], now=NOW)
    single = store.knowledge.find("Castellane", person("Castellane").kind)
    assert single is not None
    store.follows.add(ME, Target("Castellane", "Castellane", single.id, "person"), origin="command", now=NOW)
    _, met = resignation(store, NOW + timedelta(hours=1))  # the full name absorbs the surname-only entity
    assert [m.follow.recipient for m in met] == [ME]
    assert store.follows.of(ME)[0].name == NORA


def test_config_follows_are_synced_and_command_follows_kept(store: Store) -> None:
    store.follows.add("team", Target("Ada Brune", "Ada Brune"), origin="cli", now=NOW)
    store.follows.sync_config({"team": [Target("Castellane", "Castellane"), Target(BRIGHTLINE, BRIGHTLINE)]},
                              now=NOW)
    assert {(f.name, f.origin) for f in store.follows.of("team")} == {
        ("Ada Brune", "cli"), ("Castellane", "config"), (BRIGHTLINE, "config")}
    store.follows.sync_config({"team": [Target(BRIGHTLINE, BRIGHTLINE)]}, now=NOW)  # Castellane removed from yaml
    assert {f.name for f in store.follows.of("team")} == {"Ada Brune", BRIGHTLINE}
    store.follows.sync_config({"team": [Target(BRIGHTLINE, BRIGHTLINE)]}, now=NOW)  # a restart: nothing changes
    assert len(store.follows.of("team")) == 2


@pytest.fixture
def at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Instances read the follows' version at most once a second; these tests do not wait."""
    monkeypatch.setattr(follow_index, "VERSION_EVERY", 0.0)


def test_a_second_instance_sees_a_follow_at_its_next_check(store_url: str, at_once: None) -> None:
    one, two = Store.open(store_url), Store.open(store_url)
    try:
        assert len(two.follows.index) == 0  # loaded before the follow existed
        one.follows.add(ME, Target("Castellane", "Castellane"), origin="command", now=NOW)
        _, met = resignation(two, NOW)
        assert [m.follow.recipient for m in met] == [ME]
        assert [h.story_id for h in one.follows.hits(ME)] == [h.story_id for h in two.follows.hits(ME)]
    finally:
        one.close()
        two.close()


def test_the_direct_platforms_are_the_followers(store: Store) -> None:
    store.follows.add(ME, Target("x", "x"), origin="command", now=NOW)
    store.follows.add("dm:discord:53908232506183680", Target("x", "x"), origin="command", now=NOW)
    store.follows.add("team", Target("x", "x"), origin="config", now=NOW)
    assert store.follows.direct_platforms() == {"slack", "discord"}



def test_a_stale_name_match_on_another_instance_is_no_hit(store_url: str, at_once: None) -> None:
    """Resolving does not reload every instance's follows: one that still matches the follow by its
    name meets a namesake, and the store refuses that hit."""
    one, two = Store.open(store_url), Store.open(store_url)
    try:
        one.follows.add(ME, Target("Castellane", "Castellane"), origin="command", now=NOW)
        assert len(two.follows.index) == 1  # two loads the unresolved follow
        resignation(one, NOW)  # one resolves it to Nora Castellane
        _, met = report(two, "Another Castellane", ["Piet Castellane paints."], [person("Piet Castellane")],
                        now=NOW + timedelta(hours=1))
        assert met == [] and len(one.follows.hits(ME)) == 1
        _, met = report(two, "Nora again", ["Nora Castellane spoke."], [person(NORA, "Castellane")],
                        now=NOW + timedelta(hours=2))
        assert [m.follow.recipient for m in met] == [ME]  # by name still, and rightly
    finally:
        one.close()
        two.close()
