"""The name index /whois looks people up in: every alias, held in memory between lookups.

Exact names and prefixes come from a dict and a sorted list (bisect), typos from rapidfuzz over
names of about the same length. The index is loaded once and reloaded only when the knowledge
base's version number (bumped by every save) has changed, so a lookup on a store of 20,000
entities costs one small query and microseconds of Python, not a scan of the alias table.
"""

from __future__ import annotations

import bisect
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA
from sqlalchemy import Engine, select

from bot.store.schema import entities, entity_aliases


@dataclass(frozen=True, slots=True)
class Named:
    """What ranking candidates needs of an entity, kept with the index to spare a query per lookup."""

    id: int
    kind: str
    name: str
    story_count: int


@dataclass(slots=True)
class _Snapshot:
    version: int
    entities: dict[int, Named] = field(default_factory=dict)
    ids_by_key: dict[str, list[int]] = field(default_factory=dict)
    aliases: dict[int, list[str]] = field(default_factory=dict)  # as written, per entity
    keys: list[str] = field(default_factory=list)  # sorted, for prefixes
    by_length: dict[int, list[str]] = field(default_factory=dict)


class NameIndex:
    def __init__(self, engine: Engine, version: Callable[[], int]) -> None:
        self.engine = engine
        self._version = version
        self._snapshot: _Snapshot | None = None
        self._lock = threading.Lock()

    def _current(self) -> _Snapshot:
        version = self._version()
        snapshot = self._snapshot
        if snapshot is not None and snapshot.version == version:
            return snapshot
        with self._lock:
            if self._snapshot is None or self._snapshot.version != version:
                self._snapshot = self._load(version)
            return self._snapshot

    def _load(self, version: int) -> _Snapshot:
        ids: dict[str, list[int]] = defaultdict(list)
        written: dict[int, list[str]] = defaultdict(list)
        with self.engine.connect() as c:
            named = {int(r.id): Named(int(r.id), r.kind, r.name, int(r.story_count)) for r in c.execute(
                select(entities.c.id, entities.c.kind, entities.c.name, entities.c.story_count))}
            for key, entity_id, alias in c.execute(select(entity_aliases.c.alias_key, entity_aliases.c.entity_id,
                                                          entity_aliases.c.alias)):
                ids[key].append(int(entity_id))
                written[int(entity_id)].append(alias)
        by_length: dict[int, list[str]] = defaultdict(list)
        for key in ids:
            by_length[len(key)].append(key)
        return _Snapshot(version, named, dict(ids), dict(written), sorted(ids), dict(by_length))

    def aliases(self, entity_id: int) -> list[str]:
        return list(self._current().aliases.get(entity_id, []))

    def entities(self, ids: list[int]) -> list[Named]:
        snapshot = self._current()
        return [snapshot.entities[i] for i in ids if i in snapshot.entities]

    def exact(self, key: str) -> list[int]:
        return list(self._current().ids_by_key.get(key, []))

    def prefix(self, key: str, *, limit: int = 50) -> list[int]:
        """Entities with an alias starting with `key` (at most `limit` aliases are looked at)."""
        snapshot = self._current()
        start = bisect.bisect_left(snapshot.keys, key)
        found: list[int] = []
        for alias in snapshot.keys[start:start + limit]:
            if not alias.startswith(key):
                break
            found.extend(i for i in snapshot.ids_by_key[alias] if i not in found)
        return found

    def typo(self, key: str) -> list[tuple[int, int]]:
        """(entity id, edit distance) of names one or two edits away (transpositions count one)."""
        allowed = 1 if len(key) <= 5 else 2 if len(key) <= 12 else 3
        snapshot = self._current()
        found: dict[int, int] = {}
        for length in range(len(key) - allowed, len(key) + allowed + 1):
            keys = snapshot.by_length.get(length)
            if not keys:
                continue
            for alias, distance, _ in process.extract(key, keys, scorer=OSA.distance, score_cutoff=allowed,
                                                      limit=20):
                for entity_id in snapshot.ids_by_key[alias]:
                    found[entity_id] = min(found.get(entity_id, 99), int(distance))
        return sorted(found.items(), key=lambda kv: kv[1])

    def similar(self, key: str, *, limit: int = 5, cutoff: float = 72) -> list[int]:
        """Entities whose names resemble `key`, best first: the suggestions for a name not found."""
        snapshot = self._current()
        found: list[int] = []
        scored: list[tuple[float, str]] = []
        for length in range(max(1, len(key) - 2), len(key) + 3):  # a name much longer or shorter is no suggestion
            keys = snapshot.by_length.get(length)
            if keys:
                scored += [(score, alias) for alias, score, _ in process.extract(
                    key, keys, scorer=fuzz.ratio, score_cutoff=cutoff, limit=limit)]
        for _, alias in sorted(scored, reverse=True):
            found.extend(i for i in snapshot.ids_by_key[alias] if i not in found)
        return found[:limit]
