"""Mentions counted over time: who rose in a window against the one before, and stories per day.

A mention is one story naming an entity (the `mentions` table, dated with the story). Counting
by day needs the date of a timestamp, which each dialect spells its own way: that one expression
(`_day`) is the only dialect-specific SQL here. Both queries run from indexes: (date, entity)
for a window of every entity, (entity, date) for a few entities' days.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Engine, and_, case, func, select

from bot.clock import aware
from bot.store.schema import mentions


@dataclass(frozen=True, slots=True)
class WindowCount:
    entity_id: int
    current: int  # stories in [mid, until)
    previous: int  # stories in [since, mid)


def _day(dialect: str) -> ColumnElement[str]:
    """The UTC date of a mention as YYYY-MM-DD.

    SQLite stores timestamps as UTC text ('2026-03-10 12:00:00.000000', see schema.UtcDateTime),
    so the date is its first ten characters; PostgreSQL's timestamptz is converted to UTC first.
    """
    if dialect == "postgresql":
        return func.to_char(func.timezone("UTC", mentions.c.published_at), "YYYY-MM-DD")
    return func.substr(mentions.c.published_at, 1, 10)


class TrendRepo:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

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

    def window_counts(self, since: datetime, mid: datetime, until: datetime, *, at_least: int = 1
                      ) -> list[WindowCount]:
        """Stories per entity in [mid, until) and in [since, mid), for entities with `at_least` in the first."""
        current = func.sum(case((mentions.c.published_at >= mid, 1), else_=0))
        query = (select(mentions.c.entity_id, current.label("current"), func.count().label("total"))
                 .where(mentions.c.published_at >= since, mentions.c.published_at < until)
                 .group_by(mentions.c.entity_id).having(current >= at_least))
        with self.engine.connect() as c:
            return [WindowCount(int(r.entity_id), int(r.current), int(r.total) - int(r.current))
                    for r in c.execute(query)]

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
