"""Named job leases: work one instance at a time should do (a channel's digest, its alerts).

`acquire` takes the lease when nobody holds it or its holder's lease has run out (a dead
instance's work is taken over then); `release` gives it back early. Both are single statements
whose WHERE clause decides, so instances racing for one name cannot both win: on PostgreSQL the
loser's UPDATE waits for the winner's commit and re-checks, and a second INSERT of the same name
hits the primary key. SQLite runs one instance and one writer: the same statements simply succeed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, insert, or_, update
from sqlalchemy.exc import IntegrityError

from bot.store.schema import job_leases


class LeaseRepo:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def acquire(self, name: str, *, owner: str, now: datetime, ttl: timedelta) -> bool:
        """Hold `name` until now + ttl; false if another owner holds it and its lease has not run out."""
        with self.engine.begin() as c:
            taken = c.execute(update(job_leases).where(
                job_leases.c.name == name,
                or_(job_leases.c.expires_at <= now, job_leases.c.owner == owner),
            ).values(owner=owner, expires_at=now + ttl)).rowcount
        if taken == 1:
            return True
        try:
            with self.engine.begin() as c:
                c.execute(insert(job_leases).values(name=name, owner=owner, expires_at=now + ttl))
        except IntegrityError:
            return False  # held by someone else (or just taken by another instance)
        return True

    def release(self, name: str, *, owner: str) -> None:
        with self.engine.begin() as c:
            c.execute(delete(job_leases).where(job_leases.c.name == name, job_leases.c.owner == owner))
