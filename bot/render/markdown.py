"""Cards as Markdown (CommonMark), for `--format markdown` and anything that renders it.

Text from feeds is escaped so a headline cannot turn into a link, a heading, an image or raw
HTML; `@everyone`/`@here` are broken for chat clients that render Markdown; a link label that names
another site than the link's own is shown as text beside a link labelled with the real host.
"""

from __future__ import annotations

import re

from bot.cards import Card, Digest, MessageCard, WhoisCard
from bot.render import plain
from bot.render.safety import clean, deceptive_label, discord_neutralise, host, link_target

_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")


def escape(value: str | None) -> str:
    return discord_neutralise(_SPECIAL.sub(r"\\\1", clean(value)))


def _link(label: str, url: str | None) -> str:
    target = link_target(url)
    if target is None:
        return escape(label)
    destination = target.replace("<", "%3C").replace(">", "%3E")
    if deceptive_label(label, target):
        return f"{escape(label)} ([{escape(host(target))}](<{destination}>))"
    return f"[{escape(label) or '(untitled)'}](<{destination}>)"


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
