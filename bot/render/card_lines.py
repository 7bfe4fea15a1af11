"""Command answers (whois, news, feeds, help, messages) as lines of chat markup, for the Slack and
Discord renderers. A command answer is one message, so lists are cut at item boundaries with an
"…and N more" line, never in the middle of a role, a quote or a headline."""

from __future__ import annotations

from datetime import datetime

from bot.cards import Card, FeedsCard, HelpCard, NewsCard, WhoisCard
from bot.render.entry_lines import Markup, items, safe_link, wrapped
from bot.render.safety import clean
from bot.render.split import units

Item = list[str]  # the lines of one role, quote, story or feed: kept together


def _date(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d") if value else "undated"


def fit(groups: list[Item], budget: int, sep: str = "\n") -> tuple[list[str], int]:
    """As many whole items as fit in `budget` units, and how many were left out."""
    lines: list[str] = []
    used = 0
    gap = units(sep)
    for shown, group in enumerate(groups):
        cost = sum(units(line) + gap for line in group)
        if used + cost > budget:
            return lines, len(groups) - shown
        lines += group
        used += cost
    return lines, 0


def more(count: int, what: str = "more") -> str:
    return f"…and {count} {what}."


def whois(card: WhoisCard, limit: int, m: Markup) -> tuple[str, list[Item]]:
    """A title and the items under it, each at most `limit` per line."""
    if card.match is None:
        text = card.message or f"Nobody called “{card.query}” appears in the news read so far."
        groups = [wrapped(text, limit, m, first="", rest="")]
        for c in card.candidates:
            label = f"{c.name} ({c.kind})" + (f": {c.description}" if c.description else "")
            groups.append(wrapped(label, limit, m, first=m.bullet, rest=m.indent))
        return f"whois {clean(card.query)}", [g for g in groups if g]
    p = card.match
    groups = [wrapped(p.description, limit, m, first="", rest="")]
    for r in p.roles:
        role = f"{'former ' if r.former else ''}{r.title}" + (f", {r.org}" if r.org else "")
        when = f" (reported {_date(r.reported)})" if r.reported else ""
        groups.append(wrapped(role + when, limit, m, first=m.bullet, rest=m.indent))
    for q in p.quotes:
        lines = wrapped(f"“{q.text}”", limit, m, first=m.quote, rest=m.quote)
        source = safe_link(q.story_title or "source", q.story_url, m) + f" ({_date(q.published)})"
        lines += [m.quote + "— " + source] if units(m.quote + "— " + source) <= limit else []
        groups.append(lines)
    for mention in p.mentions:
        line = f"{m.bullet}{_date(mention.published)} {safe_link(mention.title, mention.story_url, m)}"
        groups.append([line] if units(line) <= limit else
                      wrapped(f"{_date(mention.published)} {mention.title}", limit, m, first=m.bullet, rest=m.indent))
    if p.related:
        groups.append(items(m.italic("Related:") + " ", [m.escape(clean(r.name)) for r in p.related], limit, m,
                            sep=", "))
    return clean(p.name) or "whois", [g for g in groups if g]


def news(card: NewsCard, limit: int, m: Markup) -> tuple[str, list[Item]]:
    title = f"Stories matching “{clean(card.query)}”"
    if not card.hits:
        return title, [[m.escape(f"No stories match “{clean(card.query)}” yet.")]]
    groups: list[Item] = []
    for hit in card.hits:
        head = f"{m.bullet}{_date(hit.published)} {m.bold(safe_link(hit.title, hit.url, m))}"
        head += f" — {m.escape(clean(hit.source))}" if hit.source else ""
        lines = [head] if units(head) <= limit else wrapped(hit.title, limit, m, first=m.bullet, rest=m.indent)
        lines += wrapped(hit.snippet, limit, m, first=m.indent, rest=m.indent)
        groups.append(lines)
    return title, groups


def feeds(card: FeedsCard, limit: int, m: Markup) -> tuple[str, list[Item]]:
    """Channels first (few, and a failing one means posts are not arriving), then feeds."""
    groups: list[Item] = []
    for c in card.channels:
        problem = f" — {c.last_error}" if c.last_error and c.status != "ok" else ""
        queued = f", {c.queued} message(s) waiting" if c.queued else ""
        text = f"channel {c.name} ({c.platform}): {c.status}{problem}{queued}"
        groups.append(wrapped(text, limit, m, first=m.bullet, rest=m.indent))
    for f in card.feeds:
        last = _date(f.last_success) if f.last_success else "never"
        problem = f" — {f.last_error}" if f.last_error and f.status != "ok" else ""
        text = f"{f.name}: {f.status}, {f.items} items, last ok {last}{problem}"
        groups.append(wrapped(text, limit, m, first=m.bullet, rest=m.indent))
    return f"{len(card.feeds)} feeds", groups


def help_card(card: HelpCard, limit: int, m: Markup) -> tuple[str, list[Item]]:
    groups = [[f"{m.code(usage)} {m.escape(text)}"] for usage, text in card.commands
              if units(f"{m.code(usage)} {m.escape(text)}") <= limit]
    return "sitrep commands", groups


def body(card: Card, limit: int, m: Markup) -> tuple[str, list[Item]] | None:
    """A lookup card (whois, news, feeds, help) as a title and line groups; None for other cards,
    which each platform lays out its own way (digests, messages)."""
    if isinstance(card, WhoisCard):
        return whois(card, limit, m)
    if isinstance(card, NewsCard):
        return news(card, limit, m)
    if isinstance(card, FeedsCard):
        return feeds(card, limit, m)
    if isinstance(card, HelpCard):
        return help_card(card, limit, m)
    return None
