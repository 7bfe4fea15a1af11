"""Mentions counted over time: who rose in a window against the one before, and stories per day.

A mention is one story naming an entity (the `mentions` table, dated with the story). Counting a
month of mentions for every entity in SQL means sorting tens of thousands of rows for each
question, so whole days are counted once and kept in memory: a day's counts stay valid while the
knowledge base has not changed, and a settled day (two days older than the newest story, which
only a late-dated report or a merge can still touch) for an hour even when it has. Only the
partial days at a window's edges and the days still receiving news are counted again.

Counting by day needs the date of a timestamp, which each dialect spells its own way: that one
expression (`_day`) is the only dialect-specific SQL here.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import ColumnElement, Engine, and_, func, select

from bot.clock import aware
from bot.store.schema import mentions

DAY = timedelta(days=1)
SETTLED = timedelta(days=2)
SETTLED_TTL = 3600.0  # seconds a settled day's counts are trusted after the knowledge base changed
MAX_DAYS = 400  # days kept in memory (a few hundred bytes to a few kilobytes each)


@dataclass(frozen=True, slots=True)
class WindowCount:
    entity_id: int
    current: int  # stories in [mid, until)
    previous: int  # stories in [since, mid)


Counts = tuple["np.ndarray[Any, np.dtype[np.int64]]", "np.ndarray[Any, np.dtype[np.int64]]"]  # (entity ids, n)
EMPTY: Counts = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))


@dataclass(frozen=True, slots=True)
class _Day:
    counts: Counts
    version: int
    loaded: float  # time.monotonic()


def _day(dialect: str) -> ColumnElement[str]:
    """The UTC date of a mention as YYYY-MM-DD.

    SQLite stores timestamps as UTC text ('2026-03-10 12:00:00.000000', see schema.UtcDateTime),
    so the date is its first ten characters; PostgreSQL's timestamptz is converted to UTC first.
    """
    if dialect == "postgresql":
        return func.to_char(func.timezone("UTC", mentions.c.published_at), "YYYY-MM-DD")
    return func.substr(mentions.c.published_at, 1, 10)


def _sum(parts: list[Counts], size: int) -> np.ndarray[Any, np.dtype[np.int64]]:
    if not parts:
        return np.zeros(size, dtype=np.int64)
    ids = np.concatenate([p[0] for p in parts])
    counts = np.concatenate([p[1] for p in parts])
    return np.bincount(ids, weights=counts, minlength=size).astype(np.int64)


def _midnight(when: datetime) -> datetime:
    when = when.astimezone(UTC)
    return datetime(when.year, when.month, when.day, tzinfo=UTC)


class TrendRepo:
    def __init__(self, engine: Engine, version: Callable[[], int] = lambda: 0) -> None:
        self.engine = engine
        self._version = version
        self._days: OrderedDict[date, _Day] = OrderedDict()
        self._lock = threading.Lock()

    def latest(self, *, before: datetime | None = None) -> datetime | None:
        """The date of the newest story that names anyone (not after `before`)."""
        query = select(func.max(mentions.c.published_at))
        if before is not None:
            query = query.where(mentions.c.published_at <= before)
        with self.engine.connect() as c:
            value = c.execute(query).scalar_one_or_none()
        if isinstance(value, str):  # max() over SQLite's text timestamps comes back untyped
            value = datetime.fromisoformat(value)
        return aware(value)

    def windows(self, since: datetime, mid: datetime, until: datetime
                ) -> tuple[np.ndarray[Any, np.dtype[np.int64]], np.ndarray[Any, np.dtype[np.int64]]]:
        """Stories per entity in [mid, until) and in [since, mid), as two arrays indexed by entity id.

        Dense arrays summed by numpy: a month is a few dozen days of a thousand counts each, which a
        dict-by-dict sum in Python would take tens of milliseconds over.
        """
        version = self._version()
        current = self._range(mid, until, until, version)
        previous = self._range(since, mid, until, version)
        size = 1 + max((int(ids.max()) for ids, _ in (*current, *previous) if len(ids)), default=0)
        return _sum(current, size), _sum(previous, size)

    def window_counts(self, since: datetime, mid: datetime, until: datetime, *, at_least: int = 1
                      ) -> list[WindowCount]:
        """Stories per entity in both windows, for entities with `at_least` in [mid, until)."""
        current, previous = self.windows(since, mid, until)
        return [WindowCount(int(i), int(current[i]), int(previous[i])) for i in np.nonzero(current >= at_least)[0]]

    def _range(self, start: datetime, end: datetime, newest: datetime, version: int) -> list[Counts]:
        """Stories per entity in [start, end): cached whole days, counted partial days at the edges."""
        parts: list[Counts] = []
        if start >= end:
            return parts
        first = _midnight(start) + (DAY if _midnight(start) < start else timedelta(0))
        last = _midnight(end)
        if first >= last:  # within a day, or across one midnight only
            parts.append(self._count(start, min(first, end)))
            if first < end:
                parts.append(self._count(first, end))
            return parts
        if start < first:
            parts.append(self._count(start, first))
        day = first
        while day < last:
            parts.append(self._day_counts(day, newest, version))
            day += DAY
        if last < end:
            parts.append(self._count(last, end))
        return parts

    def _day_counts(self, start: datetime, newest: datetime, version: int) -> Counts:
        key = start.date()
        settled = start + DAY <= newest - SETTLED
        with self._lock:
            entry = self._days.get(key)
            if entry is not None and (entry.version == version or
                                      (settled and time.monotonic() - entry.loaded < SETTLED_TTL)):
                self._days.move_to_end(key)
                return entry.counts
        counts = self._count(start, start + DAY)
        with self._lock:
            self._days[key] = _Day(counts, version, time.monotonic())
            self._days.move_to_end(key)
            while len(self._days) > MAX_DAYS:
                self._days.popitem(last=False)
        return counts

    def _count(self, start: datetime, end: datetime) -> Counts:
        with self.engine.connect() as c:
            rows = c.execute(select(mentions.c.entity_id, func.count()).where(
                mentions.c.published_at >= start, mentions.c.published_at < end).group_by(mentions.c.entity_id)).all()
        if not rows:
            return EMPTY
        # Plain ints first: numpy probing SQLAlchemy rows for array protocols costs more than the query.
        return (np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows)),
                np.fromiter((r[1] for r in rows), dtype=np.int64, count=len(rows)))

    def forget(self) -> None:
        """Drop the cached days (after pruning stories, say); they are counted again when asked for."""
        with self._lock:
            self._days.clear()

    def by_day(self, entity_ids: Sequence[int], since: datetime, until: datetime) -> dict[int, dict[str, int]]:
        """Stories per UTC day (YYYY-MM-DD) in [since, until) for each of a few entities."""
        found: dict[int, dict[str, int]] = defaultdict(dict)
        if not entity_ids:
            return found
        with self.engine.connect() as c:
            day = _day(c.dialect.name).label("day")
            rows = c.execute(select(mentions.c.entity_id, day, func.count().label("n"))
                             .where(and_(mentions.c.entity_id.in_(list(entity_ids)),
                                         mentions.c.published_at >= since, mentions.c.published_at < until))
                             .group_by(mentions.c.entity_id, day))
            for r in rows:
                found[int(r.entity_id)][str(r.day)] = int(r.n)
        return found
