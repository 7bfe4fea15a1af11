"""The whole NLP stage on labelled stories in several outlets' styles (tests/fakes/newsroom.py):
every quote found with its speaker, no scare quote or title taken for a statement, people and
organisations told apart, roles with their organisations, and events."""

from __future__ import annotations

import re

import pytest

from bot.config.settings import NlpConfig
from bot.knowledge.enrich import Enricher, StoryText
from bot.models import Enrichment, EntityKind
from tests.fakes.newsroom import STORIES, Labelled


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')).lower()


@pytest.fixture(scope="module")
def enriched() -> dict[str, Enrichment]:
    enricher = Enricher(NlpConfig())
    results = enricher.enrich([StoryText(s.title, s.text) for s in STORIES])
    return {s.key: r for s, r in zip(STORIES, results, strict=True)}


@pytest.mark.parametrize("story", STORIES, ids=lambda s: s.key)
def test_every_quote_with_its_speaker(story: Labelled, enriched: dict[str, Enrichment]) -> None:
    quotes = enriched[story.key].quotes
    for snippet, speaker in story.quotes:
        found = [q for q in quotes if norm(snippet) in norm(q.text)]
        assert found, f"quote not found: {snippet!r} in {[q.text for q in quotes]}"
        assert speaker is None or (found[0].speaker and speaker.lower() in found[0].speaker.lower()), \
            f"{snippet!r}: speaker {found[0].speaker!r}, want {speaker}"
    for snippet in story.not_quotes:
        assert not any(norm(snippet) in norm(q.text) for q in quotes), f"{snippet!r} is not a statement"


@pytest.mark.parametrize("story", STORIES, ids=lambda s: s.key)
def test_people_and_organisations(story: Labelled, enriched: dict[str, Enrichment]) -> None:
    entities = {(e.name, e.kind) for e in enriched[story.key].entities}
    for person in story.people:
        assert (person, EntityKind.person) in entities, f"{person} missing: {sorted(entities)}"
    for org in story.orgs:
        assert any(kind is EntityKind.org and org.lower() in name.lower() for name, kind in entities), \
            f"{org} missing: {sorted(entities)}"
    for name in story.not_entities:
        assert not any(name in n for n, _ in entities), f"{name} is not in the news"


@pytest.mark.parametrize("story", [s for s in STORIES if s.roles], ids=lambda s: s.key)
def test_roles_with_their_organisations(story: Labelled, enriched: dict[str, Enrichment]) -> None:
    people = {e.name: e for e in enriched[story.key].entities if e.kind is EntityKind.person}
    for person, title, org, former in story.roles:
        roles = people[person].roles
        match = [r for r in roles if title.lower() in r.title.lower()]
        assert match, f"{person}: no role like {title!r} in {roles}"
        role = match[0]
        assert (org is None and role.org is None) or (org and role.org and org.lower() in role.org.lower()), \
            f"{person} {title}: org {role.org!r}, want {org!r}"
        assert role.former is former
        assert role.evidence  # each role keeps the sentence it was read from


def test_a_who_clause_telling_an_event_is_not_a_role(enriched: dict[str, Enrichment]) -> None:
    mehta = next(e for e in enriched["statement-and-department-titles"].entities if e.name == "Rohan Mehta")
    assert not any("joined" in r.title for r in mehta.roles)


@pytest.mark.parametrize("story", [s for s in STORIES if s.events], ids=lambda s: s.key)
def test_events(story: Labelled, enriched: dict[str, Enrichment]) -> None:
    people = {e.name: e for e in enriched[story.key].entities if e.kind is EntityKind.person}
    for person, words in story.events:
        assert any(words in e.text for e in people[person].events), people[person].events


def test_possessives_articles_and_variants_are_one_name(enriched: dict[str, Enrichment]) -> None:
    names = {e.name for r in enriched.values() for e in r.entities}
    assert not any(n.endswith(("’s", "'s")) or n.lower().startswith("the ") for n in names), names
    navy = next(e for e in enriched["ap-said-x"].entities if "Navy" in e.name)
    assert navy.aliases == {"Navy"}  # "the U.S. Navy" and "the Navy": one organisation


def test_facts_are_whole_sentences(enriched: dict[str, Enrichment]) -> None:
    for story in STORIES:
        facts = enriched[story.key].facts
        assert 1 <= len(facts) <= 5 and len(" ".join(facts)) <= 900
        for fact in facts:
            assert any(fact in paragraph for paragraph in story.paragraphs), fact
            assert fact.count("“") == fact.count("”"), f"a fact cut a quotation: {fact}"
        assert "Getty" not in " ".join(facts) and "@kwatanabe" not in " ".join(facts)


def test_stories_the_topics_dropped_get_facts_and_quotes_but_no_knowledge() -> None:
    story = STORIES[0]
    (result,) = Enricher(NlpConfig(full_for="relevant")).enrich([StoryText(story.title, story.text,
                                                                            relevant=False)])
    assert result.entities == [] and result.facts
    speakers = {q.speaker for q in result.quotes}
    assert "Laura Mendez" in speakers and "Peter Hollis" in speakers
    (everything,) = Enricher(NlpConfig()).enrich([StoryText(story.title, story.text, relevant=False)])
    assert everything.entities
