"""Cards as Markdown (CommonMark), for `--format markdown` and anything that renders it.

Text from feeds is escaped so a headline cannot turn into a link, a heading, an image or raw
HTML; `@everyone`/`@here` are broken for chat clients that render Markdown; a link label that names
another site than the link's own is shown as text beside a link labelled with the real host.
"""

from __future__ import annotations

import re

from bot.cards import Card, Digest, MessageCard, WhoisCard
from bot.render import plain
from bot.render.entry_lines import people_title, story_count, without_name
from bot.render.safety import clean, deceptive_label, discord_neutralise, host, link_target
from bot.render.sparkline import sparkline

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
        if p.timeline:
            lines.append("")
            lines += [f"- {escape(t.date or 'undated')} {_link(t.text, t.story) if t.story else escape(t.text)}"
                      for t in p.timeline]
        if any(p.mentions_by_week):
            lines.append(f"\nStories a week since {escape(p.weeks_from)}: `{sparkline(p.mentions_by_week)}`")
        return "\n".join(lines)
    if isinstance(card, MessageCard):
        return escape(card.text)
    return "```\n" + plain.render(card).replace("```", "'''") + "\n```"


def digest(d: Digest) -> str:
    lines = [f"## {escape(d.title)}", ""]
    if d.note:
        lines += [f"_{escape(d.note)}_", ""]
    if not d.entries and not d.people:
        lines.append("Nothing new since the last digest.")
    for section in d.sections:
        lines += _events(d) if section == "events" else _people(d)
    return "\n".join(lines).rstrip() + "\n"


def _people(d: Digest) -> list[str]:
    if not d.people:
        return []
    lines = [f"### {escape(people_title(d))}"]
    for p in d.people:
        count = story_count(p.mentions)
        described = without_name(p.name, p.description)
        lines.append(f"- **{escape(p.name)}** ({count})" + (f": {escape(described)}" if described else ""))
    return [*lines, ""]


def _events(d: Digest) -> list[str]:
    lines: list[str] = []
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
        lines += [f"…and {d.more} more.", ""]
    return lines
