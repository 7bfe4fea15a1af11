"""The knowledge repository on both backends: entities, aliases, roles, quotes and mentions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.models import Enrichment, EntityKind, ExtractedEntity, Quote, Role
from bot.store import NewStory, Store, name_key

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
PERSON, ORG = EntityKind.person, EntityKind.org


def jane(*, count: int = 2, roles: list[Role] | None = None) -> ExtractedEntity:
    return ExtractedEntity("Jane Roe", PERSON, aliases={"Roe", "Jane Roe's"}, count=count,
                           roles=roles if roles is not None else [Role("chief of robotics", "Acme AI")])


def enrichment(*entities: ExtractedEntity, quotes: list[Quote] | None = None) -> Enrichment:
    return Enrichment("Summary.", ["Fact one.", "Fact two."], quotes or [], list(entities))


@pytest.fixture
def stories(store: Store) -> list[str]:
    feed = store.feeds.add(name="f", url="https://example.org/f", topics=None, added_by="t", now=NOW)
    ids = []
    for i in range(3):
        published = NOW - timedelta(days=3 - i)
        store.stories.store(NewStory(id=f"s{i}", title=f"Story {i}", url=f"https://example.org/{i}",
                                     canonical_url=None, guid=None, title_key=None, published_at=published,
                                     feed_summary="", text="text", relevant=True), feed_id=feed.id,
                            source_name="Example", now=published)
        ids.append(f"s{i}")
    return ids


def only(store: Store, name: str) -> int:
    [row] = store.knowledge.by_alias(name_key(name))
    return row.id


def test_save_records_entities_aliases_roles_and_quotes(store: Store, stories: list[str]) -> None:
    acme = ExtractedEntity("Acme AI", ORG)
    store.knowledge.save("s0", enrichment(jane(), acme, quotes=[
        Quote("We will field it this year.", "Jane Roe", PERSON), Quote("game changer", "Jane Roe", PERSON, True)]),
        published=NOW - timedelta(days=3), now=NOW)
    jane_id = only(store, "Jane Roe")
    assert only(store, "roe") == jane_id  # surname alias, any case
    assert only(store, "Jane Roe’s") == jane_id  # possessive with a typographic apostrophe
    # "Jane Roe's" normalises to the same key as "Jane Roe": one alias row for both.
    assert sorted(name_key(a) for a in store.knowledge.aliases(jane_id)) == ["jane roe", "roe"]
    entity = store.knowledge.entity(jane_id)
    assert entity is not None and (entity.kind, entity.story_count) == (PERSON, 1)
    assert entity.last_seen_at == NOW - timedelta(days=3)
    [role] = store.knowledge.roles(jane_id)
    assert (role.title, role.org, role.former, role.story_id) == ("chief of robotics", "Acme AI", False, "s0")
    # Partial quotes (a phrase inside the reporter's sentence) are not the speaker's words on record.
    assert [q.text for q in store.knowledge.quotes(jane_id)] == ["We will field it this year."]
    assert store.knowledge.quotes(jane_id)[0].story_url == "https://example.org/0"
    assert [(e.name, n) for e, n in store.knowledge.related(jane_id)] == [("Acme AI", 1)]


def test_resaving_a_story_is_idempotent(store: Store, stories: list[str]) -> None:
    for _ in range(3):
        store.knowledge.save("s0", enrichment(jane(), quotes=[Quote("Yes.", "Jane Roe", PERSON)]),
                             published=NOW, now=NOW)
    jane_id = only(store, "Jane Roe")
    assert store.knowledge.entity(jane_id).story_count == 1  # type: ignore[union-attr]
    assert len(store.knowledge.roles(jane_id)) == 1
    assert len(store.knowledge.quotes(jane_id)) == 1
    assert len(store.knowledge.mentions(jane_id)) == 1
    assert store.stories.views(ids=["s0"])[0].facts == ["Fact one.", "Fact two."]
    # Re-enriching without the entity takes the story out of the profile; named nowhere, the entity goes.
    store.knowledge.save("s0", enrichment(), published=NOW, now=NOW)
    assert store.knowledge.entity(jane_id) is None
    assert store.knowledge.mentions(jane_id) == []


def test_one_entity_across_stories(store: Store, stories: list[str]) -> None:
    for i, story_id in enumerate(stories):
        store.knowledge.save(story_id, enrichment(jane(count=i + 1)), published=NOW - timedelta(days=3 - i),
                             now=NOW)
    jane_id = only(store, "Jane Roe")
    entity = store.knowledge.entity(jane_id)
    assert entity is not None and entity.story_count == 3
    assert entity.last_seen_at == NOW - timedelta(days=1)
    assert [m.story_id for m in store.knowledge.mentions(jane_id)] == ["s2", "s1", "s0"]
    assert [m.story_id for m in store.knowledge.mentions(jane_id, limit=2)] == ["s2", "s1"]
    assert [r.story_id for r in store.knowledge.roles(jane_id)] == ["s2", "s1", "s0"]
    assert store.knowledge.names() == ["Jane Roe"]
    assert store.knowledge.names(prefix="ja") == ["Jane Roe"]
    assert store.knowledge.names(prefix="zz") == []


def test_a_person_named_like_a_known_organisation_is_that_organisation(store: Store, stories: list[str]) -> None:
    # spaCy's small model tags some companies as people; the store knows better once it has seen the org.
    store.knowledge.save("s0", enrichment(ExtractedEntity("Anduril", ORG), ExtractedEntity("Anduril", PERSON)),
                         published=NOW, now=NOW)
    assert [r.kind for r in store.knowledge.by_alias("anduril")] == [ORG]
    assert store.knowledge.by_alias("anduril", kind=PERSON) == []


def test_prefix_lookups_treat_like_wildcards_as_text(store: Store, stories: list[str]) -> None:
    store.knowledge.save("s0", enrichment(jane(), ExtractedEntity("Shield_AI", ORG)), published=NOW, now=NOW)
    names = store.knowledge.name_index
    assert [e.name for e in names.entities(names.prefix("jan"))] == ["Jane Roe"]
    assert store.knowledge.names(prefix="jan") == ["Jane Roe"]
    assert store.knowledge.names(prefix="shield_") == ["Shield_AI"]
    assert store.knowledge.names(prefix="%") == []
    assert store.knowledge.names(prefix="_ane") == []
    assert names.exact("roe") == [only(store, "Jane Roe")]


def test_undated_mentions_and_roles_come_after_dated_ones(store: Store, stories: list[str]) -> None:
    store.knowledge.save("s0", enrichment(jane()), published=None, now=NOW)
    store.knowledge.save("s1", enrichment(jane()), published=NOW - timedelta(days=2), now=NOW)
    jane_id = only(store, "Jane Roe")
    assert [m.story_id for m in store.knowledge.mentions(jane_id)] == ["s1", "s0"]
    assert [r.story_id for r in store.knowledge.roles(jane_id)] == ["s1", "s0"]


@pytest.mark.parametrize(("name", "key"), [
    ("Jane Roe", "jane roe"), ("José Núñez", "jose nunez"), ("Jane Roe’s", "jane roe"), ("  A.I.  Corp ", "a i corp"),
])
def test_name_key(name: str, key: str) -> None:
    assert name_key(name) == key
