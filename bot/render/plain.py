"""Cards as plain text for a terminal: readable at 100 columns, no markup.

Feed text passes through `safety.clean` first: a headline carrying ANSI escapes or bidi controls
could otherwise recolour the terminal or disguise the text around it.
"""

from __future__ import annotations

import textwrap
from datetime import datetime

from bot.cards import (
    Card,
    Digest,
    FeedsCard,
    FollowingCard,
    HelpCard,
    MessageCard,
    NewsCard,
    Profile,
    TrendingCard,
    WhoisCard,
)
from bot.render.entry_lines import people_title, story_count, without_name
from bot.render.safety import clean as _c
from bot.render.sparkline import sparkline

WIDTH = 100


def _date(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d") if value else "undated"


def _wrap(text: str, indent: str = "  ") -> str:
    """Wrap to the terminal width; continuation lines align under the text, not the bullet."""
    return textwrap.fill(text, WIDTH, initial_indent=indent, subsequent_indent=" " * len(indent))


def render(card: Card) -> str:
    if isinstance(card, WhoisCard):
        return whois(card)
    if isinstance(card, NewsCard):
        return news(card)
    if isinstance(card, Digest):
        return digest(card)
    if isinstance(card, FeedsCard):
        return feeds(card)
    if isinstance(card, HelpCard):
        return "\n".join(f"  {_c(usage):<34} {_c(text)}" for usage, text in card.commands)
    if isinstance(card, FollowingCard):
        return following(card)
    if isinstance(card, TrendingCard):
        return trending(card)
    assert isinstance(card, MessageCard)
    return _c(card.text)


def whois(card: WhoisCard) -> str:
    if card.match is None:
        lines = [_c(card.message) or f"Nobody called “{_c(card.query)}” appears in the news read so far."]
        lines += [f"  • {_c(k.name)} ({_c(k.kind)})" + (f": {_c(k.description)}" if k.description else "")
                  for k in card.candidates]
        return "\n".join(lines)
    return profile(card.match)


def profile(p: Profile) -> str:
    lines = [_c(p.description)]
    if p.roles:
        lines.append("Roles:")
        for r in p.roles:
            org = f", {_c(r.org)}" if r.org else ""
            when = f" (reported {_date(r.reported)})" if r.reported else ""
            lines.append(f"  • {'former ' if r.former else ''}{_c(r.title)}{org}{when}")
    if p.quotes:
        lines.append("Quotes:")
        for q in p.quotes:
            source = _c(q.story_title) or _c(q.story_url)
            lines.append(_wrap(f"“{_c(q.text)}” — {source} ({_date(q.published)})", "  • "))
    if p.mentions:
        lines.append(f"In the news ({story_count(p.story_count)}):")
        for m in p.mentions:
            lines.append(f"  • {_date(m.published)} {_c(m.title)}" + (f" <{_c(m.story_url)}>" if m.story_url else ""))
    if p.related:
        lines.append("Related: " + ", ".join(_c(r.name) for r in p.related))
    if p.timeline:
        lines.append("Timeline:")
        for t in p.timeline:
            lines.append(_wrap(f"{t.date or 'undated'} {_c(t.text)}", "  • "))
    if p.mentions_by_week and any(p.mentions_by_week):
        lines.append(f"Stories a week since {p.weeks_from}: {sparkline(p.mentions_by_week)} "
                     f"({sum(p.mentions_by_week)} in {len(p.mentions_by_week)} weeks)")
    return "\n".join(lines)


def following(card: FollowingCard) -> str:
    lines = [_c(card.title) + (":" if card.follows else ".")]
    for f in card.follows:
        what = f" ({_c(f.kind)})" if f.kind else " (not in the news yet)"
        since = f", since {_date(f.since)}" if f.since else ""
        origin = ", from the config file" if f.origin == "config" else ""
        lines.append(_wrap(f"{_c(f.name)}{what}{since}{origin}", "  • "))
        described = without_name(f.name, f.description)
        if described:
            lines.append(_wrap(_c(described), "      "))
    if card.hint:
        lines.append(_c(card.hint))
    return "\n".join(lines)


def trending(card: TrendingCard) -> str:
    span = {"24h": "24 hours", "7d": "7 days", "30d": "30 days"}.get(card.window, card.window)
    head = f"Trending: the {span} to {card.until:%Y-%m-%d %H:%M} UTC, against the {span} before"
    if not card.trends:
        return f"{head}.\n  Nobody's mentions rose; /trending 30d looks further back."
    width = max(len(_c(t.name)) for t in card.trends)
    lines = [f"{head} (stories a day since {card.days_from}):"]
    for i, t in enumerate(card.trends, 1):
        count = story_count(t.mentions)
        lines.append(f"{i:>3}. {_c(t.name):<{width}}  {_c(t.kind):<6} {count:>11} {t.change:>+5} "
                     f"(was {t.previous})  {sparkline(t.by_day)}")
    return "\n".join(lines)


def news(card: NewsCard) -> str:
    if not card.hits:
        return f"No stories match “{_c(card.query)}” yet."
    lines = [f"Stories matching “{_c(card.query)}”:"]
    for hit in card.hits:
        lines.append(f"  • {_date(hit.published)} {_c(hit.title)}" + (f" — {_c(hit.source)}" if hit.source else ""))
        if hit.snippet:
            lines.append(_wrap(_c(hit.snippet), "      "))
        if hit.url:
            lines.append(f"      {_c(hit.url)}")
    return "\n".join(lines)


def digest(d: Digest) -> str:
    head = [_c(d.title)] + ([_wrap(_c(d.note), "")] if d.note else [])
    if not d.entries and not d.people:
        return "\n".join([*head, "  Nothing new since the last digest."])
    parts = [("\n".join(events(d)) if name == "events" else "\n".join(people(d))) for name in d.sections]
    return "\n\n".join(["\n".join(head), *(p for p in parts if p)]).rstrip()


def people(d: Digest) -> list[str]:
    if not d.people:
        return []
    lines = [f"{people_title(d)}:"]
    for p in d.people:
        count = story_count(p.mentions)
        lines.append(_wrap(f"{_c(p.name)} ({count}) — /whois {_c(p.name)}", "  • "))
        described = without_name(p.name, p.description)
        if described:
            lines.append(_wrap(_c(described), "      "))
    return lines


def events(d: Digest) -> list[str]:
    if not d.entries:
        return []
    lines: list[str] = []
    for i, e in enumerate(d.entries, 1):
        outlets = f" — reported by {len(e.sources)} outlets" if len(e.sources) > 1 else (
            f" — {_c(e.sources[0].name)}" if e.sources else "")
        lines.append(f"{i}. {_c(e.headline) or '(untitled)'}{outlets}")
        for fact in e.facts:
            lines.append(_wrap(_c(fact), "   - "))
        if e.quote:
            lines.append(_wrap(f"“{_c(e.quote.text)}” — {_c(e.quote.speaker) or 'unattributed'}", "   > "))
        if e.people:
            lines.append("   People: " + ", ".join(_c(p) for p in e.people) + "  (try /whois NAME)")
        for source in e.sources:
            if source.url:
                lines.append(f"   {_c(source.name)}: {_c(source.url)}")
        lines.append("")
    if d.more:
        lines.append(f"…and {d.more} more.")
    while lines and not lines[-1]:
        lines.pop()
    return lines


def feeds(card: FeedsCard) -> str:
    lines = [f"{len(card.feeds)} feeds:"]
    for f in card.feeds:
        last = _date(f.last_success) if f.last_success else "never"
        problem = f" — {_c(f.last_error)}" if f.last_error and f.status != "ok" else ""
        lines.append(f"  • {_c(f.name):<28} {_c(f.status):<8} {f.items:>4} items, last ok {last}{problem}")
    if card.channels:
        lines.append("Channels:")
        for c in card.channels:
            problem = f" — {_c(c.last_error)}" if c.last_error and c.status != "ok" else ""
            since = f" since {c.failing_since:%Y-%m-%d %H:%M} UTC" if c.failing_since and c.status != "ok" else ""
            queued = f", {c.queued} message(s) waiting" if c.queued else ""
            lines.append(f"  • {_c(c.name):<28} {_c(c.platform):<16} {_c(c.status)}{since}{problem}{queued}")
    return "\n".join(lines)
