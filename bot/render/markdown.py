"""Cards as Markdown (CommonMark), for `--format markdown` and anything that renders it.

Text from feeds is escaped so a headline cannot turn into a link, a heading or an image.
"""

from __future__ import annotations

import re

from bot.cards import Card, Digest, MessageCard, WhoisCard
from bot.render import text as plain

_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")


def escape(value: str) -> str:
    return _SPECIAL.sub(r"\\\1", value)


def _link(label: str, url: str | None) -> str:
    if not url or not url.startswith(("http://", "https://")):
        return escape(label)
    return f"[{escape(label)}](<{url.replace('>', '%3E').replace(' ', '%20')}>)"


def render(card: Card) -> str:
    if isinstance(card, Digest):
        return digest(card)
    if isinstance(card, WhoisCard) and card.match is not None:
        p = card.match
        lines = [f"### {escape(p.name)}", escape(p.description)]
        for r in p.roles:
            org = f", {escape(r.org)}" if r.org else ""
            lines.append(f"- {'former ' if r.former else ''}{escape(r.title)}{org}")
        for q in p.quotes:
            lines.append(f"> “{escape(q.text)}” — {_link(q.story_title or 'source', q.story_url)}")
        return "\n".join(lines)
    if isinstance(card, MessageCard):
        return escape(card.text)
    return "```\n" + plain.render(card).replace("```", "'''") + "\n```"


def digest(d: Digest) -> str:
    lines = [f"## {escape(d.title)}", ""]
    if not d.entries:
        lines.append("Nothing new since the last digest.")
    for e in d.entries:
        outlets = f" — reported by {len(e.sources)} outlets" if len(e.sources) > 1 else ""
        lines.append(f"### {_link(e.headline, e.url)}{outlets}")
        lines += [f"- {escape(f)}" for f in e.facts]
        if e.quote:
            lines.append(f"> “{escape(e.quote.text)}” — {escape(e.quote.speaker or 'unattributed')}")
        if e.people:
            lines.append("People: " + ", ".join(escape(p) for p in e.people))
        if len(e.sources) > 1:
            lines.append("Sources: " + ", ".join(_link(s.name, s.url) for s in e.sources))
        lines.append("")
    if d.more:
        lines.append(f"…and {d.more} more.")
    return "\n".join(lines).rstrip() + "\n"
