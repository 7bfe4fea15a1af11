"""/whois latency on a big store: 100,000 stories and 20,000 people and organisations.

The store is generated here (invented names, skewed so some names are in thousands of stories, as in
real news) and written with bulk inserts; then a mix of lookups runs as users type them: full names,
surnames, prefixes, typos, organisations, and names nobody has. Figures: whois.p50_ms, whois.p99_ms
(each lookup builds the whole card: description, roles, quotes, mentions, related names).
"""

from __future__ import annotations

import itertools
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from bot.knowledge.whois import whois
from bot.models import Enrichment, EntityKind, ExtractedEntity
from bot.store import Store, knowledge_changes
from bot.store.knowledge_write import name_key
from bot.store.schema import entities, entity_aliases, events, mentions, quotes, roles, stories
from tests.fakes.bulk import made_up_names, made_up_word

STORIES = 100_000
PEOPLE = 16_000
ORGS = 4_000
PER_STORY = 5
QUERIES = 600
SYLLABLES = ["ka", "ri", "to", "ne", "sa", "mo", "la", "vi", "de", "ro", "na", "ti", "be", "lu", "ga", "so", "mi",
             "ra", "ke", "do", "fa", "li", "zu", "ha", "pe", "yo", "ar", "el", "in", "ov", "ski", "son", "berg", "wal",
             "mar", "ten", "ford", "ley"]
TITLES = ["chief executive", "head of robotics", "researcher", "analyst", "director", "spokesperson", "colonel",
          "chief technology officer", "senator", "engineer"]
ORG_WORDS = ["Systems", "Labs", "Dynamics", "Robotics", "Institute", "Agency", "Group", "Aerospace"]


def build(store: Store, rng: random.Random) -> tuple[list[str], list[str]]:
    people, orgs = made_up_names(rng, PEOPLE, ORGS, first_names=1500, surname_parts=(2, 3), syllables=SYLLABLES,
                                 org_words=ORG_WORDS)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    names = [(n, "person") for n in people] + [(n, "org") for n in orgs]
    with store.engine.begin() as c:
        aliases: list[dict[str, Any]] = []
        for i, (name, kind) in enumerate(names):
            aliases.append({"entity_id": i + 1, "alias_key": name_key(name), "alias": name})
            if kind == "person":
                aliases.append({"entity_id": i + 1, "alias_key": name_key(name.split()[-1]),
                                "alias": name.split()[-1]})
        weights = list(itertools.accumulate(1.0 / (rank + 1) ** 0.9 for rank in range(len(names))))  # skewed
        rows: list[dict[str, Any]] = []
        counts = [0] * len(names)
        story_rows, role_rows, event_rows, quote_rows = [], [], [], []
        for n in range(STORIES):
            when = start + timedelta(minutes=7 * n)
            story_id = f"s{n}"
            story_rows.append({"id": story_id, "title": f"Story {n} about defense technology", "url":
                               f"https://bench.invalid/{n}", "published_at": when, "first_seen_at": when,
                               "updated_at": when, "text": f"Story {n}.", "relevant": True, "topics": [],
                               "topic_matches": [], "summary": f"Summary of story {n}."})
            chosen = set(rng.choices(range(len(names)), cum_weights=weights, k=PER_STORY))
            for index in chosen:
                counts[index] += 1
                rows.append({"entity_id": index + 1, "story_id": story_id, "count": 1, "published_at": when})
                if names[index][1] == "person" and rng.random() < 0.3:
                    role_rows.append({"entity_id": index + 1, "story_id": story_id, "title": rng.choice(TITLES),
                                      "org": rng.choice(orgs), "former": rng.random() < 0.2, "evidence": "",
                                      "published_at": when})
                if names[index][1] == "person" and rng.random() < 0.2:
                    quote_rows.append({"story_id": story_id, "position": 0, "text": f"Quote {n}.",
                                       "speaker": names[index][0], "speaker_kind": "person",
                                       "entity_id": index + 1, "partial": False, "published_at": when})
                if names[index][1] == "person" and rng.random() < 0.1:
                    event_rows.append({"entity_id": index + 1, "story_id": story_id, "text": "resigned over a deal",
                                       "kind": "departure", "org": None, "headline": False, "evidence": "",
                                       "published_at": when})
        c.execute(insert(entities), [{"id": i + 1, "kind": kind, "name": name, "key": name_key(name),
                                      "story_count": counts[i], "first_seen_at": start, "last_seen_at": start}
                                     for i, (name, kind) in enumerate(names)])
        c.execute(insert(entity_aliases), aliases)
        c.execute(insert(stories), story_rows)
        c.execute(insert(mentions), rows)
        c.execute(insert(roles), role_rows)
        c.execute(insert(quotes), quote_rows)
        c.execute(insert(events), event_rows)
        knowledge_changes.record(c, None, start)  # written behind the store's back: readers reload in full
    return people, orgs


def index_upkeep(store: Store, people: list[str], orgs: list[str], saves: int = 15) -> tuple[float, float]:
    """(median ms to load the name index in full, median ms for a lookup to follow one saved story)."""
    index = store.knowledge.name_index
    full = []
    for _ in range(3):
        started = time.perf_counter()
        index._load(store.knowledge.version())
        full.append((time.perf_counter() - started) * 1000)
    index.exact("warm")  # current again
    start = datetime(2025, 6, 1, tzinfo=UTC)
    patches = []
    for n in range(saves):
        story_id = f"upkeep-{n}"
        with store.engine.begin() as c:
            c.execute(insert(stories).values(id=story_id, title=f"Story {story_id}", published_at=start,
                                             first_seen_at=start, updated_at=start, text="", relevant=True,
                                             topics=[], topic_matches=[], summary=""))
        named = [ExtractedEntity(people[n * 7 + i], EntityKind.person) for i in range(4)]
        named += [ExtractedEntity(orgs[n], EntityKind.org), ExtractedEntity(f"Newcomer {n} Okafor", EntityKind.person)]
        store.knowledge.save(story_id, Enrichment("Summary.", [], [], named), published=start, now=start)
        loads = index.full_loads
        started = time.perf_counter()
        index.exact(name_key(people[0]))
        patches.append((time.perf_counter() - started) * 1000)
        assert index.full_loads == loads, "a saved story made the index read everything again"
    return statistics.median(full), statistics.median(patches)


def queries(rng: random.Random, people: list[str], orgs: list[str]) -> list[str]:
    asked = []
    for _ in range(QUERIES):
        person = rng.choice(people[:2000]) if rng.random() < 0.5 else rng.choice(people)
        kind = rng.random()
        if kind < 0.3:
            asked.append(person)
        elif kind < 0.55:
            asked.append(person.split()[-1])
        elif kind < 0.65:
            asked.append(person.split()[-1][:5])
        elif kind < 0.8:
            surname = person.split()[-1]
            i = rng.randrange(1, len(surname) - 1)
            asked.append(surname[:i] + surname[i + 1] + surname[i] + surname[i + 2:])  # a transposition typo
        elif kind < 0.9:
            asked.append(rng.choice(orgs))
        else:
            asked.append(f"Zq{made_up_word(rng, 3, SYLLABLES)} Xv{made_up_word(rng, 2, SYLLABLES)}")
    return asked


def run(folder: str | None = None) -> dict[str, float | int | str]:
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as scratch:
        store = Store.open(f"sqlite:///{Path(folder or scratch) / 'bench.db'}")
        started = time.perf_counter()
        people, orgs = build(store, rng)
        built = time.perf_counter() - started
        asked = queries(rng, people, orgs)
        first = time.perf_counter()
        whois(store, asked[0])  # loads the name index once
        first_ms = (time.perf_counter() - first) * 1000
        times, cpu = [], []
        found = 0
        for query in asked:
            t, c = time.perf_counter(), time.process_time()
            card = whois(store, query)
            times.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
            found += card.match is not None
        full_ms, patch_ms = index_upkeep(store, people, orgs)
        store.close()
    times.sort()
    cpu.sort()
    return {
        "whois.p99_cpu_ms": round(cpu[int(len(cpu) * 0.99) - 1], 2),  # beside wall time, on a shared machine
        "whois.p50_ms": round(statistics.median(times), 2),
        "whois.p99_ms": round(times[int(len(times) * 0.99) - 1], 2),
        "whois.first_lookup_ms": round(first_ms, 1),
        "whois.store": f"{STORIES} stories, {PEOPLE + ORGS} entities, {len(asked)} lookups ({found} matched)",
        "whois.build_s": round(built, 1),
        # Following one saved story: patching the index vs reading every alias again (what it did before).
        "whois.index_full_load_ms": round(full_ms, 1),
        "whois.index_patch_ms": round(patch_ms, 2),
        "whois.index_patch_speedup": round(full_ms / patch_ms, 1) if patch_ms else 0.0,
    }


if __name__ == "__main__":
    print(run())
