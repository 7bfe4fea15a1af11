"""Cards as plain text for a terminal: readable at 100 columns, no markup.

Feed text passes through `safety.clean` first: a headline carrying ANSI escapes or bidi controls
could otherwise recolour the terminal or disguise the text around it.
"""

from __future__ import annotations

import textwrap
from datetime import datetime

from bot.cards import Card, Digest, FeedsCard, HelpCard, MessageCard, NewsCard, Profile, WhoisCard
from bot.render.safety import clean as _c

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
        lines.append(f"In the news ({p.story_count} {'story' if p.story_count == 1 else 'stories'}):")
        for m in p.mentions:
            lines.append(f"  • {_date(m.published)} {_c(m.title)}" + (f" <{_c(m.story_url)}>" if m.story_url else ""))
    if p.related:
        lines.append("Related: " + ", ".join(_c(r.name) for r in p.related))
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
    if not d.entries:
        return f"{_c(d.title)}\n  Nothing new since the last digest."
    lines = [_c(d.title), ""]
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
    return "\n".join(lines).rstrip()


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
