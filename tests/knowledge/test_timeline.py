"""/whois as a timeline: dated roles, moves and quotes in order, old moves dated as the story dates
them, background and pointers left out; and stories a week. The JSON keeps every contract key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.cards import to_json
from bot.knowledge.whois import whois
from bot.models import EntityKind, Event, Quote, Role
from bot.render import plain
from bot.store import Store
from tests.fakes.knowledge import Newsroom, org, person

DAY = datetime(2026, 3, 8, 12, tzinfo=UTC)


@pytest.fixture
def room(store: Store) -> Newsroom:
    room = Newsroom(store)
    room.publish("Vantage Robotics names Mira Okafor hardware chief", DAY - timedelta(days=40), [
        person("Mira Okafor", "Okafor", roles=[Role("head of hardware", "Vantage Robotics")]),
        org("Vantage Robotics")])
    room.publish("Vantage hardware chief resigns over Army deal", DAY, [
        person("Mira Okafor", "Okafor", roles=[Role("head of hardware", "Vantage Robotics")], events=[
            Event("resigned over Army deal", "departure", headline=True,
                  evidence="Vantage hardware chief resigns over Army deal"),
            Event("resigned", "departure", evidence="Mira Okafor has resigned from Vantage Robotics."),
            Event("joined Vantage Robotics", "arrival", "Vantage Robotics",
                  evidence="Okafor joined Vantage Robotics in November 2024."),
            Event("announced the decision", "action", evidence="Okafor announced the decision on Saturday."),
            Event("led work on satellite radios", "action",
                  evidence="She had been at Meridian, where she led work on satellite radios.")])],
        quotes=[Quote("This was a line I would not cross.", "Mira Okafor", EntityKind.person)])
    room.publish("Okafor's exit deepens rift at Vantage", DAY + timedelta(days=1), [
        person("Mira Okafor", "Okafor", events=[Event("quit over Army deal", "departure",
                                                      evidence="Okafor quit over the Army deal.")])])
    return room


def test_the_timeline_reads_in_order(room: Newsroom, store: Store) -> None:
    card = whois(store, "Okafor", now=DAY + timedelta(days=2))
    assert card.match is not None
    lines = [(t.date, t.kind, t.text) for t in card.match.timeline]
    assert lines == [
        ("2024-11", "event", "joined Vantage Robotics"),
        ((DAY - timedelta(days=40)).date().isoformat(), "role", "Vantage Robotics' head of hardware"),
        ("2026-03-08", "event", "resigned over Army deal"),  # three outlets' words, one move: the headline's
        ("2026-03-08", "quote", "said “This was a line I would not cross.”"),
    ]
    assert all(t.story and t.story.startswith("https://wire.invalid/") for t in card.match.timeline)
    text = plain.render(card)
    assert "Timeline:\n  • 2024-11 joined Vantage Robotics" in text
    assert "  • 2026-03-08 resigned over Army deal" in text


def test_stories_a_week_end_with_the_newest_story(room: Newsroom, store: Store) -> None:
    card = whois(store, "Mira Okafor", now=DAY + timedelta(days=300))
    assert card.match is not None
    weeks = card.match.mentions_by_week
    # Ending with the newest story (Monday 9 March), not 300 days later: Sunday's story is the week before.
    assert len(weeks) == 12 and sum(weeks) == 3 and weeks[-2:] == [1, 1]
    assert card.match.weeks_from is not None
    assert datetime.fromisoformat(card.match.weeks_from).weekday() == 0  # a Monday


def test_the_json_keeps_the_contract_and_adds_the_timeline(room: Newsroom, store: Store) -> None:
    data = to_json(whois(store, "Okafor", now=DAY + timedelta(days=2)))
    match = data["match"]
    assert {"name", "kind", "aliases", "description", "roles", "quotes", "mentions", "related"} <= set(match)
    assert {"timeline", "mentions_by_week"} <= set(match)
    assert all({"date", "kind", "text", "story"} <= set(t) for t in match["timeline"])
    assert {t["kind"] for t in match["timeline"]} <= {"role", "event", "quote"}
    assert all(isinstance(n, int) for n in match["mentions_by_week"])
