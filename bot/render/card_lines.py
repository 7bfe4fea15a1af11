"""Command answers (whois, news, feeds, following, trending, help, messages) as lines of chat markup,
for the Slack and Discord renderers. A command answer is one message, so lists are cut at item boundaries with an
"…and N more" line, never in the middle of a role, a quote or a headline."""

from __future__ import annotations

from datetime import datetime

from bot.cards import Card, FeedsCard, FollowingCard, HelpCard, NewsCard, TrendingCard, WhoisCard
from bot.render.entry_lines import Markup, items, safe_link, story_count, without_name, wrapped
from bot.render.safety import clean
from bot.render.sparkline import sparkline
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
    if any(p.mentions_by_week):
        line = f"{m.italic(f'Stories a week since {p.weeks_from}:')} {m.code(sparkline(p.mentions_by_week))}"
        groups.append([line] if units(line) <= limit else [])
    if p.timeline:
        groups.append([m.italic("Timeline:")])
    for t in p.timeline:  # oldest first; when the message is full, the latest lines are the ones cut
        line = f"{m.bullet}{m.escape(t.date or 'undated')} {safe_link(t.text, t.story, m)}"
        groups.append([line] if units(line) <= limit and t.story else
                      wrapped(f"{t.date or 'undated'} {t.text}", limit, m, first=m.bullet, rest=m.indent))
    return clean(p.name) or "whois", [g for g in groups if g]


def following(card: FollowingCard, limit: int, m: Markup) -> tuple[str, list[Item]]:
    groups: list[Item] = []
    for f in card.follows:
        what = f"({f.kind})" if f.kind else "(not in the news yet)"
        origin = ", from the config file" if f.origin == "config" else ""
        since = f", since {_date(f.since)}" if f.since else ""
        head = f"{m.bullet}{m.bold(m.escape(clean(f.name) or '?'))} {m.escape(what + since + origin)}"
        lines = [head] if units(head) <= limit else wrapped(f"{f.name} {what}", limit, m, first=m.bullet,
                                                             rest=m.indent)
        lines += wrapped(without_name(f.name, f.description), limit, m, first=m.indent, rest=m.indent)
        groups.append(lines)
    if card.hint:
        groups.append(wrapped(card.hint, limit, m, first="", rest=""))
    return clean(card.title), [g for g in groups if g]


def trending(card: TrendingCard, limit: int, m: Markup) -> tuple[str, list[Item]]:
    span = {"24h": "24 hours", "7d": "7 days", "30d": "30 days"}.get(card.window, card.window)
    title = f"Trending: the {span} to {card.until:%Y-%m-%d}"
    if not card.trends:
        return title, [wrapped(f"Nobody's mentions rose against the {span} before; /trending 30d looks further "
                               "back.", limit, m, first="", rest="")]
    groups: list[Item] = [[m.italic(m.escape(f"Stories a day since {card.days_from}, against the {span} before:"))]]
    for i, t in enumerate(card.trends, 1):
        count = f"{story_count(t.mentions)} ({t.change:+d}, was {t.previous})"
        head = f"{i}. {m.bold(m.escape(clean(t.name) or '?'))} {m.escape(f'({t.kind}) — {count}')}"
        spark = m.indent + m.code(sparkline(t.by_day))
        lines = [head] if units(head) <= limit else wrapped(f"{i}. {t.name} — {count}", limit, m, first="",
                                                             rest=m.indent)
        groups.append(lines + ([spark] if units(spark) <= limit else []))
    return title, groups


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
    if isinstance(card, FollowingCard):
        return following(card, limit, m)
    if isinstance(card, TrendingCard):
        return trending(card, limit, m)
    return None
