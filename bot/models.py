"""The neutral objects that move through the pipeline: feed items, stories and what was learned from them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class EntityKind(StrEnum):
    person = "person"
    org = "org"


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One entry of a parsed feed, before it becomes a story."""

    title: str
    link: str | None
    guid: str | None
    published: datetime | None
    summary: str  # plain text of the feed's description/summary
    content: str  # plain text of the fullest content the feed carries (may equal summary)
    author: str | None = None
    paragraphs: tuple[str, ...] = ()  # content split into paragraphs when the markup said so
    full_content: bool = False  # the feed carried a content element with more than its summary


@dataclass(frozen=True, slots=True)
class Quote:
    text: str
    speaker: str | None
    speaker_kind: EntityKind | None = None
    partial: bool = False  # a word or phrase quoted inside the reporter's own sentence


@dataclass(frozen=True, slots=True)
class Role:
    title: str
    org: str | None
    former: bool = False
    evidence: str = ""  # the sentence the role was read from


@dataclass(frozen=True, slots=True)
class Event:
    """Something a person did that a colleague would mention: "resigned over the Pentagon deal"."""

    text: str  # a short past-tense phrase without the subject
    kind: str  # departure | arrival | action
    org: str | None = None  # the organisation left or joined, when named
    headline: bool = False  # read from the story's title (the most condensed statement of the news)
    evidence: str = ""


@dataclass(slots=True)
class ExtractedEntity:
    name: str  # canonical (longest, full) form within the story
    kind: EntityKind
    aliases: set[str] = field(default_factory=set)
    count: int = 1
    roles: list[Role] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)


@dataclass(slots=True)
class Enrichment:
    """Everything the NLP stage learns from one story's text."""

    summary: str
    facts: list[str]
    quotes: list[Quote]
    entities: list[ExtractedEntity]


@dataclass(slots=True)
class TopicMatch:
    topic: str
    matched: bool
    reasons: list[str]  # the rule entries that matched (or, for a miss, what was missing)


@dataclass(slots=True)
class StorySource:
    feed: str
    url: str | None
    seen_at: datetime


@dataclass(slots=True)
class StoryView:
    """A stored story as the CLI, digests and the evaluation read it."""

    id: str
    title: str
    url: str | None
    source: str
    sources: list[StorySource]
    published: datetime | None
    relevant: bool
    topics: list[str]
    topic_matches: list[TopicMatch]
    summary: str
    facts: list[str]
    quotes: list[Quote]
    entities: list[tuple[str, EntityKind]]
    cluster: int | None
    cluster_size: int = 1
    announce: bool = True
