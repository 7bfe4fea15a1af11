"""Reports stored the way the poller stores them for the follow check: the story, its enrichment,
its cluster, then `follows.check` with the stored entity ids. No NLP: the test says who is named.

Every person and organisation here is invented.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import update

from bot.models import Enrichment, EntityKind, Event, ExtractedEntity, Quote, Role
from bot.store import NewStory, Store
from bot.store.follow_index import Match
from bot.store.schema import stories
from tests.fakes.stories import feed, new_cluster

NORA = "Nora Castellane"  # head of autonomy at Brightline Dynamics; she resigns in the tests
BRIGHTLINE = "Brightline Dynamics"


def nora(*, events: list[Event] | None = None) -> ExtractedEntity:
    return ExtractedEntity(NORA, EntityKind.person, {"Castellane"}, 2,
                           [Role("head of autonomy", BRIGHTLINE)], events or [])


def brightline() -> ExtractedEntity:
    return ExtractedEntity(BRIGHTLINE, EntityKind.org, {"Brightline"}, 1)


def person(name: str, *aliases: str) -> ExtractedEntity:
    return ExtractedEntity(name, EntityKind.person, set(aliases), 1)


def report(store: Store, title: str, paragraphs: list[str], entities: list[ExtractedEntity], *, now: datetime,
           outlet: str = "wire", cluster: int | None = None, announce: bool = True,
           quotes: list[Quote] | None = None, published: datetime | None = None) -> tuple[str, list[Match]]:
    """Store one report seen at `now`, enriched and clustered; returns its id and the follows it met."""
    story_id = hashlib.sha256(f"{outlet}:{title}".encode()).hexdigest()[:32]
    url = f"https://{outlet}.example/{story_id[:8]}"
    text = "\n".join(paragraphs)
    store.stories.store(NewStory(id=story_id, title=title, url=url, canonical_url=url, guid=None, title_key=None,
                                 published_at=published or now, feed_summary=paragraphs[0], text=text,
                                 relevant=True, topics=["ai-defense"], announce=announce),
                        feed_id=feed(store, outlet, now), source_name=outlet, now=now)
    ids = store.knowledge.save(story_id, Enrichment(paragraphs[0], paragraphs[:2], quotes or [], entities),
                               published=published or now, now=now)
    with store.engine.begin() as c:
        c.execute(update(stories).where(stories.c.id == story_id).values(
            cluster_id=cluster if cluster is not None else new_cluster(store, now)))
    return story_id, store.follows.check(story_id, entities, ids, now=now)


RESIGNS = [
    f"{NORA}, who led autonomy work at {BRIGHTLINE}, has resigned over the company's new drone contract.",
    "The contract, worth $90 million, covers swarming software for the Army.",
    "Castellane said she had raised concerns for months.",
]
RESIGNS_QUOTE = Quote("I could not sign my name to this", NORA, EntityKind.person)


def resignation(store: Store, now: datetime, *, outlet: str = "wire", cluster: int | None = None,
                title: str = "Brightline autonomy chief quits over drone contract") -> tuple[str, list[Match]]:
    return report(store, title, RESIGNS, [nora(events=[Event("resigned over drone contract", "departure", None,
                                                             headline=True, evidence=RESIGNS[0])]), brightline()],
                  now=now, outlet=outlet, cluster=cluster, quotes=[RESIGNS_QUOTE])
