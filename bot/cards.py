"""Neutral answers: what a command or a digest says, before any platform decides how it looks.

Adapters render these with pure functions (text, Markdown, Block Kit, embeds); `to_json` gives the
stable JSON the CLI prints and the evaluation reads.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any


@dataclass(frozen=True, slots=True)
class RoleLine:
    title: str
    org: str | None
    former: bool = False
    reported: datetime | None = None  # the date of the latest story that gave this role
    story_url: str | None = None
    until: datetime | None = None  # when the news reported the person leaving it
    since: datetime | None = None  # the date of the first story that gave this role


@dataclass(frozen=True, slots=True)
class EventLine:
    text: str  # "resigned over the Pentagon deal"
    kind: str  # departure | arrival | action
    reported: datetime | None = None
    story_url: str | None = None


@dataclass(frozen=True, slots=True)
class QuoteLine:
    text: str
    story_url: str | None
    story_title: str = ""
    published: datetime | None = None
    speaker: str | None = None


@dataclass(frozen=True, slots=True)
class MentionLine:
    story_url: str | None
    title: str
    published: datetime | None


@dataclass(frozen=True, slots=True)
class EntityLine:
    name: str
    kind: str


@dataclass(frozen=True, slots=True)
class TimelineLine:
    """One dated line of a person's or organisation's story: a role first reported, an event, a quote."""

    date: str | None  # YYYY-MM-DD (UTC): the story's; YYYY-MM or YYYY when the story dates an older event
    kind: str  # role | event | quote
    text: str
    story: str | None  # the story's link
    title: str = ""  # the story's headline


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    kind: str
    aliases: list[str]
    description: str  # one line, at most 300 characters
    roles: list[RoleLine]
    quotes: list[QuoteLine]
    mentions: list[MentionLine]
    related: list[EntityLine]
    story_count: int = 0
    events: list[EventLine] = field(default_factory=list)
    timeline: list[TimelineLine] = field(default_factory=list)  # oldest first
    mentions_by_week: list[int] = field(default_factory=list)  # stories a week, oldest week first
    weeks_from: str | None = None  # the Monday (YYYY-MM-DD) the first of mentions_by_week starts


@dataclass(frozen=True, slots=True)
class Candidate:
    name: str
    kind: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class WhoisCard:
    query: str
    match: Profile | None
    candidates: list[Candidate] = field(default_factory=list)
    message: str = ""  # what to tell the user when there is no single match


@dataclass(frozen=True, slots=True)
class NewsHit:
    title: str
    url: str | None
    source: str
    published: datetime | None
    snippet: str


@dataclass(frozen=True, slots=True)
class NewsCard:
    query: str
    hits: list[NewsHit]


@dataclass(frozen=True, slots=True)
class SourceLink:
    name: str
    url: str | None


@dataclass(frozen=True, slots=True)
class DigestEntry:
    headline: str
    url: str | None
    sources: list[SourceLink]
    facts: list[str]
    quote: QuoteLine | None
    people: list[str]
    published: datetime | None
    story_ids: list[str]
    cluster: int | None = None
    score: float = 0.0


@dataclass(frozen=True, slots=True)
class PersonLine:
    """A person of the digest's window: how many of its stories name them, and who they are."""

    name: str
    mentions: int
    description: str


@dataclass(frozen=True, slots=True)
class Digest:
    channel: str
    title: str
    since: datetime | None
    until: datetime
    entries: list[DigestEntry]
    more: int = 0  # matching events left out to keep the digest short
    kind: str = "digest"  # digest | alert
    omitted: list[str] = field(default_factory=list)  # story ids of the events counted in `more`
    people: list[PersonLine] = field(default_factory=list)  # the "people" section, when the channel has it
    sections: list[str] = field(default_factory=lambda: ["events"])  # in the channel's order
    note: str = ""  # why an alert was sent, when it was not the channel's alert topics (a follow)

    @property
    def story_ids(self) -> list[str]:
        """Every story this digest accounts for, shown or counted in "and N more"."""
        return [sid for e in self.entries for sid in e.story_ids] + self.omitted


@dataclass(frozen=True, slots=True)
class FollowLine:
    name: str  # the entity's name, or the name as typed while nobody by that name is in the news
    kind: str | None  # person | org; None while unresolved
    query: str
    origin: str  # command | config | cli
    since: datetime | None
    description: str = ""


@dataclass(frozen=True, slots=True)
class FollowingCard:
    title: str
    follows: list[FollowLine]
    hint: str = ""


@dataclass(frozen=True, slots=True)
class TrendLine:
    name: str
    kind: str
    mentions: int  # stories naming it in the window
    previous: int  # in the window before
    change: int  # mentions - previous
    by_day: list[int]  # stories a day, oldest first, over both windows (at least a week)


@dataclass(frozen=True, slots=True)
class TrendingCard:
    window: str  # as asked: 24h, 7d, 30d
    since: datetime  # the window, [since, until)
    until: datetime
    trends: list[TrendLine]
    days_from: str  # YYYY-MM-DD: the day by_day starts


@dataclass(frozen=True, slots=True)
class FeedLine:
    name: str
    url: str
    status: str
    origin: str
    last_success: datetime | None
    last_error: str | None
    failures: int
    items: int
    next_due: datetime | None


@dataclass(frozen=True, slots=True)
class ChannelLine:
    name: str
    platform: str
    status: str
    last_error: str | None
    schedule: str | None
    queued: int = 0  # messages waiting in the outbox
    failing_since: datetime | None = None


@dataclass(frozen=True, slots=True)
class FeedsCard:
    feeds: list[FeedLine]
    channels: list[ChannelLine] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class HelpCard:
    commands: list[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class MessageCard:
    text: str
    level: str = "info"  # info | error | denied


Card = WhoisCard | NewsCard | Digest | FeedsCard | HelpCard | MessageCard | FollowingCard | TrendingCard


def to_json(value: Any) -> Any:
    """Plain JSON data for any card (datetimes as ISO 8601)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    return value


def digest_from_json(data: dict[str, Any]) -> Digest:
    """Rebuild a stored digest, so a resend after a crash renders exactly what was built."""
    def when(value: str | None) -> datetime | None:
        return datetime.fromisoformat(value) if value else None

    entries = []
    for e in data.get("entries", []):
        quote = e.get("quote")
        entries.append(DigestEntry(
            headline=e["headline"], url=e.get("url"),
            sources=[SourceLink(s["name"], s.get("url")) for s in e.get("sources", [])],
            facts=list(e.get("facts", [])),
            quote=QuoteLine(quote["text"], quote.get("story_url"), quote.get("story_title", ""),
                            when(quote.get("published")), quote.get("speaker")) if quote else None,
            people=list(e.get("people", [])), published=when(e.get("published")),
            story_ids=list(e.get("story_ids", [])), cluster=e.get("cluster"), score=e.get("score", 0.0)))
    until = when(data["until"])
    assert until is not None
    people = [PersonLine(p["name"], int(p.get("mentions", 0)), p.get("description", ""))
              for p in data.get("people", [])]
    return Digest(channel=data["channel"], title=data["title"], since=when(data.get("since")), until=until,
                  entries=entries, more=data.get("more", 0), kind=data.get("kind", "digest"),
                  omitted=list(data.get("omitted", [])), people=people,
                  sections=list(data.get("sections", ["events"])), note=data.get("note", ""))
