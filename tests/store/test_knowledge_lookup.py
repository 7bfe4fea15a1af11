"""The knowledge base across stories: surnames, late full names, spellings of one body, re-enrichment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.models import Enrichment, EntityKind, Event, Quote, Role
from bot.store import Store
from tests.fakes.knowledge import Newsroom, org, person

DAY = datetime(2026, 3, 8, 12, tzinfo=UTC)


def people(store: Store) -> list[str]:
    return sorted(e.name for e in store.knowledge.entities_by_id(list(range(1, 200))) if e.kind is EntityKind.person)


def test_a_surname_alone_is_the_one_person_known_by_it(store: Store) -> None:
    room = Newsroom(store)
    room.publish("Full name first", DAY, [person("Caitlin Brennan", "Brennan")])
    room.publish("Only the surname", DAY + timedelta(days=1), [person("Brennan")],
                 quotes=[Quote("We are done here.", "Brennan", EntityKind.person)])
    assert people(store) == ["Caitlin Brennan"]
    brennan = store.knowledge.find("Caitlin Brennan", EntityKind.person)
    assert brennan is not None and brennan.story_count == 2
    assert [q.text for q in store.knowledge.quotes(brennan.id)] == ["We are done here."]
    views = store.stories.views()
    assert any(q.speaker == "Caitlin Brennan" for v in views for q in v.quotes)  # the stored speaker is the full name


def test_a_full_name_read_later_absorbs_the_earlier_surname(store: Store) -> None:
    room = Newsroom(store)
    room.publish("Surname first", DAY, [person("Brennan", roles=[Role("CEO", "Keel Systems")])],
                 quotes=[Quote("Not yet.", "Brennan", EntityKind.person)])
    room.publish("Full name later", DAY + timedelta(days=1), [person("Caitlin Brennan", "Brennan")])
    assert people(store) == ["Caitlin Brennan"]
    brennan = store.knowledge.find("Caitlin Brennan", EntityKind.person)
    assert brennan is not None and brennan.story_count == 2
    assert [r.title for r in store.knowledge.roles(brennan.id)] == ["CEO"]
    assert [q.text for q in store.knowledge.quotes(brennan.id)] == ["Not yet."]


def test_a_surname_two_people_share_stays_apart(store: Store) -> None:
    room = Newsroom(store)
    room.publish("One", DAY, [person("Caitlin Brennan", "Brennan")])
    room.publish("Two", DAY, [person("Owen Brennan", "Brennan")])
    room.publish("Which?", DAY, [person("Brennan")])
    assert people(store) == ["Brennan", "Caitlin Brennan", "Owen Brennan"]


def test_spellings_of_one_body_are_one_organisation(store: Store) -> None:
    room = Newsroom(store)
    room.publish("One", DAY, [org("Department of Defense", "the US Department of Defence")])
    room.publish("Two", DAY, [org("Department of Defense", "Defense Department")])
    room.publish("Three", DAY, [org("DoD")])
    dod = store.knowledge.find("Defense Department", EntityKind.org)
    assert dod is not None and dod.name == "Department of Defense" and dod.story_count == 3


def test_a_company_the_model_took_for_a_person_is_the_company(store: Store) -> None:
    room = Newsroom(store)
    room.publish("One", DAY, [org("Corvane")])
    room.publish("Two", DAY, [person("Corvane")], quotes=[Quote("We decline.", "Corvane", EntityKind.person)])
    assert people(store) == []
    corvane = store.knowledge.find("Corvane", EntityKind.org)
    assert corvane is not None and corvane.story_count == 2
    assert [q.text for q in store.knowledge.quotes(corvane.id)] == ["We decline."]


def test_re_enriching_a_story_replaces_what_it_taught(store: Store) -> None:
    room = Newsroom(store)
    story = room.publish("Story", DAY, [person("Ada Quint", "Quint", roles=[Role("director", "Keel Systems")],
                                               events=[Event("quit", "departure")]), org("Keel Systems")])
    enrichment = Enrichment("Story", ["A fact."], [], [person("Ada Quint", "Quint", roles=[Role("director", None)])])
    store.knowledge.save(story, enrichment, published=DAY, now=DAY)
    store.knowledge.save(story, enrichment, published=DAY, now=DAY)
    quint = store.knowledge.find("Ada Quint", EntityKind.person)
    assert quint is not None and quint.story_count == 1
    assert [(r.title, r.org) for r in store.knowledge.roles(quint.id)] == [("director", None)]
    assert store.knowledge.events(quint.id) == []
    assert store.knowledge.find("Keel Systems", EntityKind.org) is None  # named by nothing any more


def test_every_save_moves_the_version_readers_cache_by(store: Store) -> None:
    room = Newsroom(store)
    before = store.knowledge.version()
    room.publish("One", DAY, [person("Ada Quint")])
    assert store.knowledge.version() != before


def test_first_and_last_seen_widen_with_each_story(store: Store) -> None:
    room = Newsroom(store)
    room.publish("Middle", DAY, [person("Ada Quint")])
    room.publish("Later", DAY + timedelta(days=5), [person("Ada Quint")])
    room.publish("Earlier", DAY - timedelta(days=5), [person("Ada Quint")])
    quint = store.knowledge.find("Ada Quint", EntityKind.person)
    assert quint is not None and quint.last_seen_at == DAY + timedelta(days=5) and quint.story_count == 3


def test_relevance_of_stories(store: Store) -> None:
    room = Newsroom(store)
    kept = room.publish("Kept", DAY, [], relevant=True)
    dropped = room.publish("Dropped", DAY, [], relevant=False)
    assert store.knowledge.relevance([kept, dropped, "missing"]) == {kept: True, dropped: False}
