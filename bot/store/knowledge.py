"""People and organisations, their roles, quotes and mentions: the index /whois answers from."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, delete, desc, func, insert, select, update

from bot.clock import aware
from bot.models import Enrichment, EntityKind, ExtractedEntity
from bot.store.db import new_id
from bot.store.schema import entities, entity_aliases, facts, mentions, quotes, roles, stories


def name_key(name: str) -> str:
    """Case-, accent- and punctuation-insensitive form of a name, used for lookups and uniqueness."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("’", "'").lower()
    text = re.sub(r"'s\b", "", text)
    text = re.sub(r"[^\w\s-]", " ", text)
    return re.sub(r"\s+", " ", text).strip()[:200]


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
    story_id: str
    evidence: str


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

    # --- writing -----------------------------------------------------------------------------

    def save(self, story_id: str, enrichment: Enrichment, *, published: datetime | None, now: datetime) -> None:
        """Replace what was learned from one story (idempotent, so a story can be re-enriched)."""
        with self.engine.begin() as c:
            c.execute(delete(facts).where(facts.c.story_id == story_id))
            c.execute(delete(quotes).where(quotes.c.story_id == story_id))
            c.execute(delete(roles).where(roles.c.story_id == story_id))
            old = [r.entity_id for r in c.execute(select(mentions.c.entity_id).where(mentions.c.story_id == story_id))]
            c.execute(delete(mentions).where(mentions.c.story_id == story_id))
            for entity_id in old:
                c.execute(update(entities).where(entities.c.id == entity_id)
                          .values(story_count=entities.c.story_count - 1))
            if enrichment.facts:
                c.execute(insert(facts), [{"story_id": story_id, "position": i, "text": t}
                                          for i, t in enumerate(enrichment.facts)])
            ids: dict[tuple[EntityKind, str], int] = {}
            for entity in enrichment.entities:
                entity_id = self._upsert_entity(c, entity, when=published or now)
                ids[(entity.kind, entity.name)] = entity_id
                c.execute(insert(mentions).values(entity_id=entity_id, story_id=story_id, count=entity.count,
                                                  published_at=published))
            by_name = {name: entity_id for (_, name), entity_id in ids.items()}
            for entity in enrichment.entities:
                for role in entity.roles:
                    c.execute(insert(roles).values(
                        entity_id=ids[(entity.kind, entity.name)], story_id=story_id, title=role.title,
                        org=role.org, org_entity_id=by_name.get(role.org) if role.org else None,
                        former=role.former, evidence=role.evidence[:1000], published_at=published))
            if enrichment.quotes:
                c.execute(insert(quotes), [{
                    "story_id": story_id, "position": i, "text": q.text, "speaker": q.speaker,
                    "speaker_kind": q.speaker_kind.value if q.speaker_kind else None,
                    "entity_id": by_name.get(q.speaker) if q.speaker else None, "partial": q.partial,
                    "published_at": published} for i, q in enumerate(enrichment.quotes)])
            c.execute(update(stories).where(stories.c.id == story_id).values(
                summary=enrichment.summary, enriched_at=now))

    def _upsert_entity(self, c: Connection, entity: ExtractedEntity, *, when: datetime) -> int:
        key = name_key(entity.name)
        row = c.execute(select(entities.c.id, entities.c.last_seen_at)
                        .where(entities.c.kind == entity.kind.value, entities.c.key == key)).first()
        if row is None:
            entity_id = new_id(c.execute(insert(entities).values(
                kind=entity.kind.value, name=entity.name, key=key, story_count=1,
                first_seen_at=when, last_seen_at=when)))
        else:
            entity_id = int(row.id)
            last = aware(row.last_seen_at)
            c.execute(update(entities).where(entities.c.id == entity_id).values(
                story_count=entities.c.story_count + 1, last_seen_at=max(when, last) if last else when))
        for alias in {entity.name, *entity.aliases}:
            alias_key = name_key(alias)
            if not alias_key:
                continue
            exists = c.execute(select(entity_aliases.c.entity_id).where(
                entity_aliases.c.entity_id == entity_id, entity_aliases.c.alias_key == alias_key)).first()
            if not exists:
                c.execute(insert(entity_aliases).values(entity_id=entity_id, alias_key=alias_key, alias=alias))
        return entity_id

    # --- reading -----------------------------------------------------------------------------

    def by_alias(self, key: str, *, kind: EntityKind | None = None) -> list[EntityRow]:
        query = (select(entities).join(entity_aliases, entity_aliases.c.entity_id == entities.c.id)
                 .where(entity_aliases.c.alias_key == key).distinct())
        if kind:
            query = query.where(entities.c.kind == kind.value)
        with self.engine.connect() as c:
            return [_entity(r) for r in c.execute(query.order_by(desc(entities.c.story_count)))]

    def by_prefix(self, prefix: str, *, limit: int = 10) -> list[EntityRow]:
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = (select(entities).join(entity_aliases, entity_aliases.c.entity_id == entities.c.id)
                 .where(entity_aliases.c.alias_key.like(escaped + "%", escape="\\")).distinct()
                 .order_by(desc(entities.c.story_count)).limit(limit))
        with self.engine.connect() as c:
            return [_entity(r) for r in c.execute(query)]

    def all_aliases(self) -> list[tuple[str, int]]:
        """(alias key, entity id) for every alias: the candidate set for fuzzy lookups."""
        with self.engine.connect() as c:
            return [(r.alias_key, r.entity_id) for r in c.execute(select(entity_aliases.c.alias_key,
                                                                         entity_aliases.c.entity_id))]

    def entity(self, entity_id: int) -> EntityRow | None:
        with self.engine.connect() as c:
            row = c.execute(select(entities).where(entities.c.id == entity_id)).first()
        return _entity(row) if row else None

    def aliases(self, entity_id: int) -> list[str]:
        with self.engine.connect() as c:
            return [r.alias for r in c.execute(select(entity_aliases.c.alias)
                                               .where(entity_aliases.c.entity_id == entity_id))]

    def roles(self, entity_id: int) -> list[RoleRow]:
        with self.engine.connect() as c:
            rows = c.execute(select(roles).where(roles.c.entity_id == entity_id)
                             .order_by(desc(roles.c.published_at).nulls_last(), roles.c.id))
            return [RoleRow(r.title, r.org, r.former, aware(r.published_at), r.story_id, r.evidence) for r in rows]

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
        """Entities named in the same stories, most shared stories first."""
        other = mentions.alias("other")
        with self.engine.connect() as c:
            shared = func.count().label("shared")
            rows = c.execute(
                select(entities, shared)
                .select_from(mentions.join(other, other.c.story_id == mentions.c.story_id)
                             .join(entities, entities.c.id == other.c.entity_id))
                .where(mentions.c.entity_id == entity_id, other.c.entity_id != entity_id)
                .group_by(*entities.c).order_by(desc(shared), desc(entities.c.story_count)).limit(limit))
            return [(_entity(r), int(r.shared)) for r in rows]

    def names(self, *, prefix: str = "", limit: int = 25) -> list[str]:
        query = select(entities.c.name).order_by(desc(entities.c.story_count)).limit(limit)
        if prefix:
            query = query.where(entities.c.key.like(name_key(prefix) + "%"))
        with self.engine.connect() as c:
            return [r.name for r in c.execute(query)]


def _entity(row: object) -> EntityRow:
    m = row._mapping  # type: ignore[attr-defined]
    return EntityRow(m["id"], EntityKind(m["kind"]), m["name"], m["story_count"], aware(m["last_seen_at"]))
