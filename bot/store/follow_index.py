"""The follow check: which follows a newly enriched story meets, answered from memory.

Every follow is held in two dicts, loaded once and reloaded only when the follows' version number
(bumped by every change, by any instance) has moved: resolved follows by entity id, and follows
not yet resolved (a name nobody in the news had when it was followed) by the key of that name. A
story's check is then a dict lookup per entity it names, whatever the number of follows, so it
adds next to nothing to enrichment; only a story that meets a follow costs a write.
"""

from __future__ import annotations

import functools
import re
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Engine, select

from bot.knowledge.gazetteer import org_key
from bot.models import EntityKind, ExtractedEntity
from bot.store.knowledge_write import name_key
from bot.store.schema import follows

MAX_AGE = 300.0  # seconds: follows another instance resolved are seen by entity at the latest after this
VERSION_EVERY = 1.0  # seconds between reads of the version: a follow counts from a second after it is made

# Words an organisation's name often carries that a reader leaves out: following "Anduril" before
# anyone wrote about it should meet "Anduril Industries" when it appears.
_ORG_TAIL = re.compile(r"\s+(?:industries|technologies|technology|systems|group|holdings|labs|international|"
                       r"company|corporation|incorporated)$")


@dataclass(frozen=True, slots=True)
class FollowRef:
    id: int
    recipient: str
    name: str


@dataclass(frozen=True, slots=True)
class Match:
    follow: FollowRef
    entity_id: int
    resolves: bool  # the follow had no entity yet: this story's entity becomes it


@dataclass(slots=True)
class _Snapshot:
    version: int
    by_entity: dict[int, list[FollowRef]] = field(default_factory=dict)
    by_key: dict[str, list[FollowRef]] = field(default_factory=dict)
    count: int = 0
    loaded: float = 0.0  # time.monotonic()
    waiting: dict[int, str] = field(default_factory=dict)  # unresolved follow id -> its key in by_key


def entity_keys(entity: ExtractedEntity) -> frozenset[str]:
    """The keys under which an unresolved follow may be waiting for this entity: its name, every
    spelling the story used, a person's surname, an organisation's name without its legal or
    generic tail."""
    return _keys(entity.name, entity.kind, tuple(sorted(entity.aliases)))


@functools.lru_cache(maxsize=20_000)  # the same names come back story after story
def _keys(name: str, kind: EntityKind, aliases: tuple[str, ...]) -> frozenset[str]:
    keys = {name_key(name), *(name_key(a) for a in aliases)}
    if kind is EntityKind.person and " " in name.strip():
        keys.add(name_key(name.split()[-1]))
    if kind is EntityKind.org:
        short = org_key(name)
        keys.add(name_key(short))
        keys.add(name_key(_ORG_TAIL.sub("", short)))
    keys.discard("")
    return frozenset(keys)


class FollowIndex:
    def __init__(self, engine: Engine, version: Callable[[], int]) -> None:
        self.engine = engine
        self._version = version
        self._snapshot: _Snapshot | None = None
        self._lock = threading.Lock()
        self._asked = 0.0  # time.monotonic() the version was last read

    def _current(self) -> _Snapshot:
        snapshot = self._snapshot
        now = time.monotonic()
        if snapshot is not None and now - self._asked < VERSION_EVERY and now - snapshot.loaded < MAX_AGE:
            return snapshot  # asked the database a moment ago: a story a second need not ask again
        version = self._version()
        self._asked = now
        if snapshot is not None and snapshot.version == version and time.monotonic() - snapshot.loaded < MAX_AGE:
            return snapshot
        with self._lock:
            if (self._snapshot is None or self._snapshot.version != version
                    or time.monotonic() - self._snapshot.loaded >= MAX_AGE):
                self._snapshot = self._load(version)
            return self._snapshot

    def invalidate(self) -> None:
        """This instance changed the follows: read the version at the next check, not a second later."""
        self._asked = 0.0

    def resolved(self, follow_id: int, entity_id: int | None) -> None:
        """A follow this instance resolved (to `entity_id`) or dropped (None): moved in memory, no reload.

        Resolving does not bump the version (a reload of every follow per new name would cost more
        than the check itself); other instances match the follow by its name until their next
        reload, and `FollowRepo.record_hits` drops what such a stale match finds.
        """
        with self._lock:
            snapshot = self._snapshot
            if snapshot is None:
                return
            key = snapshot.waiting.pop(follow_id, None)
            if key is None:
                return
            refs = snapshot.by_key.get(key, [])
            moved = [r for r in refs if r.id == follow_id]
            snapshot.by_key[key] = [r for r in refs if r.id != follow_id]
            if not snapshot.by_key[key]:
                del snapshot.by_key[key]
            if entity_id is not None:
                snapshot.by_entity.setdefault(entity_id, []).extend(moved)
            else:
                snapshot.count -= len(moved)

    def _load(self, version: int) -> _Snapshot:
        by_entity: dict[int, list[FollowRef]] = defaultdict(list)
        by_key: dict[str, list[FollowRef]] = defaultdict(list)
        waiting: dict[int, str] = {}
        count = 0
        with self.engine.connect() as c:
            for r in c.execute(select(follows.c.id, follows.c.recipient, follows.c.name, follows.c.key,
                                      follows.c.entity_id)):
                ref = FollowRef(int(r.id), r.recipient, r.name)
                if r.entity_id is not None:
                    by_entity[int(r.entity_id)].append(ref)
                else:
                    by_key[r.key].append(ref)
                    waiting[ref.id] = r.key
                count += 1
        return _Snapshot(version, dict(by_entity), dict(by_key), count, time.monotonic(), waiting)

    def __len__(self) -> int:
        return self._current().count

    def match(self, entities: Sequence[ExtractedEntity], ids: Sequence[int]) -> list[Match]:
        """The follows a story naming `entities` (stored as `ids`, in the same order) meets, once each."""
        snapshot = self._current()
        if not snapshot.count:
            return []
        found: dict[int, Match] = {}
        for entity_id in ids:
            for ref in snapshot.by_entity.get(entity_id, ()):
                found.setdefault(ref.id, Match(ref, entity_id, False))
        if snapshot.by_key:
            for entity, entity_id in zip(entities, ids, strict=True):
                for key in entity_keys(entity):
                    for ref in snapshot.by_key.get(key, ()):
                        found.setdefault(ref.id, Match(ref, entity_id, True))
        return list(found.values())

    def followers(self, entity_ids: Iterable[int]) -> set[str]:
        """Recipients following any of these entities (resolved follows only)."""
        snapshot = self._current()
        return {ref.recipient for i in entity_ids for ref in snapshot.by_entity.get(i, ())}
