"""Follows: who (a person, by direct message, or a channel) follows which person or organisation,
and the hits (a new story naming one) that wait for the follow alert job.

A follow is resolved when it knows its entity; one made before anybody by that name was in the
news keeps only the name's key, and the first story naming a matching entity resolves it
(`record_hits`). Every change bumps a version number, so each instance's in-memory index
(follow_index.py) reloads at its next check.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from bot.clock import aware
from bot.models import ExtractedEntity
from bot.store.db import new_id, serialize
from bot.store.follow_index import FollowIndex, Match
from bot.store.knowledge_write import name_key
from bot.store.schema import entities, follow_hits, follows, kv

VERSION_KEY = "follows.version"


@dataclass(frozen=True, slots=True)
class FollowRow:
    id: int
    recipient: str
    origin: str
    query: str
    name: str
    key: str
    entity_id: int | None
    kind: str | None
    created_at: datetime | None


@dataclass(frozen=True, slots=True)
class Target:
    """What to follow: an entity the knowledge base resolved the query to, or only the name typed."""

    query: str
    name: str
    entity_id: int | None = None
    kind: str | None = None


@dataclass(frozen=True, slots=True)
class HitRow:
    follow_id: int
    story_id: str
    entity_id: int | None
    name: str  # the followed name, as the follow has it now
    created_at: datetime


class FollowRepo:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.index = FollowIndex(engine, self.version)

    # --- following ---------------------------------------------------------------------------------

    def version(self) -> int:
        with self.engine.connect() as c:
            value = c.execute(select(kv.c.value).where(kv.c.key == VERSION_KEY)).scalar_one_or_none()
        return int(value) if isinstance(value, int | float | str) else 0

    def add(self, recipient: str, target: Target, *, origin: str, now: datetime) -> tuple[FollowRow, bool]:
        """Follow `target` for `recipient`; (the follow, whether it is new). Following again is a no-op."""
        key = name_key(target.name)
        try:
            with self.engine.begin() as c:
                existing = self._existing(c, recipient, key, target.entity_id)
                if existing is not None:
                    return existing, False
                follow_id = new_id(c.execute(insert(follows).values(
                    recipient=recipient, origin=origin, query=target.query[:500], name=target.name[:500],
                    key=key, entity_id=target.entity_id, kind=target.kind, created_at=now)))
                _bump(c, now)
                row = c.execute(select(follows).where(follows.c.id == follow_id)).one()
            self.index.invalidate()
        except IntegrityError:  # the same follow, added at this moment by another instance
            with self.engine.connect() as c:
                again = self._existing(c, recipient, key, target.entity_id)
            if again is None:
                raise
            return again, False
        return _row(row), True

    @staticmethod
    def _existing(c: Connection, recipient: str, key: str, entity_id: int | None) -> FollowRow | None:
        query = select(follows).where(follows.c.recipient == recipient, follows.c.key == key)
        row = c.execute(query).first()
        if row is None and entity_id is not None:
            row = c.execute(select(follows).where(follows.c.recipient == recipient,
                                                  follows.c.entity_id == entity_id)).first()
        return _row(row) if row is not None else None

    def remove(self, follow_id: int, *, now: datetime) -> bool:
        with self.engine.begin() as c:
            gone = c.execute(delete(follows).where(follows.c.id == follow_id)).rowcount
            if gone:
                _bump(c, now)
        self.index.invalidate()
        return bool(gone)

    def of(self, recipient: str) -> list[FollowRow]:
        """A recipient's follows, oldest first."""
        with self.engine.connect() as c:
            return [_row(r) for r in c.execute(select(follows).where(follows.c.recipient == recipient)
                                               .order_by(follows.c.created_at, follows.c.id))]

    def count(self, recipient: str) -> int:
        with self.engine.connect() as c:
            return int(c.execute(select(func.count()).select_from(follows)
                                 .where(follows.c.recipient == recipient)).scalar_one())

    def all(self) -> list[FollowRow]:
        with self.engine.connect() as c:
            return [_row(r) for r in c.execute(select(follows).order_by(follows.c.recipient, follows.c.id))]

    def direct_platforms(self) -> set[str]:
        """The platforms of the people who follow something (their alerts go by direct message there)."""
        with self.engine.connect() as c:
            rows = c.execute(select(follows.c.recipient).where(follows.c.recipient.like("dm:%")).distinct())
            return {r.recipient.split(":")[1] for r in rows if r.recipient.count(":") >= 2}

    def sync_config(self, wanted: dict[str, list[Target]], *, now: datetime) -> None:
        """Make the config's channel follows the stored ones: add what is new, drop what was removed.

        Follows a channel got otherwise (`sitrep follow add --channel`) are left alone.
        """
        with self.engine.begin() as c:
            serialize(c, "follows")  # instances starting together sync once
            stored = c.execute(select(follows.c.id, follows.c.recipient, follows.c.query)
                               .where(follows.c.origin == "config")).all()
            keep = {(channel, name_key(t.query)) for channel, targets in wanted.items() for t in targets}
            stale = [r.id for r in stored if (r.recipient, name_key(r.query)) not in keep]
            changed = bool(stale)
            if stale:
                c.execute(delete(follows).where(follows.c.id.in_(stale)))
            have = {(r.recipient, name_key(r.query)) for r in stored if r.id not in stale}
            for channel, targets in wanted.items():
                for target in targets:
                    key = name_key(target.name)
                    if (channel, name_key(target.query)) in have or not key:
                        continue
                    if self._existing(c, channel, key, target.entity_id) is not None:
                        continue  # the channel follows it already (added by command)
                    c.execute(insert(follows).values(
                        recipient=channel, origin="config", query=target.query, name=target.name, key=key,
                        entity_id=target.entity_id, kind=target.kind, created_at=now))
                    have.add((channel, name_key(target.query)))
                    changed = True
            if changed:
                _bump(c, now)
        self.index.invalidate()

    # --- the check and its hits ---------------------------------------------------------------------

    def check(self, story_id: str, found: Sequence[ExtractedEntity], ids: Sequence[int], *,
              now: datetime) -> list[Match]:
        """Record the follows a freshly enriched story meets (the story's entities, as stored); cheap
        when it meets none, which is nearly always."""
        matches = self.index.match(found, ids)
        return self.record_hits(story_id, matches, now=now) if matches else []

    def record_hits(self, story_id: str, matches: Sequence[Match], *, now: datetime) -> list[Match]:
        return self.record_many([(story_id, list(matches))], now=now)[0]

    def record_many(self, met: Sequence[tuple[str, Sequence[Match]]], *, now: datetime) -> list[list[Match]]:
        """Store the hits of several stories in one transaction (once per follow and story) and resolve
        the follows that were waiting for a name; returns, per story, the matches that stood (a name
        match for a follow another instance resolved meanwhile to another entity is no hit)."""
        kept: list[list[Match]] = [[] for _ in met]
        changed: dict[int, int | None] = {}
        rows: list[dict[str, object]] = []
        if not any(matches for _, matches in met):
            return kept
        with self.engine.begin() as c:
            for i, (story_id, matches) in enumerate(met):
                for match in matches:
                    outcome = self._resolve(c, match.follow.id, match.entity_id) if match.resolves else "same"
                    if outcome in ("resolved", "same"):
                        kept[i].append(match)
                        rows.append({"follow_id": match.follow.id, "story_id": story_id,
                                     "recipient": match.follow.recipient, "entity_id": match.entity_id,
                                     "created_at": now})
                    if outcome in ("resolved", "twin"):
                        changed[match.follow.id] = match.entity_id if outcome == "resolved" else None
            if rows:
                dialect_insert = sqlite_insert if c.dialect.name == "sqlite" else pg_insert
                c.execute(dialect_insert(follow_hits).on_conflict_do_nothing(
                    index_elements=["follow_id", "story_id"]), rows)
        for follow_id, entity_id in changed.items():
            self.index.resolved(follow_id, entity_id)
        return kept

    @staticmethod
    def _resolve(c: Connection, follow_id: int, entity_id: int) -> str:
        """resolved | same (it follows this entity already) | other (another entity) | twin | gone."""
        follow = c.execute(select(follows.c.recipient, follows.c.entity_id).where(follows.c.id == follow_id)).first()
        entity = c.execute(select(entities.c.name, entities.c.kind).where(entities.c.id == entity_id)).first()
        if follow is None or entity is None:
            return "gone"
        if follow.entity_id is not None:
            return "same" if follow.entity_id == entity_id else "other"
        key = name_key(entity.name)
        twin = c.execute(select(follows.c.id).where(
            follows.c.recipient == follow.recipient, follows.c.id != follow_id,
            (follows.c.key == key) | (follows.c.entity_id == entity_id))).first()
        if twin is not None:  # the recipient follows that entity already, under its full name
            # The twin met this story too (by the entity, or by its name among the story's keys).
            c.execute(delete(follows).where(follows.c.id == follow_id))
            return "twin"
        c.execute(update(follows).where(follows.c.id == follow_id).values(
            entity_id=entity_id, kind=entity.kind, name=entity.name, key=key))
        return "resolved"

    def recipients_with_hits(self) -> list[str]:
        with self.engine.connect() as c:
            return sorted(r.recipient for r in c.execute(select(follow_hits.c.recipient).distinct()))

    def hits(self, recipient: str) -> list[HitRow]:
        with self.engine.connect() as c:
            rows = c.execute(select(follow_hits.c.follow_id, follow_hits.c.story_id, follow_hits.c.entity_id,
                                    follow_hits.c.created_at, follows.c.name)
                             .join(follows, follows.c.id == follow_hits.c.follow_id)
                             .where(follow_hits.c.recipient == recipient)
                             .order_by(follow_hits.c.created_at, follow_hits.c.story_id))
            return [HitRow(int(r.follow_id), r.story_id, r.entity_id, r.name, aware(r.created_at) or r.created_at)
                    for r in rows]

    def drop_hits(self, recipient: str, story_ids: Sequence[str]) -> int:
        """Forget a recipient's hits on these stories (alerted, or no longer worth alerting)."""
        if not story_ids:
            return 0
        with self.engine.begin() as c:
            return int(c.execute(delete(follow_hits).where(follow_hits.c.recipient == recipient,
                                                           follow_hits.c.story_id.in_(list(story_ids)))).rowcount)


def _bump(c: Connection, now: datetime) -> None:  # callers then invalidate their own index
    """Readers that cache follows (FollowIndex) reload when this number changes."""
    value = secrets.randbits(48)  # random, not a counter: one statement, no race between writers
    if c.execute(update(kv).where(kv.c.key == VERSION_KEY).values(value=value, updated_at=now)).rowcount == 0:
        c.execute(insert(kv).values(key=VERSION_KEY, value=value, updated_at=now))


def _row(r: Any) -> FollowRow:
    return FollowRow(int(r.id), r.recipient, r.origin, r.query, r.name, r.key,
                     int(r.entity_id) if r.entity_id is not None else None, r.kind, aware(r.created_at))
