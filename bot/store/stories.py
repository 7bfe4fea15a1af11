"""Stories and where they were seen: insert once, remember every outlet that carried them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, Row, func, insert, or_, select, update

from bot.clock import aware
from bot.models import EntityKind, Quote, StorySource, StoryView, TopicMatch
from bot.store.schema import clusters, entities, facts, mentions, quotes, stories, story_sources


@dataclass(slots=True)
class NewStory:
    id: str
    title: str
    url: str | None
    canonical_url: str | None
    guid: str | None
    title_key: str | None
    published_at: datetime | None
    feed_summary: str
    text: str
    text_source: str = "feed"
    author: str | None = None
    relevant: bool = False
    topics: list[str] = field(default_factory=list)
    topic_matches: list[TopicMatch] = field(default_factory=list)
    announce: bool = True


@dataclass(frozen=True, slots=True)
class Stored:
    story_id: str
    created: bool  # false when the story was already known (from this feed or another)


@dataclass(frozen=True, slots=True)
class TextRow:
    """What the NLP stage needs of a story."""

    id: str
    title: str
    text: str
    published_at: datetime | None


class StoryRepo:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def find_known(self, c: Connection, story: NewStory, feed_id: int) -> str | None:
        """The id under which this story is already stored, if it is.

        Same id, or same canonical link from any feed; within one feed, the same normalised title is
        also the same story (an item re-published with a new date or guid is not news).
        """
        conditions = [stories.c.id == story.id]
        if story.canonical_url:
            conditions.append(stories.c.canonical_url == story.canonical_url)
        row = c.execute(select(stories.c.id).where(or_(*conditions)).limit(1)).first()
        if row:
            return str(row.id)
        if story.title_key:
            row = c.execute(
                select(stories.c.id).join(story_sources, story_sources.c.story_id == stories.c.id)
                .where(stories.c.title_key == story.title_key, story_sources.c.feed_id == feed_id).limit(1)
            ).first()
            if row:
                return str(row.id)
        return None

    def store(self, story: NewStory, *, feed_id: int, source_name: str, now: datetime) -> Stored:
        with self.engine.begin() as c:
            known = self.find_known(c, story, feed_id)
            if known is None:
                c.execute(insert(stories).values(
                    id=story.id, guid=story.guid, url=story.url, canonical_url=story.canonical_url,
                    title=story.title, title_key=story.title_key, author=story.author,
                    published_at=story.published_at, first_seen_at=now, updated_at=now,
                    feed_summary=story.feed_summary, text=story.text, text_source=story.text_source,
                    relevant=story.relevant, topics=story.topics,
                    topic_matches=[_match_json(m) for m in story.topic_matches], announce=story.announce,
                ))
                story_id, created = story.id, True
            else:
                story_id, created = known, False
                # Keep the fullest text any outlet gave us; the NLP runs again only if it grew.
                current = c.execute(select(func.length(stories.c.text)).where(stories.c.id == known)).scalar_one()
                if len(story.text) > (current or 0) * 1.2 and story.text_source == "article":
                    c.execute(update(stories).where(stories.c.id == known).values(
                        text=story.text, text_source=story.text_source, updated_at=now, enriched_at=None))
            exists = c.execute(select(story_sources.c.story_id).where(
                story_sources.c.story_id == story_id, story_sources.c.feed_id == feed_id)).first()
            if not exists:
                c.execute(insert(story_sources).values(
                    story_id=story_id, feed_id=feed_id, source_name=source_name, url=story.url, seen_at=now))
        return Stored(story_id, created)

    def update_text(self, story_id: str, text: str, source: str, now: datetime) -> None:
        with self.engine.begin() as c:
            c.execute(update(stories).where(stories.c.id == story_id).values(
                text=text, text_source=source, updated_at=now, enriched_at=None))

    def needing_enrichment(self, *, limit: int = 200) -> list[TextRow]:
        with self.engine.connect() as c:
            rows = c.execute(select(stories.c.id, stories.c.title, stories.c.text, stories.c.published_at)
                             .where(stories.c.enriched_at.is_(None)).order_by(stories.c.first_seen_at).limit(limit))
            return [TextRow(r.id, r.title, r.text, aware(r.published_at)) for r in rows]

    def views(self, *, include_irrelevant: bool = False, since: datetime | None = None,
              ids: Sequence[str] | None = None, limit: int | None = None) -> list[StoryView]:
        """Stories as the CLI and digests show them, newest first, with everything learned from them."""
        query = select(stories, clusters.c.size.label("cluster_size")).outerjoin(
            clusters, clusters.c.id == stories.c.cluster_id)
        if not include_irrelevant:
            query = query.where(stories.c.relevant)
        if since is not None:
            query = query.where(stories.c.first_seen_at >= since)
        if ids is not None:
            query = query.where(stories.c.id.in_(list(ids)))
        query = query.order_by(stories.c.published_at.desc().nulls_last(), stories.c.first_seen_at.desc())
        if limit:
            query = query.limit(limit)
        with self.engine.connect() as c:
            rows = list(c.execute(query))
            story_ids = [r.id for r in rows]
            return _assemble(c, rows, story_ids)

    def count(self) -> int:
        with self.engine.connect() as c:
            return int(c.execute(select(func.count()).select_from(stories)).scalar_one())


def _match_json(match: TopicMatch) -> dict[str, Any]:
    return {"topic": match.topic, "matched": match.matched, "reasons": match.reasons}


def _chunks(items: list[str], size: int = 500) -> list[list[str]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def _assemble(c: Connection, rows: list[Row], story_ids: list[str]) -> list[StoryView]:  # type: ignore[type-arg]
    sources: dict[str, list[StorySource]] = defaultdict(list)
    fact_map: dict[str, list[str]] = defaultdict(list)
    quote_map: dict[str, list[Quote]] = defaultdict(list)
    entity_map: dict[str, list[tuple[str, EntityKind]]] = defaultdict(list)
    for chunk in _chunks(story_ids):
        for r in c.execute(select(story_sources).where(story_sources.c.story_id.in_(chunk))
                           .order_by(story_sources.c.seen_at)):
            sources[r.story_id].append(StorySource(r.source_name, r.url, aware(r.seen_at) or r.seen_at))
        for r in c.execute(select(facts).where(facts.c.story_id.in_(chunk)).order_by(facts.c.position)):
            fact_map[r.story_id].append(r.text)
        for r in c.execute(select(quotes).where(quotes.c.story_id.in_(chunk)).order_by(quotes.c.position)):
            kind = EntityKind(r.speaker_kind) if r.speaker_kind else None
            quote_map[r.story_id].append(Quote(r.text, r.speaker, kind, r.partial))
        for r in c.execute(select(mentions.c.story_id, entities.c.name, entities.c.kind)
                           .join(entities, entities.c.id == mentions.c.entity_id)
                           .where(mentions.c.story_id.in_(chunk)).order_by(mentions.c.count.desc())):
            entity_map[r.story_id].append((r.name, EntityKind(r.kind)))
    views = []
    for r in rows:
        m = r._mapping
        story_sources_ = sources.get(m["id"], [])
        views.append(StoryView(
            id=m["id"], title=m["title"], url=m["url"],
            source=story_sources_[0].feed if story_sources_ else "",
            sources=story_sources_, published=aware(m["published_at"]), relevant=bool(m["relevant"]),
            topics=list(m["topics"] or []),
            topic_matches=[TopicMatch(t["topic"], t["matched"], list(t["reasons"])) for t in m["topic_matches"] or []],
            summary=m["summary"], facts=fact_map.get(m["id"], []), quotes=quote_map.get(m["id"], []),
            entities=entity_map.get(m["id"], []), cluster=m["cluster_id"], cluster_size=m["cluster_size"] or 1,
            announce=bool(m["announce"]),
        ))
    return views
