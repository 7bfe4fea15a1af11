"""Throughput of the whole enrichment against spaCy's entity recogniser alone, on the same texts.

600 synthetic news stories (templates written for this bench, invented names, 350-600 words each,
with quotes, titles and former jobs in them) go through (a) the spaCy model's NER alone, via
`nlp.pipe`, and (b) the full enrichment: key facts (sumy), quotes, entities, roles, events and the
save into a SQLite store. `enrich.ratio_vs_spacy_ner` = stories/s of (b) / stories/s of (a); the
target is 0.7 (everything besides NER costs under 30%). The two run batch by batch, alternating, so
the load of a shared machine falls on both alike; the CPU-time ratio is reported beside it.
`enrich.adversarial_s_200k`: seconds to enrich the slowest of the known hostile texts (runs of dots,
thousands of quotations, bare marks...) at 200,000 characters; the issue's bound is 5 s.
"""

from __future__ import annotations

import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import spacy

from bot.config.settings import NlpConfig
from bot.knowledge.enrich import BATCH, Enricher, StoryText
from bot.knowledge.nlp import ner_components
from bot.store import NewStory, Store
from tests.fakes.hostile import WORST, grow

STORIES = 600
FIRST = ["Laura", "Peter", "Angela", "Kenji", "Nadia", "Graham", "Maria", "Simone", "Brian", "Helen", "Tomas",
         "Ines", "Rafael", "Chloe", "Samuel", "Priya", "Oren", "Dmitri", "Fatima", "Lucas"]
LAST = ["Mendez", "Hollis", "Brooks", "Watanabe", "Petrova", "Whitfield", "Okonkwo", "Grant", "Castillo", "Marsh",
        "Lindgren", "Duarte", "Achebe", "Novak", "Farrell", "Iyer", "Halvorsen", "Kowalski", "Nakamura", "Osei"]
ORGS = ["Halcyon Dynamics", "Corvid Labs", "Northwind Systems", "Teal Group", "Vantage Robotics", "Keel Aerospace",
        "Meridian Analytics", "Lumen Labs", "Ironbridge Defense", "Sable Autonomy"]
BODIES = ["Army", "Navy", "Air Force", "Pentagon", "Defense Department", "Marine Corps"]
TITLES = ["chief executive", "chief technology officer", "head of autonomy", "director of research", "program manager"]
LEADS = [
    "The {body} has awarded {org} a ${n} million contract to build autonomous {thing} for {use}, officials said on "
    "{day}.",
    "{org} said on {day} it had completed a field trial of AI software that helps {body} crews spot {thing} "
    "faster than human operators alone.",
    "{first} {last}, {org}'s {title}, has resigned over the company's decision to supply targeting software to "
    "the {body}, the company confirmed on {day}.",
]
MIDDLE = [
    "\"This is the kind of job a machine should take, and a soldier should supervise,\" said {rank} {first2} "
    "{last2}, who oversees the program. \"Nobody fires anything without a human decision.\"",
    "{org} {title} {first} {last} said the system had been tested on more than {n} hours of video. \"We built it "
    "to be audited,\" {last} said in an interview.",
    "'We will not field what we cannot explain,' {last2} told reporters, adding that the review would take {n} "
    "days.",
    "Critics were not convinced. {first2} {last2}, an analyst at {org2}, warned that \"speed becomes the enemy of "
    "judgment when machines set the pace.\"",
    "According to {first2} {last2}, a spokesperson for the {body}, the next phase begins in the spring.",
    "Before joining {org}, {last} worked at {org2} as a {title} for {n2} years, where {pronoun} led work on sensor "
    "fusion.",
    "The so-called \"human on the loop\" model has been debated for years, and {org2} published a report titled "
    "\"Trust at the Edge\" on the subject last month.",
    "\"It's a good start,\" {pronoun} added, \"but the {body} will want more than {n2} systems.\"",
    "The contract covers the hardware, the software and {n2} years of maintenance, and could grow to ${n} million "
    "if all options are exercised.",
    "Lawmakers have asked how the systems will be secured against jamming and hacking, and the {body} said it "
    "would brief them in closed session.",
    "{org} was founded in {year} by former {body} engineers and employs about {n} people across three sites.",
    "The first units are due to arrive at test ranges in {month}, with a wider rollout planned for the year after.",
    "{first2} {last2}, who previously worked at {org} as a {title}, said the approach reflects lessons from recent "
    "conflicts. \"Cheap drones changed everything,\" {pronoun2} said.",
]
THINGS = ["surface vessels", "scout drones", "counter-drone sensors", "minesweepers", "refueling drones"]
USES = ["harbor patrol", "base defense", "mine clearance", "logistics", "air defense"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
MONTHS = ["January", "March", "May", "July", "September", "November"]
RANKS = ["Col.", "Gen.", "Rear Adm.", "Lt. Col.", "Maj."]


def story(rng: random.Random) -> tuple[str, str]:
    values = {
        "first": rng.choice(FIRST), "last": rng.choice(LAST), "first2": rng.choice(FIRST), "last2": rng.choice(LAST),
        "org": rng.choice(ORGS), "org2": rng.choice(ORGS), "body": rng.choice(BODIES), "title": rng.choice(TITLES),
        "thing": rng.choice(THINGS), "use": rng.choice(USES), "day": rng.choice(DAYS), "month": rng.choice(MONTHS),
        "rank": rng.choice(RANKS), "n": rng.randint(12, 900), "n2": rng.randint(2, 12), "year": rng.randint(1995, 2022),
        "pronoun": rng.choice(["she", "he"]), "pronoun2": rng.choice(["she", "he"]),
    }
    paragraphs = [rng.choice(LEADS), *rng.sample(MIDDLE, k=rng.randint(8, len(MIDDLE)))]
    text = "\n".join(p.format(**values) for p in paragraphs)
    title = f"{values['org']} and the {values['body']}: {values['thing']} for {values['use']}"
    return title, text


def run() -> dict[str, float | int | str]:
    rng = random.Random(11)
    corpus = [story(rng) for _ in range(STORIES)]
    texts = [t for _, t in corpus]
    config = NlpConfig()
    full_model = spacy.load(config.model)
    ner_only = spacy.load(config.model, exclude=[p for p in full_model.pipe_names if p not in
                                                  ner_components(full_model)])
    enricher = Enricher(config)
    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(f"sqlite:///{Path(folder) / 'bench.db'}")
        feed = store.feeds.add(name="bench", url="https://bench.invalid/feed", topics=None, added_by="bench",
                               now=datetime(2026, 1, 1, tzinfo=UTC))
        start = datetime(2026, 1, 1, tzinfo=UTC)
        ids = []
        for n, (title, text) in enumerate(corpus):
            when = start + timedelta(hours=n)
            ids.append(f"b{n}")
            store.stories.store(NewStory(id=f"b{n}", title=title, url=f"https://bench.invalid/{n}", canonical_url=None,
                                         guid=f"b{n}", title_key=None, published_at=when, feed_summary="", text=text,
                                         relevant=True), feed_id=feed.id, source_name="bench", now=when)
        list(ner_only.pipe(texts[:BATCH], batch_size=BATCH))  # warm both paths up
        enricher.enrich([StoryText(t, x) for t, x in corpus[:BATCH]])

        # Batch by batch, alternating which goes first, so the load of a shared machine falls on both alike.
        ner_wall = full_wall = ner_cpu = full_cpu = 0.0
        for number, i in enumerate(range(0, len(corpus), BATCH)):
            batch = corpus[i:i + BATCH]
            for step in ((0, 1) if number % 2 == 0 else (1, 0)):
                wall, cpu = time.perf_counter(), time.process_time()
                if step == 0:
                    list(ner_only.pipe([text for _, text in batch], batch_size=BATCH))
                    ner_wall += time.perf_counter() - wall
                    ner_cpu += time.process_time() - cpu
                else:
                    results = enricher.enrich([StoryText(title, text) for title, text in batch])
                    for story_id, result in zip(ids[i:i + BATCH], results, strict=True):
                        store.knowledge.save(story_id, result, published=start, now=start)
                    full_wall += time.perf_counter() - wall
                    full_cpu += time.process_time() - cpu
        store.close()
    # The slowest of the known hostile shapes at 200,000 characters (tests/fakes/hostile.py), one at a time.
    hostile = {}
    for name, (lead, unit, tail) in WORST.items():
        wall = time.perf_counter()
        enricher.enrich([StoryText("hostile", grow(unit, 200_000, lead, tail))])
        hostile[name] = time.perf_counter() - wall
    worst = max(hostile, key=lambda name: hostile[name])
    ner_rate = STORIES / ner_wall
    full_rate = STORIES / full_wall
    words = sum(len(t.split()) for t in texts) / len(texts)
    return {
        "enrich.ratio_vs_spacy_ner": round(full_rate / ner_rate, 3),
        "enrich.ratio_cpu_time": round(ner_cpu / full_cpu, 3),
        "enrich.stories_per_s": round(full_rate, 2),
        "enrich.spacy_ner_stories_per_s": round(ner_rate, 2),
        "enrich.corpus": f"{STORIES} stories, {words:.0f} words on average",
        "enrich.adversarial_s_200k": round(hostile[worst], 3),
        "enrich.adversarial_worst_case": worst,
    }


if __name__ == "__main__":
    print(run())
