"""Merges keep every reference whole, on both backends: the ways real news makes names meet.

Each test is a shape seen in real articles (a surname before the full name in one story, a title
glued on the name, a name that is also a company's) written with made-up people; the invariants
after each save are those the state machine in test_knowledge_integrity.py checks at random.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from bot.models import Enrichment, EntityKind, ExtractedEntity, Quote, Role
from bot.store import NewStory, Store, name_key
from bot.store.schema import roles
from tests.store.knowledge_invariants import check_invariants

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
PERSON, ORG = EntityKind.person, EntityKind.org


def person(name: str, *aliases: str, roles: list[Role] | None = None) -> ExtractedEntity:
    return ExtractedEntity(name, PERSON, aliases=set(aliases), roles=roles or [])


def org(name: str) -> ExtractedEntity:
    return ExtractedEntity(name, ORG)


Publish = Callable[..., str]


@pytest.fixture
def save(store: Store) -> Publish:
    feed = store.feeds.add(name="f", url="https://example.org/f", topics=None, added_by="t", now=NOW)
    made: list[str] = []

    def publish(*entities: ExtractedEntity, quotes: list[Quote] | None = None) -> str:
        story_id = f"s{len(made)}"
        when = NOW + timedelta(hours=len(made))
        store.stories.store(NewStory(id=story_id, title=story_id, url=f"https://example.org/{story_id}",
                                     canonical_url=None, guid=None, title_key=None, published_at=when,
                                     feed_summary="", text="text", relevant=True),
                            feed_id=feed.id, source_name="Example", now=when)
        store.knowledge.save(story_id, Enrichment("Summary.", ["A fact."], quotes or [], list(entities)),
                             published=when, now=when)
        made.append(story_id)
        check_invariants(store)
        return story_id

    return publish


def ids(store: Store, name: str, kind: EntityKind = PERSON) -> list[int]:
    return [r.id for r in store.knowledge.by_alias(name_key(name), kind=kind)]


def test_a_surname_met_before_the_full_name_in_one_story(store: Store, save: Publish) -> None:
    # The crash seen on real news: the story names "Okoro" first, then "Tamsin Okoro", who absorbs the
    # surname entity the story was still holding; its aliases were written for an id that was gone.
    save(person("Okoro"))
    save(person("Okoro"), person("Tamsin Okoro", "Okoro"),
         quotes=[Quote("We are ready.", "Okoro", PERSON), Quote("We will see.", "Tamsin Okoro", PERSON)])
    [okoro] = ids(store, "Okoro")
    assert ids(store, "Tamsin Okoro") == [okoro]
    entity = store.knowledge.entity(okoro)
    assert entity is not None and (entity.name, entity.story_count) == ("Tamsin Okoro", 2)
    assert sorted(q.text for q in store.knowledge.quotes(okoro)) == ["We are ready.", "We will see."]


def test_a_title_glued_on_the_name(store: Store, save: Publish) -> None:
    save(person("Okoro"), person("Chairperson Tamsin Okoro", "Okoro"), person("Tamsin Okoro", "Okoro"))
    save(person("Tamsin Okoro"), person("Okoro"))
    assert len(ids(store, "Tamsin Okoro")) == 1


def test_a_surname_absorbed_keeps_the_roles_read_about_it(store: Store, save: Publish) -> None:
    save(person("Okoro", roles=[Role("director", "Keel Systems")]), org("Keel Systems"))
    save(person("Tamsin Okoro", "Okoro"))
    [okoro] = ids(store, "Tamsin Okoro")
    assert [(r.title, r.org) for r in store.knowledge.roles(okoro)] == [("director", "Keel Systems")]


def test_the_same_name_as_person_and_organisation(store: Store, save: Publish) -> None:
    save(org("Varga"), person("Varga"))
    save(person("Ilona Varga", "Varga"), org("Varga"), quotes=[Quote("Fine.", "Varga", ORG)])
    save(person("Varga"), person("Ilona Varga"))
    assert len(ids(store, "Varga", ORG)) == 1
    assert len(ids(store, "Ilona Varga")) == 1


def test_case_accent_and_possessive_variants_are_one_person(store: Store, save: Publish) -> None:
    save(person("NÚÑEZ"), person("núñez’s"))
    save(person("Lena Núñez", "Nunez"), person("Nunez's"))
    assert len(ids(store, "lena nunez")) == 1


def test_re_enriching_a_story_that_absorbed_a_surname(store: Store, save: Publish) -> None:
    first = save(person("Okoro"))
    second = save(person("Tamsin Okoro", "Okoro"))
    # The story is read again (a fuller text arrived) and no longer names her: the other story still does.
    store.knowledge.save(second, Enrichment("Summary.", [], [], []), published=NOW, now=NOW)
    check_invariants(store)
    [okoro] = ids(store, "Okoro")
    assert [m.story_id for m in store.knowledge.mentions(okoro)] == [first]


def test_an_entity_with_a_surviving_role_is_kept_when_its_story_stops_naming_it(store: Store, save: Publish) -> None:
    story = save(person("Ilona Varga", roles=[Role("analyst", None)]))
    other = save(person("Ilona Varga", roles=[Role("director", None)]))
    [varga] = ids(store, "Ilona Varga")
    # Retention pruned both stories' links from the roles (as it does): the roles are all that is left.
    with store.engine.begin() as c:
        c.execute(update(roles).where(roles.c.story_id == other).values(story_id=None))
        c.execute(update(roles).where(roles.c.story_id == story).values(story_id=None))
    store.knowledge.save(story, Enrichment("Summary.", [], [], []), published=NOW, now=NOW)
    store.knowledge.save(other, Enrichment("Summary.", [], [], []), published=NOW, now=NOW)
    check_invariants(store)
    entity = store.knowledge.entity(varga)
    assert entity is not None and entity.story_count == 0
    assert sorted(r.title for r in store.knowledge.roles(varga)) == ["analyst", "director"]
