"""People and organisations, their roles, events, quotes and mentions: the index /whois answers from."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, delete, desc, exists, func, insert, or_, select, update

from bot.clock import aware
from bot.knowledge.gazetteer import org_key
from bot.models import Enrichment, EntityKind, ExtractedEntity, Quote
from bot.store import knowledge_changes
from bot.store.db import serialize
from bot.store.knowledge_write import Stored, Writer, entity_key, name_key, unreferenced
from bot.store.name_index import NameIndex
from bot.store.schema import entities, entity_aliases, events, facts, mentions, quotes, roles, stories
from bot.store.writes import write_lock

RELATED_WINDOW = 60  # related names are counted over this many of an entity's latest stories


@dataclass(frozen=True, slots=True)
class EntityRow:
    id: int
    kind: EntityKind
    name: str
    story_count: int
    last_seen_at: datetime | None


@dataclass(frozen=True, slots=True)
class RoleRow:
    title: str
    org: str | None
    former: bool
    published_at: datetime | None
    story_id: str | None  # None once retention pruned the story; the role itself stays
    evidence: str
    story_url: str | None = None


@dataclass(frozen=True, slots=True)
class EventRow:
    text: str
    kind: str
    org: str | None
    headline: bool
    published_at: datetime | None
    story_id: str | None  # None once retention pruned the story; the event itself stays
    story_url: str | None
    evidence: str = ""  # the sentence it was read from (the timeline looks there for an older date)


@dataclass(frozen=True, slots=True)
class QuoteRow:
    text: str
    story_id: str
    story_url: str | None
    story_title: str
    published_at: datetime | None


@dataclass(frozen=True, slots=True)
class MentionRow:
    story_id: str
    story_url: str | None
    title: str
    published_at: datetime | None
    summary: str


class KnowledgeRepo:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.name_index = NameIndex(engine, self.version)

    # --- writing -----------------------------------------------------------------------------

    @staticmethod
    def named(found: Sequence[ExtractedEntity]) -> list[ExtractedEntity]:
        """The entities a save stores: those with a name left once normalised ("’s" alone names nobody)."""
        return [e for e in found if name_key(e.name)]

    def save(self, story_id: str, enrichment: Enrichment, *, published: datetime | None, now: datetime,
             error: str | None = None) -> list[int]:
        """Replace what was learned from one story (idempotent, so a story can be re-enriched).

        One transaction: the story's facts, quotes, entities, roles and events are all stored, or
        none is. `error` records why this is less than was learned (the full save failed). Returns
        the stored entity each of `named(enrichment.entities)` became, in order (for the follow check).
        """
        # The process's write lock first: feeds storing stories from worker threads queue with it in
        # memory instead of in SQLite's busy handler (see store.writes).
        with write_lock(self.engine), self.engine.begin() as c:
            serialize(c, "knowledge")  # instances resolving the same new names must not both create them
            writer = Writer(c)
            old = self._clear(c, story_id)
            writer.touched.update(old)  # their story counts dropped
            if enrichment.facts:
                c.execute(insert(facts), [{"story_id": story_id, "position": i, "text": t}
                                          for i, t in enumerate(enrichment.facts)])
            when = published or now
            named = self.named(enrichment.entities)
            found = writer.entities(named, when=when)
            stored = {(e.kind, e.name): s for e, s in zip(named, found, strict=True)}
            counts: dict[int, int] = {}
            for entity, target in zip(named, found, strict=True):
                counts[target.id] = counts.get(target.id, 0) + entity.count
            if counts:
                c.execute(insert(mentions), [{"entity_id": i, "story_id": story_id, "count": n,
                                              "published_at": published} for i, n in counts.items()])
            writer.seen(list(counts), when, stories=1)
            orgs = {org_key(name): s for (_, name), s in stored.items() if s.kind is EntityKind.org}
            role_rows, event_rows = [], []
            for entity in named:
                owner = stored[(entity.kind, entity.name)]
                for role in entity.roles:
                    org = orgs.get(org_key(role.org)) if role.org else None
                    role_rows.append({
                        "entity_id": owner.id, "story_id": story_id, "title": role.title[:300],
                        "org": org.name if org else role.org, "org_entity_id": org.id if org else None,
                        "former": role.former, "evidence": role.evidence[:1000], "published_at": published})
                for event in entity.events:
                    org = orgs.get(org_key(event.org)) if event.org else None
                    event_rows.append({
                        "entity_id": owner.id, "story_id": story_id, "text": event.text[:300], "kind": event.kind,
                        "org": org.name if org else event.org, "headline": event.headline,
                        "evidence": event.evidence[:1000], "published_at": published})
            if role_rows:
                c.execute(insert(roles), role_rows)
            if event_rows:
                c.execute(insert(events), event_rows)
            if enrichment.quotes:
                c.execute(insert(quotes), [self._quote_row(story_id, i, q, stored, published)
                                           for i, q in enumerate(enrichment.quotes)])
            c.execute(update(stories).where(stories.c.id == story_id).values(
                summary=enrichment.summary, enriched_at=now, enrich_owner=None, enrich_lease_expires_at=None,
                enrich_error=error))
            # Entities only this story named, that nothing else refers to (a role of theirs read in a pruned
            # story keeps them), go. Those merged away above are gone already.
            writer.prune(old - set(counts))
            writer.bump_version(now)
        return [s.id for s in found]

    def mark_failed(self, story_id: str, error: str, *, now: datetime) -> bool:
        """Take a story whose knowledge cannot be saved at all out of the queue, saying why.

        The last resort of the enrichment loop: the story keeps its title and text, and is not
        claimed again. False when the story is gone.
        """
        with write_lock(self.engine), self.engine.begin() as c:
            return bool(c.execute(update(stories).where(stories.c.id == story_id).values(
                enriched_at=now, enrich_owner=None, enrich_lease_expires_at=None,
                enrich_error=error[:1000])).rowcount)

    def prune_unreferenced(self, *, now: datetime, batch: int = 500) -> int:
        """Delete every person and organisation nothing refers to any more (see `knowledge_write.unreferenced`)."""
        deleted = 0
        while True:
            with write_lock(self.engine), self.engine.begin() as c:
                serialize(c, "knowledge")
                writer = Writer(c)
                gone = writer.prune(unreferenced(c, limit=batch))
                if not gone:
                    return deleted
                writer.bump_version(now)
            deleted += len(gone)
            if len(gone) < batch:
                return deleted

    @staticmethod
    def _clear(c: Connection, story_id: str) -> set[int]:
        """Forget one story's facts, quotes, roles, events and mentions; the entities it named."""
        learned = or_(*(exists().where(table.c.story_id == story_id) for table in (facts, quotes, mentions)))
        if not c.execute(select(learned)).scalar_one():
            return set()  # the story's first enrichment: nothing to forget
        for table in (facts, quotes, roles, events):
            c.execute(delete(table).where(table.c.story_id == story_id))
        old = {int(r.entity_id) for r in c.execute(select(mentions.c.entity_id).where(mentions.c.story_id == story_id))}
        c.execute(delete(mentions).where(mentions.c.story_id == story_id))
        for entity_id in old:
            c.execute(update(entities).where(entities.c.id == entity_id).values(story_count=entities.c.story_count - 1))
        return old

    @staticmethod
    def _quote_row(story_id: str, position: int, quote: Quote, stored: dict[tuple[EntityKind, str], Stored],
                   published: datetime | None) -> dict[str, object]:
        who = stored.get((quote.speaker_kind, quote.speaker)) if quote.speaker and quote.speaker_kind else None
        return {"story_id": story_id, "position": position, "text": quote.text,
                "speaker": who.name if who else quote.speaker,
                "speaker_kind": (who.kind.value if who else quote.speaker_kind.value if quote.speaker_kind else None),
                "entity_id": who.id if who else None, "partial": quote.partial, "published_at": published}

    # --- reading -----------------------------------------------------------------------------

    def version(self) -> int:
        """The knowledge base's version: moves with every write (see `knowledge_changes`)."""
        with self.engine.connect() as c:
            return knowledge_changes.latest(c)

    def relevance(self, story_ids: Sequence[str]) -> dict[str, bool]:
        with self.engine.connect() as c:
            rows = c.execute(select(stories.c.id, stories.c.relevant).where(stories.c.id.in_(list(story_ids))))
            return {r.id: bool(r.relevant) for r in rows}

    def by_alias(self, key: str, *, kind: EntityKind | None = None) -> list[EntityRow]:
        query = (select(entities).join(entity_aliases, entity_aliases.c.entity_id == entities.c.id)
                 .where(entity_aliases.c.alias_key == key).distinct())
        if kind:
            query = query.where(entities.c.kind == kind.value)
        with self.engine.connect() as c:
            return [_entity(r) for r in c.execute(query.order_by(desc(entities.c.story_count)))]

    def find(self, name: str, kind: EntityKind) -> EntityRow | None:
        """The stored entity with exactly this name (in any of its spellings, for an organisation)."""
        with self.engine.connect() as c:
            row = c.execute(select(entities).where(entities.c.kind == kind.value,
                                                   entities.c.key == entity_key(name, kind))).first()
        return _entity(row) if row else None

    def entity(self, entity_id: int) -> EntityRow | None:
        rows = self.entities_by_id([entity_id])
        return rows[0] if rows else None

    def entities_by_id(self, ids: Sequence[int]) -> list[EntityRow]:
        """Entities in the order of `ids` (missing ones left out)."""
        if not ids:
            return []
        with self.engine.connect() as c:
            rows = {r.id: _entity(r) for r in c.execute(select(entities).where(entities.c.id.in_(list(ids))))}
        return [rows[i] for i in ids if i in rows]

    def aliases(self, entity_id: int) -> list[str]:
        return self.name_index.aliases(entity_id)

    def roles(self, entity_id: int, *, limit: int = 60) -> list[RoleRow]:
        """The latest reports of the entity's roles (enough to tell the current one in a crowded career)."""
        with self.engine.connect() as c:
            rows = c.execute(select(roles.c.title, roles.c.org, roles.c.former, roles.c.published_at,
                                    roles.c.story_id, roles.c.evidence, stories.c.url)
                             # Outer: a role outlives its story when retention prunes it.
                             .outerjoin(stories, stories.c.id == roles.c.story_id)
                             .where(roles.c.entity_id == entity_id)
                             .order_by(desc(roles.c.published_at).nulls_last()).limit(limit))
            return [RoleRow(r.title, r.org, r.former, aware(r.published_at), r.story_id, r.evidence, r.url)
                    for r in rows]

    def roles_and_events_of(self, ids: Sequence[int], *, roles_each: int = 20, events_each: int = 4
                            ) -> dict[int, tuple[list[RoleRow], list[EventRow]]]:
        """The latest roles and events of several entities in two queries (for a list of candidates)."""
        found: dict[int, tuple[list[RoleRow], list[EventRow]]] = {i: ([], []) for i in ids}
        if not ids:
            return found
        with self.engine.connect() as c:
            rank = func.row_number().over(partition_by=roles.c.entity_id, order_by=desc(roles.c.published_at))
            inner = (select(roles.c.entity_id, roles.c.title, roles.c.org, roles.c.former, roles.c.published_at,
                            roles.c.story_id, roles.c.evidence, rank.label("n"))
                     .where(roles.c.entity_id.in_(list(ids))).subquery())
            for r in c.execute(select(inner).where(inner.c.n <= roles_each)):
                found[int(r.entity_id)][0].append(RoleRow(r.title, r.org, r.former, aware(r.published_at), r.story_id,
                                                          r.evidence))
            rank = func.row_number().over(partition_by=events.c.entity_id, order_by=desc(events.c.published_at))
            inner = (select(events.c.entity_id, events.c.text, events.c.kind, events.c.org, events.c.headline,
                            events.c.published_at, events.c.story_id, rank.label("n"))
                     .where(events.c.entity_id.in_(list(ids))).subquery())
            for r in c.execute(select(inner).where(inner.c.n <= events_each)):
                found[int(r.entity_id)][1].append(EventRow(r.text, r.kind, r.org, r.headline, aware(r.published_at),
                                                           r.story_id, None))
        for role_rows, event_rows in found.values():
            role_rows.sort(key=lambda r: r.published_at.timestamp() if r.published_at else 0, reverse=True)
            event_rows.sort(key=lambda e: e.published_at.timestamp() if e.published_at else 0, reverse=True)
        return found

    def events(self, entity_id: int, *, limit: int = 12) -> list[EventRow]:
        with self.engine.connect() as c:
            rows = c.execute(select(events.c.text, events.c.kind, events.c.org, events.c.headline,
                                    events.c.published_at, events.c.story_id, stories.c.url, events.c.evidence)
                             .outerjoin(stories, stories.c.id == events.c.story_id)  # events outlive stories
                             .where(events.c.entity_id == entity_id)
                             .order_by(desc(events.c.published_at).nulls_last()).limit(limit))
            return [EventRow(r.text, r.kind, r.org, r.headline, aware(r.published_at), r.story_id, r.url,
                             r.evidence or "") for r in rows]

    def people_at(self, org_id: int, *, limit: int = 5) -> list[tuple[str, str]]:
        """(person, title) of the people the news gives a current role at this organisation."""
        with self.engine.connect() as c:
            rows = c.execute(select(entities.c.name, roles.c.title, func.count().label("n"))
                             .join(entities, entities.c.id == roles.c.entity_id)
                             .where(roles.c.org_entity_id == org_id, ~roles.c.former)
                             .group_by(entities.c.name, roles.c.title).order_by(desc("n")).limit(limit * 3))
            seen: dict[str, str] = {}
            for r in rows:
                seen.setdefault(r.name, r.title)
            return list(seen.items())[:limit]

    def quotes(self, entity_id: int, *, limit: int = 5) -> list[QuoteRow]:
        with self.engine.connect() as c:
            rows = c.execute(
                select(quotes.c.text, quotes.c.story_id, stories.c.url, stories.c.title, quotes.c.published_at)
                .join(stories, stories.c.id == quotes.c.story_id)
                .where(quotes.c.entity_id == entity_id, ~quotes.c.partial)
                .order_by(desc(quotes.c.published_at).nulls_last(), quotes.c.position).limit(limit))
            return [QuoteRow(r.text, r.story_id, r.url, r.title, aware(r.published_at)) for r in rows]

    def mentions(self, entity_id: int, *, limit: int = 5) -> list[MentionRow]:
        with self.engine.connect() as c:
            rows = c.execute(
                select(stories.c.id, stories.c.url, stories.c.title, stories.c.published_at, stories.c.summary)
                .join(mentions, mentions.c.story_id == stories.c.id)
                .where(mentions.c.entity_id == entity_id)
                .order_by(desc(mentions.c.published_at).nulls_last()).limit(limit))
            return [MentionRow(r.id, r.url, r.title, aware(r.published_at), r.summary) for r in rows]

    def related(self, entity_id: int, *, limit: int = 6) -> list[tuple[EntityRow, int]]:
        """Entities named in the same stories (of the entity's latest ones), most shared stories first."""
        latest = (select(mentions.c.story_id).where(mentions.c.entity_id == entity_id)
                  .order_by(desc(mentions.c.published_at).nulls_last()).limit(RELATED_WINDOW).scalar_subquery())
        shared = func.count().label("shared")
        with self.engine.connect() as c:
            rows = c.execute(select(mentions.c.entity_id, shared)
                             .where(mentions.c.story_id.in_(latest), mentions.c.entity_id != entity_id)
                             .group_by(mentions.c.entity_id).order_by(desc(shared), mentions.c.entity_id)
                             .limit(limit)).all()
        named = {n.id: n for n in self.name_index.entities([int(r.entity_id) for r in rows])}
        return [(EntityRow(n.id, EntityKind(n.kind), n.name, n.story_count, None), int(r.shared))
                for r in rows if (n := named.get(int(r.entity_id)))]

    def names(self, *, prefix: str = "", limit: int = 25) -> list[str]:
        query = select(entities.c.name).order_by(desc(entities.c.story_count)).limit(limit)
        if prefix:
            if not name_key(prefix):
                return []  # only punctuation: nothing a name can start with
            # Typed by users (autocomplete): % and _ are text here, not wildcards.
            escaped = name_key(prefix).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query = query.where(entities.c.key.like(escaped + "%", escape="\\"))
        with self.engine.connect() as c:
            return [r.name for r in c.execute(query)]


def _entity(row: object) -> EntityRow:
    m = row._mapping  # type: ignore[attr-defined]
    return EntityRow(m["id"], EntityKind(m["kind"]), m["name"], m["story_count"], aware(m["last_seen_at"]))


__all__ = ["EntityRow", "EventRow", "KnowledgeRepo", "MentionRow", "QuoteRow", "RoleRow", "name_key"]
