"""Building a digest: the channel's stories since its last digest, one entry per event.

Each entry is an event (a cluster) reported by one or more outlets. Entries are ordered by
importance, a score that adds up, in this order of weight:

- how many outlets carried the event (two points each: the strongest signal that it matters),
- the best source weight among them (from `feeds[].weight` in the config),
- recency (one point for an event from the last hour, fading over the following days).

Each entry carries the lead report's headline and link, one link per outlet, 1-3 key facts, the
strongest quote with its speaker, and the people named (whom `/whois` can describe).

Which stories: every relevant story first seen in the window. The flood guard's `announce` flag
(backfill, stale items) is about what gets pushed at a channel unasked, so it filters scheduled
digests and alerts (`announced_only`); a window someone asks for explicitly (`sitrep digest --since
7d`, `/digest`) shows what the store holds for it, announced or not.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection
from datetime import datetime, timedelta

from bot.cards import Digest, DigestEntry, QuoteLine, SourceLink
from bot.config.settings import ChannelConfig, Config
from bot.delivery.people_week import people_of
from bot.models import EntityKind, Quote, StoryView
from bot.store import Store

MAX_FACTS = 3
MAX_PEOPLE = 5
# Stories are stored with the time they were first seen; one stored while a digest was being built
# can carry a time just before that digest's end. The next digest looks back this far and skips the
# stories the channel has already had, so none falls between two digests.
OVERLAP = timedelta(minutes=10)


def parse_since(text: str | None, now: datetime) -> datetime | None:
    """'24h', '7d', 'all' (None: everything) into a start time."""
    from bot.config.types import parse_duration

    if text is None or text == "all":
        return None
    return now - parse_duration(text)


def build(store: Store, config: Config, channel: ChannelConfig | None, *, since: datetime | None,
          now: datetime, limit: int | None = None, topic: str | None = None,
          exclude: Collection[str] | None = None, announced_only: bool = True) -> Digest:
    """The digest of the stories first seen since `since` (all when None).

    `exclude`, for a channel's scheduled digests, holds the stories it has already had: the
    window then reaches back by `OVERLAP` and those stories are left out. `announced_only=False`
    for a window asked for explicitly: stories the flood guard kept from announcing are shown too.
    """
    topics = [topic] if topic else (channel.topics if channel and channel.topics else None)
    views = store.stories.views(since=since - OVERLAP if since and exclude is not None else since)
    weights = {f.name: f.weight for f in config.feeds}
    events = group(views, topics=topics, exclude=set(exclude or ()), announced_only=announced_only)
    entries = sorted((entry(stories, weights, now) for stories in events), key=lambda e: -e.score)
    cap = limit or (channel.max_items if channel else 10)
    name = channel.name if channel else "all"
    total = len(entries)
    title = f"sitrep digest — {total} {'event' if total == 1 else 'events'}"
    sections: list[str] = list(channel.sections) if channel else ["events"]
    people = people_of(store, (s for stories in events for s in stories)) if "people" in sections else []
    if "events" not in sections:  # no events shown; the stories still count as had, so none comes again
        return Digest(channel=name, title="sitrep digest — people in the news", since=since, until=now,
                      entries=[], omitted=[s.id for stories in events for s in stories], people=people,
                      sections=sections)
    return Digest(channel=name, title=title, since=since, until=now, entries=entries[:cap],
                  more=max(0, total - cap), omitted=[sid for e in entries[cap:] for sid in e.story_ids],
                  people=people, sections=sections)


def group(views: list[StoryView], *, topics: Collection[str] | None, exclude: Collection[str] = (),
          announced_only: bool = True) -> list[list[StoryView]]:
    """The stories to show, one list per event (cluster; an unclustered story is its own); with
    `announced_only`, only those the flood guard let through."""
    events: dict[object, list[StoryView]] = defaultdict(list)
    for view in views:
        if (announced_only and not view.announce) or view.id in exclude:
            continue
        if topics is not None and not set(view.topics) & set(topics):
            continue
        events[("cluster", view.cluster) if view.cluster is not None else ("story", view.id)].append(view)
    return list(events.values())


def entry(stories: list[StoryView], weights: dict[str, float], now: datetime) -> DigestEntry:
    """One event as a digest entry."""
    def story_weight(story: StoryView) -> float:
        return max((weights.get(s.feed, 1.0) for s in story.sources), default=1.0)

    # The lead report: the most trusted outlet, then the richest text, then the first to report.
    stories = sorted(stories, key=lambda s: (-story_weight(s), -len(s.facts), s.published or now, s.id))
    lead = stories[0]
    sources: list[SourceLink] = []
    for story in stories:
        for source in story.sources:
            if all(s.name != source.feed for s in sources):
                sources.append(SourceLink(source.feed, source.url or story.url))
    facts = key_facts(stories)
    quote = strongest_quote(stories, facts)
    newest = max((s.published or now for s in stories), default=now)
    weight = max((weights.get(src.name, 1.0) for src in sources), default=1.0)
    return DigestEntry(
        headline=lead.title, url=lead.url, sources=sources, facts=facts, quote=quote, people=people(stories),
        published=newest, story_ids=[s.id for s in stories], cluster=lead.cluster,
        score=importance(outlets=len(sources), weight=weight, newest=newest, now=now))


def importance(*, outlets: int, weight: float, newest: datetime, now: datetime) -> float:
    age_hours = max((now - newest) / timedelta(hours=1), 0.0)
    return outlets * 2.0 + weight + 1.0 / (1.0 + age_hours / 24.0)


def key_facts(stories: list[StoryView]) -> list[str]:
    """1-3 facts from the lead report (or the first report that has any), else its summary."""
    for story in stories:
        if story.facts:
            return [f for f in story.facts if f.strip()][:MAX_FACTS]
    summary = next((s.summary for s in stories if s.summary.strip()), "")
    return [summary] if summary else []


def strongest_quote(stories: list[StoryView], facts: list[str]) -> QuoteLine | None:
    """The quote most worth showing: attributed, a whole statement rather than a phrase, said by a
    person, of a readable length, and not already repeated word for word in the facts."""
    shown = " ".join(facts)
    best: tuple[float, Quote, StoryView] | None = None
    for rank, story in enumerate(stories):
        for quote in story.quotes:
            if not quote.speaker or quote.partial or not quote.text.strip():
                continue
            words = len(quote.text.split())
            score = 0.0
            score += 2.0 if quote.speaker_kind is EntityKind.person else 0.0
            score += 1.0 if 6 <= words <= 60 else 0.0
            score += 2.0 if quote.text.strip() not in shown else 0.0
            score -= 0.1 * rank  # prefer the lead report's words when otherwise equal
            if best is None or score > best[0]:
                best = (score, quote, story)
    if best is None:
        return None
    _, quote, story = best
    return QuoteLine(quote.text, story.url, story.title, story.published, quote.speaker)


def people(stories: list[StoryView]) -> list[str]:
    """People named, those named by more reports first, then in order of appearance."""
    counts: Counter[str] = Counter()
    order: dict[str, int] = {}
    for story in stories:
        for name, kind in dict.fromkeys(story.entities):
            if kind is EntityKind.person:
                counts[name] += 1
                order.setdefault(name, len(order))
    return sorted(counts, key=lambda n: (-counts[n], order[n]))[:MAX_PEOPLE]
