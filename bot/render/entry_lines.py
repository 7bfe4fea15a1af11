"""A digest entry as lines of chat markup, shared by the Slack and Discord renderers.

Both platforms show an entry the same way (headline, who reported it, key facts, the strongest
quote, the people named); only the markup differs, so each passes a `Markup`. Every line this
module returns is already escaped and at most `limit` long: a long fact becomes several lines
(the continuation indented), a long list of outlets several lines of links, never a cut word.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from bot.cards import Digest, DigestEntry, PersonLine
from bot.render.safety import clean, deceptive_label, host, link_target
from bot.render.split import split_raw, units

UNTITLED = "(untitled)"


@dataclass(frozen=True, slots=True)
class Markup:
    escape: Callable[[str], str]  # feed text -> inert markup
    link: Callable[[str, str], str]  # (escaped label, checked URL) -> link markup
    bold: Callable[[str], str]  # escaped text -> bold
    italic: Callable[[str], str]
    code: Callable[[str], str]  # raw text -> inert code span
    quote: str = "> "
    bullet: str = "• "
    indent: str = "   "



def story_count(n: int) -> str:
    """'1 story', '3 stories'."""
    return f"{n} {'story' if n == 1 else 'stories'}"

def safe_link(label: str, url: str | None, m: Markup) -> str:
    """A link with an honest label: unlinkable URLs are dropped, and a label naming another site
    is shown as text followed by a link labelled with the real host."""
    text = m.escape(clean(label) or UNTITLED)
    target = link_target(url)
    if target is None:
        return text
    if deceptive_label(label, target):
        return f"{text} ({m.link(m.escape(host(target)), target)})"
    return m.link(text, target)


def wrapped(raw: str, limit: int, m: Markup, *, first: str, rest: str,
            style: Callable[[str], str] | None = None) -> list[str]:
    """Feed text as one or more lines: `first` before the first piece, `rest` before the others."""
    raw = clean(raw)
    if not raw:
        return []
    style = style or (lambda s: s)
    overhead = max(units(first), units(rest)) + units(style(""))
    pieces = split_raw(raw, limit - overhead, m.escape)
    return [(first if i == 0 else rest) + style(piece) for i, piece in enumerate(pieces)]


def items(prefix: str, parts: list[str], limit: int, m: Markup, sep: str = " · ") -> list[str]:
    """Rendered items (links, names) after a prefix, on as many lines as the limit needs; an item
    too long for a line of its own is dropped to plain text and split."""
    lines: list[str] = []
    current = prefix
    empty = True
    for part in parts:
        if units(part) > limit - units(m.indent):
            if not empty:
                lines.append(current)
            lines.extend(m.indent + p for p in split_raw(part, limit - units(m.indent)))
            current, empty = m.indent, True
            continue
        joined = current + ("" if empty else sep) + part
        if units(joined) > limit:
            lines.append(current)
            joined = m.indent + part
        current, empty = joined, False
    if not empty:
        lines.append(current)
    return lines


def headline(entry: DigestEntry, limit: int, m: Markup) -> list[str]:
    """The headline, bold and linked to the lead report; split (and linked apart) only if huge."""
    title = clean(entry.headline) or UNTITLED
    line = m.bold(safe_link(title, entry.url, m))
    if units(line) <= limit:
        return [line]
    lines = wrapped(title, limit, m, first="", rest="", style=m.bold)
    target = link_target(entry.url)
    if target:
        lines.append(m.link(m.escape(host(target)), target))
    return lines


def sources(entry: DigestEntry, limit: int, m: Markup) -> list[str]:
    links: list[str] = []
    for source in entry.sources:
        link = safe_link(source.name, source.url, m)
        target = link_target(source.url)
        if units(link) > limit - units(m.indent) and target:
            # A name too long to be a label: the name as text, then a link labelled with the host.
            links += [m.escape(clean(source.name)), m.link(m.escape(host(target)), target)]
        else:
            links.append(link)
    if not links:
        return []
    count = len(entry.sources)
    prefix = m.italic(f"Reported by {count} outlets:" if count > 1 else "Source:") + " "
    return items(prefix, links, limit, m)


def facts(entry: DigestEntry, limit: int, m: Markup) -> list[str]:
    lines: list[str] = []
    for fact in entry.facts:
        lines += wrapped(fact, limit, m, first=m.bullet, rest=m.indent)
    return lines


def quote(entry: DigestEntry, limit: int, m: Markup) -> list[str]:
    if entry.quote is None or not clean(entry.quote.text):
        return []
    speaker = clean(entry.quote.speaker) or "unattributed"
    lines = wrapped(f"“{entry.quote.text.strip()}”", limit, m, first=m.quote, rest=m.quote)
    attribution = f" — {m.bold(m.escape(speaker))}"
    if units(lines[-1] + attribution) <= limit:
        lines[-1] += attribution
    else:
        lines += wrapped(f"— {speaker}", limit, m, first=m.quote, rest=m.quote)
    return lines


def people(entry: DigestEntry, limit: int, m: Markup) -> list[str]:
    names = [n for n in (clean(p) for p in entry.people) if n]
    if not names:
        return []
    lines = items(m.italic("People:") + " ", [m.escape(n) for n in names], limit, m, sep=", ")
    hint = f"{m.italic('More:')} {m.code('/whois ' + names[0])}"
    if units(hint) <= limit:
        lines.append(hint)
    return lines


def body(entry: DigestEntry, limit: int, m: Markup) -> list[str]:
    """Everything under the headline."""
    return [*sources(entry, limit, m), *facts(entry, limit, m), *quote(entry, limit, m), *people(entry, limit, m)]


def more_line(count: int) -> str:
    return f"…and {count} more {'event' if count == 1 else 'events'} not shown here."


def people_title(digest: Digest) -> str:
    """The people section's heading, named for the digest's window."""
    span = digest.until - digest.since if digest.since else None
    if span is None or span > timedelta(days=8):
        return "People in the news"
    return "People today" if span <= timedelta(hours=36) else "People this week"


def without_name(name: str, description: str) -> str:
    """A one-line description without the name it starts with ("Name — role; event" -> "role; event")."""
    head = f"{name} — "
    return description[len(head):] if description.startswith(head) else ("" if description == name else description)


def person(line: PersonLine, limit: int, m: Markup) -> list[str]:
    """One person of the people section: name and count, who they are, and the /whois to ask."""
    name = clean(line.name) or UNTITLED
    count = story_count(line.mentions)
    head = f"{m.bullet}{m.bold(m.escape(name))} ({count})"
    lines = [head] if units(head) <= limit else wrapped(f"{name} ({count})", limit, m, first=m.bullet, rest=m.indent)
    lines += wrapped(without_name(line.name, line.description), limit, m, first=m.indent, rest=m.indent)
    ask = m.indent + m.code("/whois " + name)
    if units(ask) <= limit:
        lines.append(ask)
    return lines
