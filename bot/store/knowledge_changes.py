"""The knowledge base's change log: which entities each write touched, version by version.

Readers that cache names (the /whois index) must follow every write, their own instance's and
other instances' on the same database, without reloading twenty thousand names after each saved
story. Every transaction that changes entities or their aliases appends one version here, listing
the entity ids it touched (created, renamed, recounted, merged away, pruned); a reader a few
versions behind reloads only those entities. A reader too far behind (the log is trimmed) or a
version that lists no ids (a bulk load: "anything may have changed") reloads in full.

Versions are consecutive integers: writers take the "knowledge" lock (`db.serialize`) on
PostgreSQL, and SQLite has one writer at a time, so no two transactions append the same number,
and a reader seeing version N has every version up to N committed. A missing number therefore
means "trimmed", never "still being written".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, func, insert, select

from bot.store.schema import knowledge_changes

KEEP = 20_000  # versions kept: days of saves at news volumes; a reader further behind reloads in full
TRIM_EVERY = 500  # trimming is one indexed range delete, done now and then rather than on every save


@dataclass(frozen=True, slots=True)
class Changes:
    """What moved between two versions: the entity ids to reload, or None for "reload everything"."""

    version: int
    entity_ids: frozenset[int] | None


def latest(c: Connection) -> int:
    return int(c.execute(select(func.coalesce(func.max(knowledge_changes.c.version), 0))).scalar_one())


def record(c: Connection, entity_ids: Iterable[int] | None, now: datetime) -> int:
    """Append the next version, naming the entities this transaction changed; returns its number.

    Call it last in the transaction, inside the writers' lock (see the module's docstring).
    """
    version = latest(c) + 1
    ids = None if entity_ids is None else sorted(set(entity_ids))
    c.execute(insert(knowledge_changes).values(version=version, entity_ids=ids, changed_at=now))
    if version % TRIM_EVERY == 0:
        c.execute(delete(knowledge_changes).where(knowledge_changes.c.version <= version - KEEP))
    return version


def since(c: Connection, version: int, upto: int) -> Changes:
    """The entities changed after `version` up to `upto`; None when the log cannot tell (trimmed, bulk)."""
    if upto < version:
        return Changes(upto, None)  # the log went backwards: a restored or recreated database
    rows = c.execute(select(knowledge_changes.c.version, knowledge_changes.c.entity_ids).where(
        knowledge_changes.c.version > version, knowledge_changes.c.version <= upto)).all()
    if len(rows) != upto - version:
        return Changes(upto, None)
    ids: set[int] = set()
    for row in rows:
        if row.entity_ids is None:
            return Changes(upto, None)
        ids.update(int(i) for i in row.entity_ids)
    return Changes(upto, frozenset(ids))
