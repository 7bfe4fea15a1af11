"""Building a digest: the channel's stories since its last digest, one entry per event.

Each entry is an event (a cluster), reported by one or more outlets; entries are ordered by
importance: how many outlets carried it, how recent it is, and the sources' weights.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from bot.cards import Digest, DigestEntry, QuoteLine, SourceLink
from bot.config.models import ChannelConfig, Config
from bot.models import EntityKind, StoryView
from bot.store import Store

MAX_FACTS = 3


def parse_since(text: str | None, now: datetime) -> datetime | None:
    """'24h', '7d', 'all' (None: everything) into a start time."""
    from bot.config.types import parse_duration

    if text is None or text == "all":
        return None
    return now - parse_duration(text)


def build(store: Store, config: Config, channel: ChannelConfig | None, *, since: datetime | None,
          now: datetime, limit: int | None = None, topic: str | None = None) -> Digest:
    topics = [topic] if topic else (channel.topics if channel and channel.topics else None)
    views = store.stories.views(since=since)
    weights = {f.name: f.weight for f in config.feeds}
    events: dict[object, list[StoryView]] = defaultdict(list)
    for view in views:
        if not view.announce:
            continue
        if topics is not None and not set(view.topics) & set(topics):
            continue
        events[view.cluster if view.cluster is not None else view.id].append(view)
    entries = [_entry(stories, weights, now) for stories in events.values()]
    entries.sort(key=lambda e: -e.score)
    cap = limit or (channel.max_items if channel else 10)
    name = channel.name if channel else "all"
    title = f"sitrep digest — {len(entries)} {'event' if len(entries) == 1 else 'events'}"
    return Digest(channel=name, title=title, since=since, until=now, entries=entries[:cap],
                  more=max(0, len(entries) - cap))


def _entry(stories: list[StoryView], weights: dict[str, float], now: datetime) -> DigestEntry:
    stories = sorted(stories, key=lambda s: (-len(s.facts), s.published or now))
    lead = stories[0]
    sources: list[SourceLink] = []
    for story in stories:
        for source in story.sources:
            if all(s.name != source.feed for s in sources):
                sources.append(SourceLink(source.feed, source.url or story.url))
    quote = next(((q, s) for s in stories for q in s.quotes if q.speaker and not q.partial), None)
    people = list(dict.fromkeys(name for s in stories for name, kind in s.entities if kind is EntityKind.person))
    newest = max((s.published or now for s in stories), default=now)
    age_days = max((now - newest) / timedelta(days=1), 0)
    weight = max((weights.get(src.name, 1.0) for src in sources), default=1.0)
    score = len(sources) * 2.0 + weight + 1.0 / (1.0 + age_days)
    return DigestEntry(
        headline=lead.title, url=lead.url, sources=sources, facts=lead.facts[:MAX_FACTS],
        quote=QuoteLine(quote[0].text, quote[1].url, quote[1].title, quote[1].published, quote[0].speaker)
        if quote else None,
        people=people[:5], published=newest, story_ids=[s.id for s in stories], cluster=lead.cluster, score=score)
