"""Stories and where they were seen: insert once, remember every outlet that carried them."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, Row, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.clock import aware
from bot.models import EntityKind, Quote, StorySource, StoryView, TopicMatch
from bot.store.schema import clusters, entities, facts, mentions, pruned_stories, quotes, stories, story_sources
from bot.store.writes import write_lock


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
    signature: dict[str, Any] | None = None  # clustering features (bot.knowledge.cluster), computed when stored


@dataclass(frozen=True, slots=True)
class Stored:
    story_id: str
    created: bool  # false when the story was already known (from this feed or another)


@dataclass(frozen=True, slots=True)
class ItemKey:
    """What identifies a feed item before it is stored (see bot.ingest.identity)."""

    id: str
    canonical_url: str | None
    title_key: str | None
    published_at: datetime | None
    text: str = ""  # the feed's text, to tell a re-publication from a new item that reuses a title


@dataclass(frozen=True, slots=True)
class Known:
    story_id: str
    title: str
    in_feed: bool  # this feed already carried it
    text_length: int = 0  # of the stored text, to take a fuller one another outlet carries
    pruned: bool = False  # read once, then deleted by retention: known, never stored or announced again


@dataclass(frozen=True, slots=True)
class TextRow:
    """What the NLP stage needs of a story."""

    id: str
    title: str
    text: str
    published_at: datetime | None


REPUBLISH_WINDOW = timedelta(days=14)  # the same title in the same feed this close together may be one story
_WORD = re.compile(r"\w+")


def _republished(key: ItemKey, row: Any) -> bool:
    when = aware(row.published_at)
    close = when is None or key.published_at is None or abs(when - key.published_at) <= REPUBLISH_WINDOW
    return close and same_text(key.text, row.text or row.feed_summary)


def same_text(a: str, b: str) -> bool:
    """Whether two versions of an item's text are one story lightly edited (word overlap)."""
    wa, wb = set(_WORD.findall(a.lower()[:5000])), set(_WORD.findall(b.lower()[:5000]))
    if not wa or not wb:
        return not wa and not wb
    return len(wa & wb) / len(wa | wb) >= 0.5


class StoryRepo:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # Feeds are saved from worker threads at once; the check-then-insert in `save` must not
        # interleave, or two feeds carrying the same new story would both insert it.
        self._save_lock = write_lock(engine)

    def known(self, feed_id: int, keys: Sequence[ItemKey]) -> list[Known | None]:
        """For each item, the story it already is, if any (read-only; `save` checks new ones again)."""
        with self.engine.connect() as c:
            return self._find(c, keys, feed_id)

    def _find(self, c: Connection, keys: Sequence[ItemKey], feed_id: int) -> list[Known | None]:
        """Same id, or same canonical link from any feed; within one feed, the same title with the same
        text is a re-publication (a new date or a new guid does not make it news). A few queries per
        feed, however many items it carries."""
        by_id: dict[str, Any] = {}
        by_url: dict[str, Any] = {}
        ids = [k.id for k in keys]
        urls = [k.canonical_url for k in keys if k.canonical_url]
        for chunk in _chunks(ids):
            for row in c.execute(select(stories.c.id, stories.c.title, func.length(stories.c.text).label("text_length"))
                                 .where(stories.c.id.in_(chunk))):
                by_id[row.id] = row
        for chunk in _chunks(urls):
            for url_row in c.execute(select(stories.c.id, stories.c.title, stories.c.canonical_url,
                                            func.length(stories.c.text).label("text_length"))
                                     .where(stories.c.canonical_url.in_(chunk))):
                by_url.setdefault(url_row.canonical_url, url_row)
        found: list[Any] = [by_id.get(k.id) or (by_url.get(k.canonical_url) if k.canonical_url else None)
                            for k in keys]
        gone = self._pruned(c, [k for k, row in zip(keys, found, strict=True) if row is None])
        titles = [k.title_key for k, row in zip(keys, found, strict=True)
                  if row is None and k.title_key and k.id not in gone]
        if titles:
            candidates: dict[str, list[Any]] = defaultdict(list)
            for chunk in _chunks(titles):
                for candidate in c.execute(
                        select(stories.c.id, stories.c.title, stories.c.title_key, stories.c.published_at,
                               stories.c.feed_summary, stories.c.text)
                        .join(story_sources, story_sources.c.story_id == stories.c.id)
                        .where(stories.c.title_key.in_(chunk), story_sources.c.feed_id == feed_id)):
                    candidates[candidate.title_key].append(candidate)
            for i, key in enumerate(keys):
                if found[i] is None and key.title_key and key.id not in gone:
                    found[i] = next((r for r in candidates.get(key.title_key, []) if _republished(key, r)), None)
        matched = [str(r.id) for r in found if r is not None]
        in_feed: set[str] = set()
        for chunk in _chunks(matched):
            in_feed.update(r.story_id for r in c.execute(select(story_sources.c.story_id).where(
                story_sources.c.feed_id == feed_id, story_sources.c.story_id.in_(chunk))))
        return [Known(str(r.id), r.title, str(r.id) in in_feed, _text_length(r)) if r is not None
                else Known(gone[k.id], "", in_feed=True, pruned=True) if k.id in gone else None
                for k, r in zip(keys, found, strict=True)]

    @staticmethod
    def _pruned(c: Connection, keys: Sequence[ItemKey]) -> dict[str, str]:
        """Items that are stories retention deleted (same id, or same canonical link): item id -> the
        pruned story's id."""
        if not keys:
            return {}
        by_id: set[str] = set()
        by_url: dict[str, str] = {}
        for chunk in _chunks([k.id for k in keys]):
            by_id.update(r.id for r in c.execute(select(pruned_stories.c.id).where(pruned_stories.c.id.in_(chunk))))
        for chunk in _chunks([k.canonical_url for k in keys if k.canonical_url]):
            for r in c.execute(select(pruned_stories.c.id, pruned_stories.c.canonical_url)
                               .where(pruned_stories.c.canonical_url.in_(chunk))):
                by_url.setdefault(r.canonical_url, r.id)
        gone: dict[str, str] = {}
        for key in keys:
            if key.id in by_id:
                gone[key.id] = key.id
            elif key.canonical_url and key.canonical_url in by_url:
                gone[key.id] = by_url[key.canonical_url]
        return gone

    def save(self, *, feed_id: int, source_name: str, now: datetime, new: Sequence[NewStory] = (),
             seen: Sequence[tuple[Known, ItemKey, str | None, str]] = ()) -> list[Stored]:
        """One feed's poll in one transaction: new stories inserted, known ones linked to this feed.

        `seen` holds (known story, key, url, title) of items found by `known`; a changed title is
        taken quietly (an edit is not news). Each new story is checked again here, so two feeds
        carrying the same new story at the same moment still store it once.
        """
        results: list[Stored] = []
        still_carried: list[str] = []  # pruned stories a feed still carries: remembered for longer
        with self._save_lock, self.engine.begin() as c:
            for known, key, url, title in seen:
                if known.pruned:
                    still_carried.append(known.story_id)
                    results.append(Stored(known.story_id, False))
                    continue
                if title and title != known.title and known.in_feed:
                    c.execute(update(stories).where(stories.c.id == known.story_id).values(
                        title=title, title_key=key.title_key, updated_at=now))
                if not known.in_feed:
                    self._link(c, known.story_id, feed_id, source_name, url, now)
                    if fuller(key.text, known.text_length):
                        # Another outlet carries the whole story where the first gave a teaser: keep the
                        # fullest text, and let the NLP read it again.
                        c.execute(update(stories).where(stories.c.id == known.story_id).values(
                            text=key.text, text_source="feed", updated_at=now, enriched_at=None))
                results.append(Stored(known.story_id, False))
            keys = [ItemKey(s.id, s.canonical_url, s.title_key, s.published_at, s.text) for s in new]
            for story, key, again in zip(new, keys, self._find(c, keys, feed_id), strict=True):
                if again is None and self._insert(c, story, now):
                    self._link(c, story.id, feed_id, source_name, story.url, now)
                    results.append(Stored(story.id, True))
                    continue
                again = again or self._find(c, [key], feed_id)[0]
                if again is not None and again.pruned:
                    still_carried.append(again.story_id)
                elif again is not None and not again.in_feed:
                    self._link(c, again.story_id, feed_id, source_name, story.url, now)
                    if fuller(story.text, again.text_length):
                        c.execute(update(stories).where(stories.c.id == again.story_id).values(
                            text=story.text, text_source=story.text_source, updated_at=now, enriched_at=None))
                results.append(Stored(again.story_id if again else story.id, False))
            for chunk in _chunks(sorted(set(still_carried))):
                c.execute(update(pruned_stories).where(pruned_stories.c.id.in_(chunk), pruned_stories.c.seen_at < now)
                          .values(seen_at=now))
        return results

    def store(self, story: NewStory, *, feed_id: int, source_name: str, now: datetime) -> Stored:
        return self.save(feed_id=feed_id, source_name=source_name, now=now, new=[story])[0]

    @staticmethod
    def _insert(c: Connection, story: NewStory, now: datetime) -> bool:
        """Insert unless the id exists (another instance stored it a moment ago); true if inserted."""
        # ON CONFLICT DO NOTHING, spelled per dialect: both SQLite and PostgreSQL have it, and unlike a
        # SAVEPOINT it keeps SQLite's implicit transaction from holding a stale read snapshot.
        dialect_insert = sqlite_insert if c.dialect.name == "sqlite" else pg_insert
        done = c.execute(dialect_insert(stories).on_conflict_do_nothing(index_elements=["id"]).values(
            id=story.id, guid=story.guid, url=story.url, canonical_url=story.canonical_url,
            title=story.title, title_key=story.title_key, author=story.author,
            published_at=story.published_at, first_seen_at=now, updated_at=now,
            feed_summary=story.feed_summary, text=story.text, text_source=story.text_source,
            relevant=story.relevant, topics=story.topics,
            topic_matches=[_match_json(m) for m in story.topic_matches], announce=story.announce,
            signature=story.signature,
        ))
        return bool(done.rowcount)

    @staticmethod
    def _link(c: Connection, story_id: str, feed_id: int, source_name: str, url: str | None, now: datetime) -> None:
        c.execute(insert(story_sources).values(story_id=story_id, feed_id=feed_id, source_name=source_name,
                                               url=url, seen_at=now))

    def update_text(self, story_id: str, text: str, source: str, now: datetime) -> None:
        with self.engine.begin() as c:
            c.execute(update(stories).where(stories.c.id == story_id).values(
                text=text, text_source=source, updated_at=now, enriched_at=None))

    def needing_enrichment(self, *, limit: int = 200) -> list[TextRow]:
        with self.engine.connect() as c:
            rows = c.execute(select(stories.c.id, stories.c.title, stories.c.text, stories.c.published_at)
                             .where(stories.c.enriched_at.is_(None)).order_by(stories.c.first_seen_at).limit(limit))
            return [TextRow(r.id, r.title, r.text, aware(r.published_at)) for r in rows]

    def claim_for_enrichment(self, *, owner: str, now: datetime, lease: timedelta, limit: int) -> list[TextRow]:
        """Take up to `limit` stories waiting for enrichment that no other instance is enriching.

        Saving the enrichment ends the lease (KnowledgeRepo.save); a lease whose holder died runs out
        and the story is taken again. PostgreSQL: `FOR UPDATE SKIP LOCKED`, so instances claiming
        together take different stories.
        """
        with self._save_lock, self.engine.begin() as c:
            query = (select(stories.c.id).where(
                stories.c.enriched_at.is_(None),
                or_(stories.c.enrich_lease_expires_at.is_(None), stories.c.enrich_lease_expires_at <= now))
                .order_by(stories.c.first_seen_at, stories.c.id).limit(limit))
            if c.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            ids = [r.id for r in c.execute(query)]
            if not ids:
                return []
            c.execute(update(stories).where(stories.c.id.in_(ids)).values(
                enrich_owner=owner, enrich_lease_expires_at=now + lease))
            rows = c.execute(select(stories.c.id, stories.c.title, stories.c.text, stories.c.published_at)
                             .where(stories.c.id.in_(ids)).order_by(stories.c.first_seen_at, stories.c.id))
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

    def texts(self, ids: Sequence[str]) -> dict[str, str]:
        """The stored text of each story (paragraphs separated by newlines)."""
        found: dict[str, str] = {}
        with self.engine.connect() as c:
            for chunk in _chunks(list(ids)):
                found.update((r.id, r.text or "") for r in c.execute(select(stories.c.id, stories.c.text)
                                                                     .where(stories.c.id.in_(chunk))))
        return found


def fuller(text: str, stored_length: int) -> bool:
    """Whether `text` is so much longer than what is stored that it is worth reading again."""
    return len(text) >= max(stored_length * 3 // 2, stored_length + 200)


def _text_length(row: Any) -> int:
    if getattr(row, "text_length", None) is not None:
        return int(row.text_length)
    return len(getattr(row, "text", "") or "")


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
