"""One writer at a time per database, within this process.

Feeds are polled concurrently and their results written from worker threads. SQLite allows one
writer: threads that collide wait in SQLite's busy handler, which sleeps in steps of up to 100 ms,
so a few hundred feeds finishing together turned a one-second cycle into ten. Taking this lock
around each short write transaction makes them queue in memory instead. It also keeps the
store's check-then-insert of a story atomic within the process (on PostgreSQL too).
"""

from __future__ import annotations

import threading
from weakref import WeakKeyDictionary

from sqlalchemy import Engine

_locks: WeakKeyDictionary[Engine, threading.Lock] = WeakKeyDictionary()
_guard = threading.Lock()


def write_lock(engine: Engine) -> threading.Lock:
    with _guard:
        lock = _locks.get(engine)
        if lock is None:
            lock = _locks[engine] = threading.Lock()
        return lock
