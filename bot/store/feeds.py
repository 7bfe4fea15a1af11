"""Feeds and their fetch state: what to poll, when, and how the last attempts went."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, Row, bindparam, delete, insert, or_, select, update

from bot.clock import aware
from bot.config.settings import FeedConfig
from bot.store.db import serialize
from bot.store.schema import feeds
from bot.store.writes import write_lock


@dataclass(frozen=True, slots=True)
class FeedRow:
    id: int
    name: str
    url: str
    origin: str
    added_by: str | None
    topics: list[str] | None
    interval_s: int | None
    full_text: str
    weight: float
    enabled: bool
    etag: str | None
    last_modified: str | None
    initialized: bool
    last_fetch_at: datetime | None
    last_success_at: datetime | None
    next_due_at: datetime | None
    consecutive_failures: int
    status: str
    last_error: str | None
    last_status_code: int | None
    failing_notified_at: datetime | None
    title: str | None
    item_count: int
    failing_since: datetime | None = None
    body_hash: str | None = None
    lease_owner: str | None = None
    lease_expires_at: datetime | None = None

    @classmethod
    def from_row(cls, row: Row[Any]) -> FeedRow:
        m = row._mapping
        return cls(
            id=m["id"], name=m["name"], url=m["url"], origin=m["origin"], added_by=m["added_by"],
            topics=m["topics"], interval_s=m["interval_s"], full_text=m["full_text"], weight=m["weight"],
            enabled=m["enabled"], etag=m["etag"], last_modified=m["last_modified"], initialized=m["initialized"],
            last_fetch_at=aware(m["last_fetch_at"]), last_success_at=aware(m["last_success_at"]),
            next_due_at=aware(m["next_due_at"]), consecutive_failures=m["consecutive_failures"],
            status=m["status"], last_error=m["last_error"], last_status_code=m["last_status_code"],
            failing_notified_at=aware(m["failing_notified_at"]), title=m["title"], item_count=m["item_count"],
            failing_since=aware(m["failing_since"]), body_hash=m["body_hash"], lease_owner=m["lease_owner"],
            lease_expires_at=aware(m["lease_expires_at"]),
        )


class FeedRepo:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._write = write_lock(engine)

    def sync_config(self, configured: Iterable[FeedConfig], resolve_url: Any, now: datetime) -> None:
        """Make the table match the config file; feeds added by chat command are left alone."""
        wanted = {f.name: f for f in configured}
        with self.engine.begin() as c:
            serialize(c, "feeds.sync")  # instances starting together add each configured feed once
            existing = {r.name: r for r in c.execute(select(feeds.c.id, feeds.c.name, feeds.c.origin, feeds.c.url))}
            for name, feed in wanted.items():
                values = {
                    "url": resolve_url(feed.url), "topics": feed.topics,
                    "interval_s": int(feed.interval.total_seconds()) if feed.interval else None,
                    "full_text": feed.full_text.value, "weight": feed.weight, "enabled": feed.enabled,
                }
                row = existing.get(name)
                if row is None:
                    c.execute(insert(feeds).values(name=name, origin="config", created_at=now, status="new",
                                                   next_due_at=now, **values))
                else:
                    if row.url != values["url"]:  # a new address is a new feed as far as caching goes
                        values.update(etag=None, last_modified=None)
                    c.execute(update(feeds).where(feeds.c.id == row.id).values(origin="config", **values))
            for name, row in existing.items():
                if row.origin == "config" and name not in wanted:
                    c.execute(update(feeds).where(feeds.c.id == row.id).values(enabled=False))

    def add(self, *, name: str, url: str, topics: list[str] | None, added_by: str, now: datetime) -> FeedRow:
        with self.engine.begin() as c:
            c.execute(insert(feeds).values(name=name, url=url, topics=topics, origin="command", added_by=added_by,
                                           created_at=now, status="new", next_due_at=now))
        found = self.get(name)
        assert found is not None
        return found

    def remove(self, name: str) -> bool:
        with self.engine.begin() as c:
            return c.execute(delete(feeds).where(feeds.c.name == name)).rowcount > 0

    def get(self, name: str) -> FeedRow | None:
        with self.engine.connect() as c:
            row = c.execute(select(feeds).where(feeds.c.name == name)).first()
        return FeedRow.from_row(row) if row else None

    def by_id(self, feed_id: int) -> FeedRow | None:
        with self.engine.connect() as c:
            row = c.execute(select(feeds).where(feeds.c.id == feed_id)).first()
        return FeedRow.from_row(row) if row else None

    def all(self, *, enabled_only: bool = False) -> list[FeedRow]:
        query = select(feeds).order_by(feeds.c.name)
        if enabled_only:
            query = query.where(feeds.c.enabled)
        with self.engine.connect() as c:
            return [FeedRow.from_row(r) for r in c.execute(query)]

    def due(self, now: datetime, *, limit: int | None = None) -> list[FeedRow]:
        query = (select(feeds).where(feeds.c.enabled, or_(feeds.c.next_due_at.is_(None), feeds.c.next_due_at <= now))
                 .order_by(feeds.c.next_due_at))
        if limit:
            query = query.limit(limit)
        with self.engine.connect() as c:
            return [FeedRow.from_row(r) for r in c.execute(query)]

    def update_state(self, feed_id: int, **values: Any) -> None:
        with self._write, self.engine.begin() as c:
            c.execute(update(feeds).where(feeds.c.id == feed_id).values(**values))

    def record_success(self, feed_id: int, *, owner: str, now: datetime, next_due: datetime,
                       status_code: int | None, etag: str | None, last_modified: str | None, title: str | None = None,
                       item_count: int | None = None, body_hash: str | None = None) -> bool:
        """A good answer: failures forgotten, the feed is ok again (recovery needs nobody's help).

        Written only while the feed is still `owner`'s claim; false (nothing changed) when its lease
        ran out and another instance took the feed over, or already recorded its own result."""
        values: dict[str, Any] = dict(
            last_fetch_at=now, last_success_at=now, next_due_at=next_due, consecutive_failures=0, status="ok",
            last_error=None, last_status_code=status_code, etag=etag, last_modified=last_modified,
            initialized=True, lease_owner=None, lease_expires_at=None, failing_since=None, failing_notified_at=None,
        )
        if title is not None:
            values["title"] = title
        if item_count is not None:
            values["item_count"] = item_count
        if body_hash is not None:
            values["body_hash"] = body_hash
        return self._update_held(feed_id, owner, values)

    def record_not_modified(self, updates: list[dict[str, Any]], *, owner: str, now: datetime) -> None:
        """Many "304 Not Modified" answers in one transaction: {id, next_due, status_code, etag, last_modified}.
        A feed that is no longer `owner`'s claim is left as its new holder has it."""
        if not updates:
            return
        held = (feeds.c.id == bindparam("fid"), feeds.c.lease_owner == bindparam("owner"))
        statement = update(feeds).where(*held).values(
            last_fetch_at=now, last_success_at=now, next_due_at=bindparam("next_due"), consecutive_failures=0,
            status="ok", last_error=None, last_status_code=bindparam("status_code"), etag=bindparam("new_etag"),
            last_modified=bindparam("new_last_modified"), initialized=True, lease_owner=None, lease_expires_at=None,
            failing_since=None, failing_notified_at=None)
        rows = [{"fid": u["id"], "owner": owner, "next_due": u["next_due"], "status_code": u["status_code"],
                 "new_etag": u["etag"], "new_last_modified": u["last_modified"]} for u in updates]
        with self._write, self.engine.begin() as c:
            c.execute(statement, rows)

    def record_failure(self, feed_id: int, *, owner: str, now: datetime, next_due: datetime, error: str,
                       status_code: int | None, max_failures: int, failing_now: bool = False) -> str | None:
        """Count a failure; the feed turns `failing` after `max_failures` in a row (at once with
        `failing_now`, for a server that says the feed is gone). Returns the new status, or None
        (nothing changed) when the feed is no longer `owner`'s claim."""
        with self._write, self.engine.begin() as c:
            query = select(feeds.c.consecutive_failures, feeds.c.failing_since).where(*_held(feed_id, owner))
            if c.dialect.name == "postgresql":
                query = query.with_for_update()  # the count read is the count written, whoever claims next
            row = c.execute(query).first()
            if row is None:
                return None
            failures = row.consecutive_failures + 1
            status = "failing" if failing_now or failures >= max_failures else "ok"
            c.execute(update(feeds).where(*_held(feed_id, owner)).values(
                last_fetch_at=now, next_due_at=next_due, consecutive_failures=failures, status=status,
                last_error=error[:500], last_status_code=status_code, lease_owner=None, lease_expires_at=None,
                failing_since=row.failing_since or now))
        return status

    def mark_notified(self, feed_id: int, now: datetime) -> None:
        self.update_state(feed_id, failing_notified_at=now)

    def set_next_due(self, feed_id: int, when: datetime, *, owner: str) -> bool:
        """Poll again at `when` (a deferral), ending `owner`'s lease; false if the feed is no longer its claim."""
        return self._update_held(feed_id, owner, dict(next_due_at=when, lease_owner=None, lease_expires_at=None))

    def _update_held(self, feed_id: int, owner: str, values: dict[str, Any]) -> bool:
        with self._write, self.engine.begin() as c:
            return c.execute(update(feeds).where(*_held(feed_id, owner)).values(**values)).rowcount == 1

    def claim(self, now: datetime, *, owner: str, lease: timedelta, limit: int,
              ids: list[int] | None = None, due: bool = True, due_by: datetime | None = None) -> list[FeedRow]:
        """Take up to `limit` due feeds (of `ids`, when given; due or not with due=False) for this instance.

        `due_by` (default `now`) is the time a feed must be due by: a poll cycle passes its start, so a
        feed it polled (now due again later) is not taken twice. A feed leased by anyone, this
        instance included (it is in flight here), is left alone until its lease ends.
        PostgreSQL: `FOR UPDATE SKIP LOCKED`, so instances claiming at once take different feeds
        instead of queueing on the same rows; SQLite has one writer and needs nothing more.
        """
        conditions = [feeds.c.enabled,
                      or_(feeds.c.lease_expires_at.is_(None), feeds.c.lease_expires_at <= now)]
        if due:
            conditions.append(or_(feeds.c.next_due_at.is_(None), feeds.c.next_due_at <= (due_by or now)))
        if ids is not None:
            if not ids:
                return []
            conditions.append(feeds.c.id.in_(ids))
        with self._write, self.engine.begin() as c:
            query = select(feeds.c.id).where(*conditions).order_by(feeds.c.next_due_at, feeds.c.id).limit(limit)
            if c.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            taken = [r.id for r in c.execute(query)]
            if not taken:
                return []
            c.execute(update(feeds).where(feeds.c.id.in_(taken)).values(lease_owner=owner,
                                                                        lease_expires_at=now + lease))
            rows = c.execute(select(feeds).where(feeds.c.id.in_(taken)).order_by(feeds.c.next_due_at, feeds.c.id))
            return [FeedRow.from_row(r) for r in rows]

    def claim_one(self, feed_id: int, now: datetime, *, owner: str, lease: timedelta) -> FeedRow | None:
        """Take this feed if it is due, enabled and nobody holds it; None otherwise.

        One conditional UPDATE: on PostgreSQL a second instance's UPDATE of the same row waits for
        the first to commit and then finds the lease taken, so exactly one of them gets the feed.
        """
        with self._write, self.engine.begin() as c:
            taken = c.execute(update(feeds).where(
                feeds.c.id == feed_id, feeds.c.enabled,
                or_(feeds.c.next_due_at.is_(None), feeds.c.next_due_at <= now),
                or_(feeds.c.lease_expires_at.is_(None), feeds.c.lease_expires_at <= now),
            ).values(lease_owner=owner, lease_expires_at=now + lease)).rowcount
            if taken != 1:
                return None
            row = c.execute(select(feeds).where(feeds.c.id == feed_id)).one()
            return FeedRow.from_row(row)


def _held(feed_id: int, owner: str) -> tuple[Any, ...]:
    """The feed, while it is still `owner`'s claim: an instance whose lease ran out cannot overwrite
    what the instance that took the feed over recorded (nor what it is about to record)."""
    return feeds.c.id == feed_id, feeds.c.lease_owner == owner
