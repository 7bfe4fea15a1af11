"""Writing what was learned from one story into the knowledge base, names resolved across stories.

A story that says only "Kalinowski" is about the Caitlin Kalinowski read about before, when she is
the one person of that surname the store knows; a story that names her in full later absorbs an
earlier "Kalinowski" the same way. Organisations meet under one key for all their spellings
("the US Defence Department" is the Department of Defense). A single word the model took for a
person but the store knows only as an organisation ("Anthropic") is that organisation.

Merging deletes an entity while the story being saved may still hold it (it named "Brazile" before
"Donna Brazile", who then absorbed the surname): every merge is remembered, and every entity handed
back is followed to the one that absorbed it, so nothing is written for an id that is gone.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, case, delete, exists, func, insert, not_, select, update

from bot.clock import aware
from bot.knowledge.gazetteer import org_key
from bot.models import EntityKind, ExtractedEntity
from bot.store import knowledge_changes
from bot.store.db import new_id
from bot.store.schema import entities, entity_aliases, events, mentions, quotes, roles


def name_key(name: str) -> str:
    """Case-, accent- and punctuation-insensitive form of a name, used for lookups and uniqueness."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("’", "'").lower()
    text = re.sub(r"'s\b", "", text)
    text = re.sub(r"[^\w\s-]", " ", text)
    return re.sub(r"\s+", " ", text).strip()[:200]


def entity_key(name: str, kind: EntityKind) -> str:
    """The stored identity of a name: one per organisation whatever its spelling, one per person name."""
    return name_key(org_key(name)) if kind is EntityKind.org else name_key(name)


@dataclass(frozen=True, slots=True)
class Stored:
    id: int
    kind: EntityKind
    name: str


class Writer:
    """One transaction's worth of knowledge writes."""

    def __init__(self, c: Connection) -> None:
        self.c = c
        self.absorbed: dict[int, Stored] = {}  # entity merged away -> the entity that took it over
        self.touched: set[int] = set()  # entities whose row or aliases changed: name caches reload these

    def current(self, stored: Stored) -> Stored:
        """The entity `stored` is now: itself, or the one that absorbed it (perhaps in turn absorbed)."""
        while stored.id in self.absorbed:
            stored = self.absorbed[stored.id]
        return stored

    def entities(self, found: list[ExtractedEntity], *, when: datetime) -> list[Stored]:
        """The stored entity each of this story's entities is, created when new; all their aliases recorded.

        One query finds the names already known; only new names take the slower cross-story checks.
        """
        keys = [(e.kind, entity_key(e.name, e.kind)) for e in found]
        known: dict[tuple[EntityKind, str], Stored] = {}
        if keys:
            rows = self.c.execute(select(entities.c.id, entities.c.name, entities.c.kind, entities.c.key)
                                  .where(entities.c.key.in_(sorted({k for _, k in keys}))))
            known = {(EntityKind(r.kind), r.key): Stored(int(r.id), EntityKind(r.kind), r.name) for r in rows}
        result = []
        for entity, (kind, key) in zip(found, keys, strict=True):
            hit = known.get((kind, key))
            stored = self.current(hit) if hit else self._resolve_new(entity, kind, key, when)
            known[(kind, key)] = stored
            result.append(stored)
        # A full name met late in the story may have absorbed a surname met earlier in it.
        result = [self.current(s) for s in result]
        self._record_aliases(result, found)
        return result

    def _resolve_new(self, entity: ExtractedEntity, kind: EntityKind, key: str, when: datetime) -> Stored:
        found = None
        if kind is EntityKind.person and " " not in entity.name:
            found = self._unique_full_name(key) or self._known_org(key)
        if found is None and kind is EntityKind.org:
            found = self._unique_alias(EntityKind.org, key)
        if found is None:
            entity_id = new_id(self.c.execute(insert(entities).values(
                kind=kind.value, name=entity.name, key=key, story_count=0, first_seen_at=when, last_seen_at=when)))
            found = Stored(entity_id, kind, entity.name)
            self.touched.add(entity_id)
            if kind is EntityKind.person and " " in entity.name:
                self._absorb_surname(found)
        return found

    def _record_aliases(self, stored: list[Stored], found: list[ExtractedEntity]) -> None:
        wanted: dict[tuple[int, str], str] = {}
        for target, entity in zip(stored, found, strict=True):
            for alias in sorted({entity.name, *entity.aliases}):
                key = name_key(alias)
                if key:
                    wanted.setdefault((target.id, key), alias)
        if not wanted:
            return
        have = {(int(r.entity_id), r.alias_key) for r in self.c.execute(
            select(entity_aliases.c.entity_id, entity_aliases.c.alias_key)
            .where(entity_aliases.c.entity_id.in_(sorted({i for i, _ in wanted}))))}
        missing = [{"entity_id": i, "alias_key": k, "alias": a} for (i, k), a in wanted.items() if (i, k) not in have]
        if missing:
            self.c.execute(insert(entity_aliases), missing)
            self.touched.update(i for i, _ in wanted)

    def seen(self, entity_ids: int | list[int], when: datetime, *, stories: int = 0) -> None:
        """Widen the entities' first/last-seen dates to `when`; count `stories` more stories for each."""
        ids = [entity_ids] if isinstance(entity_ids, int) else entity_ids
        if not ids:
            return
        if stories:
            self.touched.update(ids)  # the index ranks by story count
        self.c.execute(update(entities).where(entities.c.id.in_(ids)).values(
            story_count=entities.c.story_count + stories,
            first_seen_at=case((entities.c.first_seen_at > when, when), else_=entities.c.first_seen_at),
            last_seen_at=case((entities.c.last_seen_at < when, when), else_=entities.c.last_seen_at)))

    def _find(self, kind: EntityKind, key: str) -> Stored | None:
        row = self.c.execute(select(entities.c.id, entities.c.name)
                             .where(entities.c.kind == kind.value, entities.c.key == key)).first()
        return Stored(int(row.id), kind, row.name) if row else None

    def _alias_owners(self, kind: EntityKind, key: str) -> list[Stored]:
        rows = self.c.execute(select(entities.c.id, entities.c.name).join(
            entity_aliases, entity_aliases.c.entity_id == entities.c.id).where(
            entity_aliases.c.alias_key == key, entities.c.kind == kind.value).distinct())
        return [Stored(int(r.id), kind, r.name) for r in rows]

    def _unique_alias(self, kind: EntityKind, key: str) -> Stored | None:
        owners = self._alias_owners(kind, key)
        return owners[0] if len(owners) == 1 else None

    def _unique_full_name(self, key: str) -> Stored | None:
        owners = [o for o in self._alias_owners(EntityKind.person, key) if " " in o.name]
        return owners[0] if len(owners) == 1 else None

    def _known_org(self, key: str) -> Stored | None:
        """"Anthropic" tagged a person here, known only as an organisation elsewhere: the organisation."""
        if self._alias_owners(EntityKind.person, key):
            return None
        return self._find(EntityKind.org, name_key(org_key(key))) or self._unique_alias(EntityKind.org, key)

    def _absorb_surname(self, full: Stored) -> None:
        """An earlier surname-only entity becomes this person's, if no one else has that surname."""
        surname = name_key(full.name.split()[-1])
        single = self._find(EntityKind.person, surname)
        if single is None:
            return
        others = [o for o in self._alias_owners(EntityKind.person, surname) if " " in o.name and o.id != full.id]
        if not others:
            self.merge(single.id, full)

    def alias(self, entity_id: int, alias: str) -> None:
        key = name_key(alias)
        if not key:
            return
        have = self.c.execute(select(entity_aliases.c.entity_id).where(
            entity_aliases.c.entity_id == entity_id, entity_aliases.c.alias_key == key)).first()
        if not have:
            self.c.execute(insert(entity_aliases).values(entity_id=entity_id, alias_key=key, alias=alias))
            self.touched.add(entity_id)

    def merge(self, source_id: int, target: Stored) -> None:
        """Everything known about `source_id` now belongs to `target`; the source is removed.

        Every table that points at an entity is moved: mentions (summed where both were named in one
        story), quotes, roles (as holder and as organisation), events and aliases.
        """
        c = self.c
        target = self.current(target)
        if source_id == target.id:
            return
        target_stories = {r.story_id for r in c.execute(select(mentions.c.story_id)
                                                        .where(mentions.c.entity_id == target.id))}
        for row in c.execute(select(mentions).where(mentions.c.entity_id == source_id)).all():
            if row.story_id in target_stories:
                c.execute(update(mentions).where(mentions.c.entity_id == target.id,
                                                 mentions.c.story_id == row.story_id)
                          .values(count=mentions.c.count + row.count))
            else:
                c.execute(insert(mentions).values(entity_id=target.id, story_id=row.story_id, count=row.count,
                                                  published_at=row.published_at))
        c.execute(delete(mentions).where(mentions.c.entity_id == source_id))
        c.execute(update(quotes).where(quotes.c.entity_id == source_id).values(entity_id=target.id,
                                                                               speaker=target.name))
        c.execute(update(roles).where(roles.c.entity_id == source_id).values(entity_id=target.id))
        c.execute(update(roles).where(roles.c.org_entity_id == source_id).values(org_entity_id=target.id,
                                                                                 org=target.name))
        c.execute(update(events).where(events.c.entity_id == source_id).values(entity_id=target.id))
        for alias in c.execute(select(entity_aliases.c.alias).where(entity_aliases.c.entity_id == source_id)).all():
            self.alias(target.id, alias.alias)
        source = c.execute(select(entities.c.first_seen_at, entities.c.last_seen_at)
                           .where(entities.c.id == source_id)).one()
        c.execute(delete(entities).where(entities.c.id == source_id))
        self.absorbed[source_id] = target
        self.touched.update((source_id, target.id))
        self.recount(target.id)
        for when in (source.first_seen_at, source.last_seen_at):
            if when:
                self.seen(target.id, aware(when) or when)

    def recount(self, entity_id: int) -> None:
        count = self.c.execute(select(func.count()).select_from(mentions)
                               .where(mentions.c.entity_id == entity_id)).scalar_one()
        self.c.execute(update(entities).where(entities.c.id == entity_id).values(story_count=count))

    def prune(self, entity_ids: set[int] | list[int]) -> list[int]:
        """Delete those of `entity_ids` that nothing refers to any more; returns the ids deleted."""
        ids = sorted(entity_ids)
        gone: list[int] = []
        for start in range(0, len(ids), 500):  # retention passes thousands: keep each IN list modest
            doomed = unreferenced(self.c, ids[start:start + 500])
            if doomed:
                self.c.execute(delete(entities).where(entities.c.id.in_(doomed)))
                gone += doomed
        self.touched.update(gone)
        return gone

    def bump_version(self, now: datetime) -> int:
        """Record this transaction's changes in the log readers that cache names follow (call it last)."""
        return knowledge_changes.record(self.c, self.touched, now)


def _referenced() -> ColumnElement[bool]:
    """True for an entity something other than its own aliases refers to.

    A person or organisation is kept while a stored story names them (mentions, quotes) or while a
    role or event read about them survives; roles and events outlive their stories by design.
    """
    entity_id = entities.c.id
    return (exists().where(mentions.c.entity_id == entity_id)
            | exists().where(quotes.c.entity_id == entity_id)
            | exists().where(roles.c.entity_id == entity_id)
            | exists().where(roles.c.org_entity_id == entity_id)
            | exists().where(events.c.entity_id == entity_id))


def unreferenced(c: Connection, entity_ids: list[int] | None = None, *, limit: int | None = None) -> list[int]:
    """Entities (of `entity_ids`, or any) that nothing refers to: deleting them loses nothing."""
    query = select(entities.c.id).where(not_(_referenced()))
    if entity_ids is not None:
        if not entity_ids:
            return []
        query = query.where(entities.c.id.in_(entity_ids))
    if limit:
        query = query.order_by(entities.c.id).limit(limit)
    return [int(r.id) for r in c.execute(query)]
