"""Storage: SQLAlchemy Core over SQLite (default) or PostgreSQL, one repository per concern.

Methods are synchronous; async callers run them with `asyncio.to_thread` so the event loop keeps
answering commands while the database works.
"""

from __future__ import annotations

from sqlalchemy import Engine

from bot.store import db
from bot.store.feeds import FeedRepo, FeedRow
from bot.store.follows import FollowRepo
from bot.store.knowledge_repo import KnowledgeRepo, name_key
from bot.store.leases import LeaseRepo
from bot.store.outbox import OutboxRepo
from bot.store.search import SearchHit
from bot.store.search import search as _search
from bot.store.stories import NewStory, Stored, StoryRepo
from bot.store.trends import TrendRepo


class Store:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.feeds = FeedRepo(engine)
        self.stories = StoryRepo(engine)
        self.knowledge = KnowledgeRepo(engine)
        self.outbox = OutboxRepo(engine)
        self.leases = LeaseRepo(engine)
        self.follows = FollowRepo(engine)
        self.trends = TrendRepo(engine, self.knowledge.version)  # its day counts follow the knowledge base

    @classmethod
    def open(cls, url: str, *, migrate: bool = True) -> Store:
        engine = db.create(url)
        if migrate:
            db.migrate(engine)
        return cls(engine)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def search(self, query: str, *, limit: int = 10, relevant_only: bool = True) -> list[SearchHit]:
        with self.engine.connect() as c:
            return _search(c, query, limit=limit, relevant_only=relevant_only)

    def close(self) -> None:
        self.engine.dispose()


__all__ = ["FeedRepo", "FeedRow", "FollowRepo", "KnowledgeRepo", "LeaseRepo", "NewStory", "OutboxRepo",
           "SearchHit", "Store", "Stored", "StoryRepo", "TrendRepo", "name_key"]
