"""Stories put straight into a store, already enriched and clustered, for digest and delivery tests.

The real pipeline (fetch, parse, NLP, clustering) has its own tests; here a test says exactly
which outlets reported which event with which facts, quotes and people.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import insert, update

from bot.models import Enrichment, EntityKind, ExtractedEntity, Quote
from bot.store import NewStory, Store
from bot.store.db import new_id
from bot.store.schema import clusters, stories


def feed(store: Store, name: str, now: datetime) -> int:
    row = store.feeds.get(name)
    if row is None:
        row = store.feeds.add(name=name, url=f"https://{name}.example/feed", topics=None, added_by="test", now=now)
    return row.id


def new_cluster(store: Store, now: datetime) -> int:
    with store.engine.begin() as c:
        return new_id(c.execute(insert(clusters).values(created_at=now, updated_at=now, size=1)))


def add_story(store: Store, title: str, *, now: datetime, outlet: str = "wire", url: str | None = None,
              published: datetime | None = None, topics: tuple[str, ...] = ("ai-defense",),
              facts: tuple[str, ...] = (), quotes: tuple[Quote, ...] = (), people: tuple[str, ...] = (),
              cluster: int | None = None, announce: bool = True, summary: str = "") -> str:
    """Store one report as seen at `now`; returns its id."""
    story_id = hashlib.sha256(f"{outlet}:{title}".encode()).hexdigest()[:32]
    link = url or f"https://{outlet}.example/{story_id[:8]}"
    story = NewStory(id=story_id, title=title, url=link, canonical_url=link, guid=None, title_key=None,
                     published_at=published or now, feed_summary=summary, text=" ".join(facts) or title,
                     relevant=True, topics=list(topics), announce=announce)
    store.stories.store(story, feed_id=feed(store, outlet, now), source_name=outlet, now=now)
    entities = [ExtractedEntity(name, EntityKind.person) for name in people]
    store.knowledge.save(story_id, Enrichment(summary=summary, facts=list(facts), quotes=list(quotes),
                                              entities=entities), published=published or now, now=now)
    if cluster is not None:
        with store.engine.begin() as c:
            c.execute(update(stories).where(stories.c.id == story_id).values(cluster_id=cluster))
    return story_id
