"""Discord message payloads for sitrep's cards: pure functions, no client, split to Discord's limits.

Each payload is what Create Message and Execute Webhook accept: `content`, `embeds` and
`allowed_mentions: {"parse": []}`, so even a mention that slipped past escaping pings nobody.
Limits (../shared/corpus/platform/discord_limits.txt): content 2,000; 10 embeds and 6,000
characters across a message's embeds; title 256, description 4,096, 25 fields, field value 1,024,
footer 2,048. One embed per digest entry (continued in further embeds if its text is long); the
embeds are spread over as many messages as needed. Discord shows only the first of several embeds
with the same URL, so within one message a repeated URL is left off the later embeds.
"""

from __future__ import annotations

from typing import Any

from bot.cards import Card, Digest, DigestEntry, MessageCard
from bot.render import card_lines, entry_lines
from bot.render.safety import clean, deceptive_label, discord_escape, discord_neutralise, discord_url, host, link_target
from bot.render.split import pack, pack_groups, shorten, units

CONTENT = 2000
EMBEDS = 10
EMBED_TOTAL = 6000
TITLE = 256
DESCRIPTION = 4096
FIELDS = 25
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER = 2048
AUTHOR = 256
COLOR = 0x1F4E79
ALERT_COLOR = 0xC0392B
NO_MENTIONS: dict[str, list[str]] = {"parse": []}

Embed = dict[str, Any]


def _code(raw: str) -> str:
    return "`" + discord_neutralise(clean(raw).replace("`", "'")) + "`"


MARKUP = entry_lines.Markup(
    escape=discord_escape,
    link=lambda label, url: f"[{label}]({discord_url(url)})",
    bold=lambda s: f"**{s}**",
    italic=lambda s: f"*{s}*",
    code=_code,
)


def title_text(text: str) -> str:
    """Text for an embed title: titles show no links or mentions, but mentions are broken anyway."""
    return shorten(discord_neutralise(clean(text) or entry_lines.UNTITLED), TITLE)


def embed_size(embed: Embed) -> int:
    """Characters that count toward the 6,000 per message."""
    total = units(embed.get("title", "")) + units(embed.get("description", ""))
    total += sum(units(f["name"]) + units(f["value"]) for f in embed.get("fields", []))
    total += units(embed.get("footer", {}).get("text", "")) + units(embed.get("author", {}).get("name", ""))
    return total


def message(content: str, embeds: list[Embed]) -> dict[str, Any]:
    return {"content": content, "embeds": embeds, "allowed_mentions": NO_MENTIONS}


# --- digests ------------------------------------------------------------------------------------


def _entry_embeds(entry: DigestEntry, color: int) -> list[Embed]:
    title = clean(entry.headline) or entry_lines.UNTITLED
    first: Embed = {"title": title_text(title), "color": color}
    lead: list[str] = []
    if units(title) > TITLE:  # the title is only a label: the whole headline opens the text
        lead += entry_lines.wrapped(title, DESCRIPTION, MARKUP, first="", rest="", style=MARKUP.bold)
    target = link_target(entry.url)
    if target and deceptive_label(title, target):
        lead.append(f"{MARKUP.italic('Link:')} {MARKUP.link(discord_escape(host(target)), target)}")
    elif target:
        first["url"] = target
    if entry.published:
        first["timestamp"] = entry.published.isoformat()
    chunks = pack(lead + entry_lines.body(entry, DESCRIPTION, MARKUP), DESCRIPTION)
    embeds = [first]
    for i, chunk in enumerate(chunks):
        if i == 0:
            first["description"] = chunk
        else:
            embeds.append({"description": chunk, "color": color})
    return embeds


def _pack_messages(groups: list[list[Embed]]) -> list[list[Embed]]:
    """Embeds into messages (10 and 6,000 characters each), an entry's embeds kept together
    unless they are more than a message holds."""
    messages = pack_groups(groups, size=embed_size, max_items=EMBEDS, max_size=EMBED_TOTAL)
    for embeds in messages:  # one URL per message, or Discord hides the later embeds
        seen: set[str] = set()
        for embed in embeds:
            if "url" in embed:
                if embed["url"] in seen:
                    del embed["url"]
                else:
                    seen.add(embed["url"])
    return [m for m in messages if m]


def _meta(digest: Digest) -> str:
    note = clean(digest.note)  # a note of only spaces is no note
    if note:
        return discord_escape(shorten(note, 500))
    if digest.kind == "alert":
        return "Posted at once: it matches this channel's alert topics. It will be in the next digest too."
    since = digest.since.strftime("%Y-%m-%d %H:%M UTC") if digest.since else "the beginning"
    count = len(digest.entries) + digest.more
    return f"{count} {'event' if count == 1 else 'events'} since {since}"


def _heading(digest: Digest) -> str:
    return f"**{discord_escape(shorten(clean(digest.title), 300))}**"


def _people_embeds(digest: Digest) -> list[Embed]:
    """The people section as one embed (continued in more if the descriptions are long)."""
    if not digest.people:
        return []
    lines = [line for p in digest.people for line in entry_lines.person(p, DESCRIPTION, MARKUP)]
    chunks = pack(lines, DESCRIPTION)
    embeds: list[Embed] = [{"title": title_text(entry_lines.people_title(digest)), "color": COLOR,
                            "description": chunks[0]}]
    embeds += [{"description": chunk, "color": COLOR} for chunk in chunks[1:]]
    return embeds


def render_digest(digest: Digest) -> list[dict[str, Any]]:
    """A digest as one or more Discord messages, in order."""
    color = ALERT_COLOR if digest.kind == "alert" else COLOR
    groups: list[list[Embed]] = []
    for name in digest.sections:
        if name == "events":
            groups += [_entry_embeds(e, color) for e in digest.entries]
        elif name == "people" and digest.people:
            groups.append(_people_embeds(digest))
    packed = _pack_messages(groups) or [[]]
    payloads = []
    for i, embeds in enumerate(packed):
        if i == 0:
            content = f"{_heading(digest)}\n{_meta(digest)}"
            if not digest.entries and not digest.people:
                content += "\nNothing new since the last digest."
        else:
            content = f"{_heading(digest)} — continued ({i + 1}/{len(packed)})"
        if digest.more and i == len(packed) - 1:
            content += "\n" + discord_escape(entry_lines.more_line(digest.more))
        payloads.append(message(content, embeds))
    return payloads


# --- command answers ----------------------------------------------------------------------------


def _card_embed(title: str, groups: list[card_lines.Item], color: int = COLOR) -> dict[str, Any]:
    shown, hidden = card_lines.fit(groups, DESCRIPTION - 100)
    if hidden:
        shown.append(discord_escape(card_lines.more(hidden)))
    embed: Embed = {"title": title_text(title), "color": color}
    if shown:
        embed["description"] = "\n".join(shown)
    return message("", [embed])


def render_card(card: Card) -> dict[str, Any]:
    """A command's answer as one Discord message (for an interaction response or a channel)."""
    if isinstance(card, Digest):
        return _digest_card(card)
    body = card_lines.body(card, DESCRIPTION, MARKUP)
    if body is not None:
        return _card_embed(*body)
    assert isinstance(card, MessageCard)
    prefix = {"error": "⚠️ ", "denied": "⛔ "}.get(card.level, "")
    text = entry_lines.wrapped(card.text, CONTENT - 10, MARKUP, first=prefix, rest="")
    return message(text[0] if text else prefix.strip() or "…", [])


def _digest_card(digest: Digest) -> dict[str, Any]:
    """An interactive /digest: whole entries while one message holds them, the rest counted."""
    color = ALERT_COLOR if digest.kind == "alert" else COLOR
    embeds: list[Embed] = []
    shown = 0
    for entry in digest.entries:
        group = _entry_embeds(entry, color)
        if len(embeds) + len(group) > EMBEDS or sum(map(embed_size, embeds + group)) > EMBED_TOTAL:
            if shown == 0:  # one entry bigger than a message: its first embed (always fits alone)
                embeds.append(group[0])
            break
        embeds += group
        shown += 1
    if shown == len(digest.entries) and "people" in digest.sections:  # people follow when every event fitted
        people = _people_embeds(digest)
        if people and len(embeds) + len(people) <= EMBEDS and sum(map(embed_size, embeds + people)) <= EMBED_TOTAL:
            embeds += people
    packed = _pack_messages([embeds])
    content = f"{_heading(digest)}\n{_meta(digest)}"
    if not digest.entries and not digest.people:
        content += "\nNothing new since the last digest."
    hidden = len(digest.entries) - shown + digest.more
    if hidden:
        content += "\n" + discord_escape(entry_lines.more_line(hidden))
    return message(content, packed[0] if packed else [])
