"""A store with a realistic amount of news in it, written with bulk inserts in a second or two.

The load and soak tests need what a bot holds after weeks of reading (thousands of stories, people
and organisations with roles and quotes, full-text search over it all), not the handful of stories
the unit tests use, and cannot afford to run NLP over thousands of stories to get it. Names are
invented from syllables (so they never collide with the feed farm's stories or the demo data);
the stories read like short defence-technology reports and are indexed for /news by the store's
own triggers (SQLite) or generated column (PostgreSQL).
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert

from bot.models import EntityKind
from bot.store import Store, knowledge_changes
from bot.store.knowledge_write import entity_key, name_key
from bot.store.schema import entities, entity_aliases, facts, feeds, mentions, quotes, roles, stories, story_sources

SYLLABLES = ["ka", "ri", "to", "ne", "sa", "mo", "la", "vi", "de", "ro", "na", "ti", "be", "lu", "ga", "so", "mi",
             "ra", "ke", "do", "fa", "li", "zu", "ha", "pe", "yo", "ar", "el", "in", "ov"]
ORG_WORDS = ["Dynamics", "Robotics", "Aerospace", "Labs", "Institute", "Agency"]
TITLES = ["chief executive", "head of robotics", "programme director", "analyst", "spokesperson", "colonel",
          "chief technology officer", "senator", "researcher"]
# What the stories are about: the words /news is asked for. None of them is in the feed farm's stories.
SUBJECTS = ["drone swarm", "hypersonic glider", "radar upgrade", "satellite constellation", "cyber range",
            "autonomous submarine", "targeting algorithm", "counter-drone laser", "battlefield cloud",
            "missile interceptor", "robotic resupply", "night-vision goggles", "electronic warfare pod",
            "uncrewed tanker", "quantum navigation"]
VERBS = ["wins a contract for", "tests a", "delays its", "unveils a", "cancels the", "expands the"]
START = datetime(2026, 1, 5, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Bulk:
    """What was written: the names and subjects a test can ask about."""

    people: list[str]
    orgs: list[str]
    subjects: list[str]
    stories: int


def made_up_word(rng: random.Random, parts: int, syllables: Sequence[str] = SYLLABLES) -> str:
    return "".join(rng.choice(syllables) for _ in range(parts)).capitalize()


def made_up_names(rng: random.Random, people: int, orgs: int, *, first_names: int,
                  surname_parts: Sequence[int] = (3,), syllables: Sequence[str] = SYLLABLES,
                  org_words: Sequence[str] = ORG_WORDS) -> tuple[list[str], list[str]]:
    """Made-up people ("Kari Tonesa") and organisations ("Lumo Robotics"), the same for the same seed."""
    firsts = sorted({made_up_word(rng, 2, syllables) for _ in range(first_names)})
    found: set[str] = set()
    while len(found) < people:
        first = rng.choice(firsts)
        parts = rng.choice(surname_parts) if len(surname_parts) > 1 else surname_parts[0]
        found.add(f"{first} {made_up_word(rng, parts, syllables)}")
    companies: set[str] = set()
    while len(companies) < orgs:
        companies.add(f"{made_up_word(rng, 2, syllables)} {rng.choice(org_words)}")
    return sorted(found), sorted(companies)


def build(store: Store, *, stories_count: int = 3000, people: int = 1200, orgs: int = 300,
          seed: int = 11, start: datetime = START) -> Bulk:
    """Write `stories_count` enriched stories naming `people` and `orgs` (skewed, as news is)."""
    rng = random.Random(seed)
    persons, companies = made_up_names(rng, people, orgs, first_names=max(people // 3, 10))
    named = [(n, EntityKind.person) for n in persons] + [(n, EntityKind.org) for n in companies]
    weights = list(itertools.accumulate(1.0 / (rank + 1) ** 0.8 for rank in range(len(named))))
    rows: dict[str, list[dict[str, Any]]] = {"stories": [], "sources": [], "facts": [], "mentions": [], "roles": [],
                                             "quotes": []}
    counts = [0] * len(named)
    position = {pair: i for i, pair in enumerate(named)}
    with store.engine.begin() as c:
        feed_id = c.execute(insert(feeds).values(name="archive", url="https://archive.invalid/feed", origin="config",
                                                 created_at=start, initialized=True, status="ok")).inserted_primary_key
        assert feed_id is not None
        for n in range(stories_count):
            when = start + timedelta(minutes=13 * n)
            subject = rng.choice(SUBJECTS)
            chosen = sorted(set(rng.choices(range(len(named)), cum_weights=weights, k=4)))
            org = next((named[i][0] for i in chosen if named[i][1] is EntityKind.org), rng.choice(companies))
            person = next((named[i][0] for i in chosen if named[i][1] is EntityKind.person), rng.choice(persons))
            title = f"{org} {rng.choice(VERBS)} {subject}"
            sentences = [f"{org} said on Tuesday that the {subject} programme had reached its next milestone.",
                         f"{person}, {rng.choice(TITLES)} at {org}, told reporters the work would take two years.",
                         f"“We are watching the {subject} closely,” {person} said.",
                         f"Officials expect a decision on the {subject} before the end of the quarter."]
            story_id = f"bulk-{n}"
            rows["stories"].append({
                "id": story_id, "title": title, "url": f"https://archive.invalid/{n}", "published_at": when,
                "first_seen_at": when, "updated_at": when, "feed_summary": sentences[0], "text": "\n".join(sentences),
                "relevant": True, "topics": ["ai-defense"], "topic_matches": [], "announce": False,
                "summary": sentences[0], "enriched_at": when})
            rows["sources"].append({"story_id": story_id, "feed_id": int(feed_id[0]), "source_name": "Archive",
                                    "url": f"https://archive.invalid/{n}", "seen_at": when})
            rows["facts"] += [{"story_id": story_id, "position": i, "text": s} for i, s in enumerate(sentences[:2])]
            for index in chosen:
                counts[index] += 1
                rows["mentions"].append({"entity_id": index + 1, "story_id": story_id, "count": 1,
                                         "published_at": when})
            index = position[(person, EntityKind.person)]
            rows["roles"].append({"entity_id": index + 1, "story_id": story_id, "title": rng.choice(TITLES),
                                  "org": org, "former": False, "evidence": sentences[1], "published_at": when})
            rows["quotes"].append({"story_id": story_id, "position": 0, "text": f"We are watching the {subject} "
                                   "closely", "speaker": person, "speaker_kind": "person", "entity_id": index + 1,
                                   "partial": False, "published_at": when})
        c.execute(insert(entities), [{"id": i + 1, "kind": kind.value, "name": name, "key": entity_key(name, kind),
                                      "story_count": counts[i], "first_seen_at": start, "last_seen_at": start}
                                     for i, (name, kind) in enumerate(named)])
        aliases = [{"entity_id": i + 1, "alias_key": name_key(name), "alias": name}
                   for i, (name, _) in enumerate(named)]
        aliases += [{"entity_id": i + 1, "alias_key": name_key(name.split()[-1]), "alias": name.split()[-1]}
                    for i, (name, kind) in enumerate(named) if kind is EntityKind.person]
        c.execute(insert(entity_aliases), aliases)
        c.execute(insert(stories), rows["stories"])
        c.execute(insert(story_sources), rows["sources"])
        c.execute(insert(facts), rows["facts"])
        c.execute(insert(mentions), rows["mentions"])
        c.execute(insert(roles), rows["roles"])
        c.execute(insert(quotes), rows["quotes"])
        knowledge_changes.record(c, None, start)  # written behind the store's back: readers reload in full
    return Bulk(persons, companies, SUBJECTS, stories_count)
