"""/whois: lookups by any name form, candidates, unknown names, and a card built from stored data only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.cards import to_json
from bot.knowledge.whois import find, whois
from bot.models import EntityKind, Event, Quote, Role
from bot.store import Store
from tests.fakes.knowledge import Newsroom, org, person

DAY = datetime(2026, 3, 8, 12, tzinfo=UTC)


@pytest.fixture
def newsroom(store: Store) -> Newsroom:
    room = Newsroom(store)
    room.publish("Vantage Robotics hires Mira Okafor as hardware chief", DAY - timedelta(days=400), [
        person("Mira Okafor", "Okafor", roles=[Role("head of hardware", "Vantage Robotics")],
               events=[Event("joined Vantage Robotics", "arrival", "Vantage Robotics")]),
        org("Vantage Robotics"), org("Lumen Labs")])
    room.publish("Lumen Labs names new chief executive", DAY - timedelta(days=300), [
        person("Daniel Osei", "Osei", roles=[Role("CEO", "Lumen Labs")]), org("Lumen Labs")])
    room.publish("Vantage Robotics hardware chief resigns over Army deal", DAY, [
        person("Mira Okafor", "Okafor", roles=[Role("head of hardware", "Vantage Robotics")],
               events=[Event("resigned over Army deal", "departure", None, headline=True)]),
        person("Daniel Osei", "Osei", roles=[Role("chief executive", "Lumen Labs")]),
        org("Vantage Robotics"), org("the U.S. Army", "Army")],
        quotes=[Quote("This was a line I would not cross.", "Mira Okafor", EntityKind.person),
                Quote("reckless", "Mira Okafor", EntityKind.person, partial=True)])
    room.publish("Okafor's old team at Meridian Systems", DAY - timedelta(days=500), [
        person("Mira Okafor", "Okafor", roles=[Role("hardware engineer", "Meridian Systems", former=True)]),
        org("Meridian Systems")])
    return room


@pytest.mark.parametrize("query", ["Mira Okafor", "okafor", "OKAFOR", "Okafór", "Mira", "Okaf", "Okafro",
                                   "Mira Okafer", "  mira   okafor "])
def test_one_lookup_finds_her_by_any_form(newsroom: Newsroom, store: Store, query: str) -> None:
    card = whois(store, query)
    assert card.match is not None, card.message
    assert card.match.name == "Mira Okafor"


def test_the_card_reads_like_a_colleague(newsroom: Newsroom, store: Store) -> None:
    card = whois(store, "Okafor")
    assert card.match is not None
    profile = card.match
    assert profile.description == ("Mira Okafor — Vantage Robotics' head of hardware until March 2026; "
                                   "resigned over Army deal; previously Meridian Systems (hardware engineer)")
    current = profile.roles[0]
    assert (current.title, current.org, current.former) == ("head of hardware", "Vantage Robotics", False)
    assert current.until == DAY and current.since == DAY - timedelta(days=400) and current.reported == DAY
    assert [q.text for q in profile.quotes] == ["This was a line I would not cross."]  # partial quotes left out
    assert profile.quotes[0].story_url == "https://wire.invalid/3"
    assert profile.mentions[0].title == "Vantage Robotics hardware chief resigns over Army deal"
    assert profile.story_count == 3
    assert {"Vantage Robotics", "Daniel Osei"} <= {r.name for r in profile.related}
    assert profile.events[0].text == "resigned over Army deal"
    data = to_json(card)
    assert {"name", "kind", "aliases", "description", "roles", "quotes", "mentions", "related"} <= set(data["match"])


def test_the_same_card_from_postgresql(tmp_path: object) -> None:
    from tests.fakes.postgres import temporary_database

    with temporary_database() as url:
        store = Store.open(url)
        try:
            room = Newsroom(store)
            room.publish("Lumen Labs names new chief executive", DAY, [
                person("Daniel Osei", "Osei", roles=[Role("CEO", "Lumen Labs")],
                       events=[Event("was named CEO", "arrival", "Lumen Labs", headline=True)]), org("Lumen Labs")],
                quotes=[Quote("We start tomorrow.", "Daniel Osei", EntityKind.person)])
            card = whois(store, "osei")
            assert card.match is not None
            assert card.match.description == "Daniel Osei — Lumen Labs' CEO; was named CEO"
            assert [q.text for q in card.match.quotes] == ["We start tomorrow."]
            assert whois(store, "Ose").match is not None and whois(store, "Oesi").match is not None
            room.publish("Another Osei", DAY, [person("Ama Osei", "Osei", roles=[Role("analyst", "Lumen Labs")])])
            ambiguous = whois(store, "Osei")
            assert ambiguous.match is None
            assert {c.description for c in ambiguous.candidates} == {
                "Daniel Osei — Lumen Labs' CEO; was named CEO", "Ama Osei — Lumen Labs' analyst"}
        finally:
            store.close()


def test_titles_written_two_ways_are_one_role(newsroom: Newsroom, store: Store) -> None:
    card = whois(store, "Osei")
    assert card.match is not None
    assert len(card.match.roles) == 1 and card.match.roles[0].org == "Lumen Labs"
    assert card.match.description.startswith("Daniel Osei — Lumen Labs' ")


def test_organisations_have_cards_with_their_people(newsroom: Newsroom, store: Store) -> None:
    card = whois(store, "vantage robotics")
    assert card.match is not None and card.match.kind == "org"
    assert "Mira Okafor (head of hardware)" in card.match.description
    assert whois(store, "Army").match is not None  # "the U.S. Army" was stored without its article


def test_an_ambiguous_name_lists_candidates(newsroom: Newsroom, store: Store) -> None:
    for n in range(2):  # Mira's 3 stories are not 3 times Tunde's 2: no one dominates
        newsroom.publish(f"Second Okafor in the news {n}", DAY, [person("Tunde Okafor", "Okafor",
                                                                        roles=[Role("analyst", "Lumen Labs")])])
    card = whois(store, "Okafor")
    assert card.match is None
    assert {c.name for c in card.candidates} == {"Mira Okafor", "Tunde Okafor"}
    assert "which one" in card.message
    assert all(c.description for c in card.candidates)


def test_a_name_far_more_in_the_news_wins(newsroom: Newsroom, store: Store) -> None:
    newsroom.publish("Mention", DAY, [person("Tunde Okafor", "Okafor")])
    for i in range(6):
        newsroom.publish(f"More on Mira {i}", DAY, [person("Mira Okafor", "Okafor")])
    card = whois(store, "Okafor")
    assert card.match is not None and card.match.name == "Mira Okafor"


def test_an_unknown_name_gets_a_clear_answer_with_suggestions(newsroom: Newsroom, store: Store) -> None:
    card = whois(store, "Zzyzx Quellington")
    assert card.match is None and card.candidates == []
    assert card.message == "Nobody called “Zzyzx Quellington” appears in the news read so far."
    close = whois(store, "Mira Okonjo")
    assert close.match is None
    assert "Did you mean Mira Okafor" in close.message
    assert whois(store, "   ").match is None


def test_lookups_never_parse_stories(newsroom: Newsroom, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    import bot.knowledge.nlp

    def forbidden(*_: object) -> None:
        raise AssertionError("a lookup loaded the NLP model")

    monkeypatch.setattr(bot.knowledge.nlp, "spacy_model", forbidden)
    monkeypatch.setattr(bot.knowledge.nlp, "sentences", forbidden)
    assert whois(store, "Okafor").match is not None


def test_the_name_index_follows_new_stories(newsroom: Newsroom, store: Store) -> None:
    assert find(store, "Ingrid Halvorsen").how == "suggest"
    newsroom.publish("New face", DAY, [person("Ingrid Halvorsen", "Halvorsen")])
    assert find(store, "Halvorsen").how == "exact"


def test_description_stays_one_line_of_at_most_300_characters(newsroom: Newsroom, store: Store) -> None:
    long_role = Role("chair of the " + "very " * 60 + "long committee", "Lumen Labs")
    newsroom.publish("Long", DAY, [person("Mira Okafor", "Okafor", roles=[long_role],
                                          events=[Event("did " + "many things " * 40, "action")])])
    card = whois(store, "Okafor")
    assert card.match is not None
    assert len(card.match.description) <= 300 and "\n" not in card.match.description


def test_one_person_written_with_and_without_a_middle_initial_is_one_answer(store: Store) -> None:
    room = Newsroom(store)
    # One story writes "Paul D. Ryan" and "Paul Ryan" (one entity, both names), another only "Paul Ryan" (stored
    # apart), a third the name with a suffix.
    room.publish("Budget talks", DAY - timedelta(days=3), [
        person("Owen T. Marsh", "Marsh", "Owen Marsh", roles=[Role("Speaker", "House")])])
    room.publish("Budget vote", DAY - timedelta(days=2), [
        person("Owen Marsh", "Marsh", roles=[Role("convention chair", None)])])
    room.publish("Budget signed", DAY - timedelta(days=1), [
        person("Owen T. Marsh Jr.", "Marsh", roles=[Role("Representative", "House")])])
    card = whois(store, "Owen Marsh")
    assert card.match is not None, card.message
    assert {(r.title, r.org) for r in card.match.roles} >= {("Speaker", "House"), ("convention chair", None)}
    full = whois(store, "Owen T. Marsh Jr.")
    assert full.match is not None
    assert {(r.title, r.org) for r in full.match.roles} >= {("Representative", "House"), ("convention chair", None)}


def test_different_middle_names_stay_different_people(store: Store) -> None:
    room = Newsroom(store)
    room.publish("One", DAY, [person("John Paul Whitcombe", roles=[Role("analyst", "Lumen Labs")])])
    room.publish("Two", DAY, [person("John Peter Whitcombe", roles=[Role("pilot", "Vantage Robotics")])])
    card = whois(store, "John Paul Whitcombe")
    assert card.match is not None
    assert [(r.title, r.org) for r in card.match.roles] == [("analyst", "Lumen Labs")]
