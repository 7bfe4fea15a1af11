"""Stories and what was learned from them, written straight into a store (no NLP needed)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.models import Enrichment, EntityKind, Event, ExtractedEntity, Quote, Role
from bot.store import NewStory, Store


def person(name: str, *aliases: str, roles: list[Role] | None = None, events: list[Event] | None = None,
           count: int = 1) -> ExtractedEntity:
    return ExtractedEntity(name, EntityKind.person, set(aliases), count, roles or [], events or [])


def org(name: str, *aliases: str) -> ExtractedEntity:
    return ExtractedEntity(name, EntityKind.org, set(aliases))


class Newsroom:
    """Adds stories to a store the way the poller does: store the story, then save its enrichment."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.feed = store.feeds.add(name="wire", url="https://wire.invalid/feed", topics=None, added_by="test",
                                    now=datetime(2026, 1, 1, tzinfo=UTC))
        self.count = 0

    def publish(self, title: str, when: datetime, entities: list[ExtractedEntity], quotes: list[Quote] | None = None,
                text: str = "", facts: list[str] | None = None, relevant: bool = True) -> str:
        self.count += 1
        story_id = f"story-{self.count}"
        body = text or title
        self.store.stories.store(NewStory(
            id=story_id, title=title, url=f"https://wire.invalid/{self.count}", canonical_url=None, guid=story_id,
            title_key=None, published_at=when, feed_summary=body[:200], text=body, relevant=relevant),
            feed_id=self.feed.id, source_name="Wire", now=when)
        self.store.knowledge.save(story_id, Enrichment(title, facts or [title], quotes or [], entities),
                                  published=when, now=when)
        return story_id
