"""The name index /whois looks people up in: every alias, held in memory between lookups.

Exact names and prefixes come from a dict and a sorted list (bisect), typos from rapidfuzz over
names of about the same length. The index is loaded in full once; after that it follows the
knowledge base's change log (`knowledge_changes`): when the version moved, only the entities the
new versions name are read again and patched in, whichever instance wrote them. A lookup on a
store of 20,000 entities costs one small query and microseconds of Python, and a lookup after a
saved story costs a query for that story's few dozen entities, not a reload of every alias.

Snapshots are never changed once published: a patch builds a new one (copying the top-level maps,
which costs far less than reading the tables again) and swaps it in, so a lookup running in another
thread keeps a consistent view.
"""

from __future__ import annotations

import bisect
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA
from sqlalchemy import Connection, Engine, select

from bot.store import knowledge_changes
from bot.store.schema import entities, entity_aliases

PATCH_LIMIT = 5_000  # more changed entities than this since the last lookup: one full read is cheaper
CHUNK = 500  # ids per IN (...) list


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
    ids_by_key: dict[str, list[int]] = field(default_factory=dict)  # sorted ids per alias key
    aliases: dict[int, list[str]] = field(default_factory=dict)  # as written, per entity
    keys_of: dict[int, list[str]] = field(default_factory=dict)  # alias keys, per entity
    keys: list[str] = field(default_factory=list)  # sorted, for prefixes
    by_length: dict[int, list[str]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class IndexContents:
    """Everything the index holds, for consistency checks against the tables."""

    version: int
    entities: dict[int, Named]
    ids_by_key: dict[str, list[int]]
    aliases: dict[int, list[str]]
    sorted_keys: bool  # the prefix list is sorted and holds exactly the alias keys
    lengths_agree: bool  # the by-length lists hold exactly the alias keys, each under its length


@dataclass(slots=True)
class _Rows:
    named: dict[int, Named] = field(default_factory=dict)
    aliases: list[tuple[int, str, str]] = field(default_factory=list)  # (entity id, key, as written)


class NameIndex:
    def __init__(self, engine: Engine, version: Callable[[], int] | None = None) -> None:
        self.engine = engine
        self._version = version or self._read_version
        self._snapshot: _Snapshot | None = None
        self._lock = threading.Lock()
        self.full_loads = 0  # how often the tables were read in full (the rest were patches)
        self.patches = 0

    def _read_version(self) -> int:
        with self.engine.connect() as c:
            return knowledge_changes.latest(c)

    def _current(self) -> _Snapshot:
        version = self._version()
        snapshot = self._snapshot
        if snapshot is not None and snapshot.version == version:
            return snapshot
        with self._lock:
            snapshot = self._snapshot
            if snapshot is None:
                self._snapshot = self._load(version)
            elif snapshot.version != version:
                # Read again inside the lock: another thread may have brought the snapshot past the number
                # read above, and patching it "back" would cost a full load for nothing.
                version = self._version()
                if snapshot.version != version:
                    self._snapshot = self._follow(snapshot, version)
            assert self._snapshot is not None
            return self._snapshot

    def _follow(self, snapshot: _Snapshot, version: int) -> _Snapshot:
        """The snapshot brought to `version`: patched with the entities changed since, or read again."""
        with self.engine.connect() as c:
            changes = knowledge_changes.since(c, snapshot.version, version)
            if changes.entity_ids is None or len(changes.entity_ids) > PATCH_LIMIT:
                return self._load(version, c)
            rows = _read(c, sorted(changes.entity_ids))
        self.patches += 1
        return _patched(snapshot, version, changes.entity_ids, rows)

    def _load(self, version: int, c: Connection | None = None) -> _Snapshot:
        self.full_loads += 1
        if c is None:
            with self.engine.connect() as own:
                rows = _read(own, None)
        else:
            rows = _read(c, None)
        return _patched(_Snapshot(version), version, (), rows)

    def contents(self) -> IndexContents:
        """The index as it stands after following every write so far (for checks, not lookups)."""
        s = self._current()
        lengths = sorted(k for keys in s.by_length.values() for k in keys)
        return IndexContents(
            s.version, dict(s.entities), {k: list(v) for k, v in s.ids_by_key.items()},
            {k: list(v) for k, v in s.aliases.items()},
            sorted_keys=s.keys == sorted(s.ids_by_key),
            lengths_agree=lengths == sorted(s.ids_by_key) and all(
                len(k) == n for n, keys in s.by_length.items() for k in keys))

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


def _read(c: Connection, ids: list[int] | None) -> _Rows:
    """Entities and their aliases: these ids, or all of them."""
    rows = _Rows()
    entity_query = select(entities.c.id, entities.c.kind, entities.c.name, entities.c.story_count)
    alias_query = (select(entity_aliases.c.entity_id, entity_aliases.c.alias_key, entity_aliases.c.alias)
                   .order_by(entity_aliases.c.entity_id, entity_aliases.c.alias_key))
    chunks: Iterable[list[int] | None] = [None] if ids is None else (
        ids[i:i + CHUNK] for i in range(0, len(ids), CHUNK))
    for chunk in chunks:
        e_query, a_query = entity_query, alias_query
        if chunk is not None:
            e_query = e_query.where(entities.c.id.in_(chunk))
            a_query = a_query.where(entity_aliases.c.entity_id.in_(chunk))
        for r in c.execute(e_query):
            rows.named[int(r.id)] = Named(int(r.id), r.kind, r.name, int(r.story_count))
        rows.aliases += [(int(r.entity_id), r.alias_key, r.alias) for r in c.execute(a_query)]
    return rows


def _patched(old: _Snapshot, version: int, changed: Iterable[int], rows: _Rows) -> _Snapshot:
    """A new snapshot: `old` without the `changed` entities, plus what `rows` holds of them now.

    An alias whose entity is not among the rows (deleted between the two reads) is left out; the
    version that deleted it is newer than this one and will patch it again anyway.
    """
    entities_ = dict(old.entities)
    ids_by_key = dict(old.ids_by_key)
    aliases = dict(old.aliases)
    keys_of = dict(old.keys_of)
    dropped: set[str] = set()
    for entity_id in changed:
        entities_.pop(entity_id, None)
        aliases.pop(entity_id, None)
        for key in keys_of.pop(entity_id, []):
            left = [i for i in ids_by_key.get(key, []) if i != entity_id]
            if left:
                ids_by_key[key] = left
            else:
                ids_by_key.pop(key, None)
                dropped.add(key)
    entities_.update(rows.named)
    added: dict[str, list[int]] = defaultdict(list)
    written: dict[int, list[str]] = defaultdict(list)
    new_keys: dict[int, list[str]] = defaultdict(list)
    for entity_id, key, alias in rows.aliases:
        if entity_id in rows.named:
            added[key].append(entity_id)
            written[entity_id].append(alias)
            new_keys[entity_id].append(key)
    fresh: set[str] = set()
    for key, ids in added.items():
        before = ids_by_key.get(key)
        if before is None:
            fresh.add(key)
        ids_by_key[key] = sorted({*(before or ()), *ids})
    aliases.update(written)
    keys_of.update(new_keys)
    dropped -= fresh  # emptied and filled again: still there
    fresh = {k for k in fresh if k not in old.ids_by_key}  # only keys the old lists do not hold yet
    return _Snapshot(version, entities_, ids_by_key, aliases, keys_of, _sorted_keys(old.keys, dropped, fresh),
                     _lengths(old.by_length, dropped, fresh))


def _sorted_keys(keys: list[str], dropped: set[str], fresh: set[str]) -> list[str]:
    if not dropped and not fresh:
        return keys
    if len(dropped) + len(fresh) > 64:  # many changes: one sort beats many list insertions
        return sorted((set(keys) - dropped) | fresh)
    result = list(keys)
    for key in dropped:
        at = bisect.bisect_left(result, key)
        if at < len(result) and result[at] == key:
            del result[at]
    for key in fresh:
        bisect.insort(result, key)
    return result


def _lengths(by_length: dict[int, list[str]], dropped: set[str], fresh: set[str]) -> dict[int, list[str]]:
    """The keys grouped by length, each group sorted (so a patched index ranks ties as a fresh one does)."""
    if not dropped and not fresh:
        return by_length
    gone: dict[int, set[str]] = defaultdict(set)
    new: dict[int, set[str]] = defaultdict(set)
    for key in dropped:
        gone[len(key)].add(key)
    for key in fresh:
        new[len(key)].add(key)
    result = dict(by_length)
    for length in gone.keys() | new.keys():
        keys = sorted((set(result.get(length, ())) - gone[length]) | new[length])
        if keys:
            result[length] = keys
        else:
            result.pop(length, None)
    return result
