"""Slack Block Kit payloads for sitrep's cards: pure functions, no client, split to Slack's limits.

Each payload is a `chat.postMessage`-style dict (also what an incoming webhook accepts): `blocks`,
a fallback `text` for notifications and screen readers, and unfurling off so a digest does not
drag ten link previews behind it. Limits (../shared/corpus/platform/slack_message_limits.txt):
50 blocks per message, 3,000 characters per section text, 150 per header; and, undocumented but
reported, `msg_blocks_too_long` near 13,200 characters of block text in one message, so a message
is kept under `MESSAGE_TEXT`. A digest that does not fit becomes several messages, each entry kept
whole where it can be.
"""

from __future__ import annotations

from typing import Any

from bot.cards import Card, Digest, MessageCard
from bot.render import card_lines, entry_lines
from bot.render.safety import WJ, clean, slack_escape, slack_url
from bot.render.split import pack, pack_groups, shorten, units

BLOCKS = 50
SECTION_TEXT = 3000
HEADER_TEXT = 150
CONTEXT_TEXT = 2000
MESSAGE_TEXT = 12_000
FALLBACK_TEXT = 3000
NOTE = 500  # an alert's note names the followed: feed text, so it is capped like a title

Block = dict[str, Any]


def _code(raw: str) -> str:
    return "`" + slack_escape(clean(raw).replace("`", "'")) + "`"


MARKUP = entry_lines.Markup(
    escape=slack_escape,
    link=lambda label, url: f"<{slack_url(url)}|{label}>",
    bold=lambda s: f"*{s}*",
    italic=lambda s: f"_{s}_",
    code=_code,
)


def plain(text: str, limit: int) -> str:
    """Our own text (titles) for a plain_text object: one line, no broadcast word, within the limit."""
    text = clean(text)
    for word in ("channel", "here", "everyone"):
        text = text.replace("@" + word, "@" + WJ + word)
    for mark in "!@#":
        text = text.replace("<" + mark, "<" + WJ + mark)
    return shorten(text, limit) or "sitrep"


def header(text: str) -> Block:
    return {"type": "header", "text": {"type": "plain_text", "text": plain(text, HEADER_TEXT), "emoji": True}}


def section(mrkdwn: str) -> Block:
    assert units(mrkdwn) <= SECTION_TEXT, "sections are packed to the limit before this"
    return {"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn}}


def context(mrkdwn: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": mrkdwn}]}


DIVIDER: Block = {"type": "divider"}


def block_text(block: Block) -> int:
    """How much text a block carries, for the per-message budget."""
    total = 0
    if "text" in block:
        total += units(block["text"]["text"])
    for element in block.get("elements", []):
        total += units(element.get("text", ""))
    return total


def sections(rendered: list[str]) -> list[Block]:
    return [section(chunk) for chunk in pack(rendered, SECTION_TEXT)]


# --- digests ------------------------------------------------------------------------------------


def _meta(digest: Digest) -> str:
    note = clean(digest.note)  # a note of only spaces is no note: Slack refuses an empty context
    if note:
        return shorten(note, NOTE)
    if digest.kind == "alert":
        return "Posted at once: it matches this channel's alert topics. It will be in the next digest too."
    since = digest.since.strftime("%Y-%m-%d %H:%M UTC") if digest.since else "the beginning"
    count = len(digest.entries) + digest.more
    return f"{count} {'event' if count == 1 else 'events'} since {since}"


def _people_blocks(digest: Digest) -> list[list[Block]]:
    """The people section: a heading, then one group per person (kept whole, like an entry)."""
    if not digest.people:
        return []
    groups = [[section(f"*{slack_escape(entry_lines.people_title(digest))}*")]]
    groups += [sections(entry_lines.person(p, SECTION_TEXT, MARKUP)) for p in digest.people]
    groups[-1].append(DIVIDER)
    return groups


def _section_groups(digest: Digest) -> tuple[list[list[Block]], int]:
    """Every section's block groups in the channel's order, and where the entries' groups start."""
    groups: list[list[Block]] = []
    start = 0
    for name in digest.sections:
        if name == "events":
            start = len(groups)
            groups += _entry_blocks(digest)
        elif name == "people":
            groups += _people_blocks(digest)
    return groups, start


def _entry_blocks(digest: Digest) -> list[list[Block]]:
    groups = []
    for entry in digest.entries:
        rendered = entry_lines.headline(entry, SECTION_TEXT, MARKUP) + entry_lines.body(entry, SECTION_TEXT, MARKUP)
        blocks = sections(rendered)
        if entry.published:
            blocks.append(context(entry.published.strftime("%b %d, %Y %H:%M UTC")))
        blocks.append(DIVIDER)
        groups.append(blocks)
    return groups


def _pack_messages(head: list[Block], groups: list[list[Block]], *, reserve: int = 2) -> list[list[Block]]:
    """Blocks into messages under both budgets, `reserve` blocks (and their text) left free in each
    message for a continuation line."""
    return pack_groups(groups, size=block_text, max_items=BLOCKS - reserve, max_size=MESSAGE_TEXT - reserve * 200,
                       first=head)


def _fallback(digest: Digest, part: int, total: int, headlines: list[str]) -> str:
    title = plain(digest.title, 300)
    text = slack_escape(title) + (f" ({part}/{total})" if total > 1 else "")
    for i, h in enumerate(headlines):
        piece = ("; " if i else ": ") + slack_escape(shorten(clean(h) or entry_lines.UNTITLED, 200))
        if units(text + piece) > FALLBACK_TEXT - 1:
            return text + "…"
        text += piece
    return text


def render_digest(digest: Digest) -> list[dict[str, Any]]:
    """A digest as one or more Slack messages, in order."""
    head = [header(digest.title), context(slack_escape(_meta(digest)))]
    groups, start = _section_groups(digest)
    if not digest.entries and not digest.people:
        groups.append([section("Nothing new since the last digest.")])
    if digest.more:
        groups.append([section(entry_lines.more_line(digest.more))])
    messages = _pack_messages(head, groups)
    # Which headlines went where, for each message's notification text.
    where: list[list[str]] = [[] for _ in messages]
    positions = {id(g[0]): e.headline for g, e in zip(groups[start:], digest.entries, strict=False)}
    for i, blocks in enumerate(messages):
        where[i] = [positions[id(b)] for b in blocks if id(b) in positions]
    payloads = []
    for i, blocks in enumerate(messages):
        if i > 0:
            note = f"*{slack_escape(plain(digest.title, 300))}* — continued ({i + 1}/{len(messages)})"
            blocks = [context(note), *blocks]
        payloads.append({"text": _fallback(digest, i + 1, len(messages), where[i]), "blocks": blocks,
                         "unfurl_links": False, "unfurl_media": False})
    return payloads


# --- command answers ----------------------------------------------------------------------------


def _card_message(title: str, groups: list[card_lines.Item], *, level: str = "info") -> dict[str, Any]:
    """One message: a header, then whole items while they fit, then "…and N more"."""
    budget = min(MESSAGE_TEXT - 400, (BLOCKS - 3) * SECTION_TEXT)
    shown, hidden = card_lines.fit(groups, budget)
    blocks = [header(title)] if title else []
    blocks += sections(shown)
    while len(blocks) > BLOCKS - 1:  # many short sections: merge pressure is by count, not text
        blocks.pop()
        hidden += 1
    if hidden:
        blocks.append(section(card_lines.more(hidden)))
    if not blocks:  # an answer with no text at all still needs one block
        blocks.append(section("(nothing to show)"))
    prefix = {"error": ":warning: ", "denied": ":no_entry: "}.get(level, "")
    text = prefix + slack_escape(plain(title, 300)) if title else prefix + "sitrep"
    return {"text": text, "blocks": blocks, "unfurl_links": False, "unfurl_media": False}


def render_card(card: Card) -> dict[str, Any]:
    """A command's answer as one Slack message (ephemeral or not is the adapter's choice)."""
    if isinstance(card, Digest):
        return _digest_card(card)
    body = card_lines.body(card, SECTION_TEXT, MARKUP)
    if body is not None:
        return _card_message(*body)
    assert isinstance(card, MessageCard)
    prefix = {"error": ":warning: ", "denied": ":no_entry: "}.get(card.level, "")
    groups = [entry_lines.wrapped(card.text, SECTION_TEXT - len(prefix), MARKUP, first=prefix, rest="")]
    message = _card_message("", [g for g in groups if g], level=card.level)
    message["text"] = prefix + (slack_escape(shorten(clean(card.text), FALLBACK_TEXT - 20)) or "sitrep")
    return message


def _fits(blocks: list[Block], reserve: int) -> bool:
    return (len(blocks) <= BLOCKS - reserve
            and sum(block_text(b) for b in blocks) <= MESSAGE_TEXT - reserve * 200)


def _digest_card(digest: Digest) -> dict[str, Any]:
    """An interactive /digest: one message, whole entries while they fit, the rest counted as more."""
    blocks = [header(digest.title), context(slack_escape(_meta(digest)))]
    groups = _entry_blocks(digest)
    shown = 0
    for group in groups:
        if not _fits(blocks + group, reserve=1):
            break
        blocks += group
        shown += 1
    if shown == 0 and groups:  # one entry bigger than a message: as much of it as fits
        for block in groups[0]:
            if not _fits([*blocks, block], reserve=1):
                break
            blocks.append(block)
    if shown == len(groups) and "people" in digest.sections:  # people follow when every event fitted
        for group in _people_blocks(digest):
            if not _fits(blocks + group, reserve=1):
                break
            blocks += group
    if not digest.entries and not digest.people:
        blocks.append(section("Nothing new since the last digest."))
    hidden = len(digest.entries) - shown + digest.more
    if hidden:
        blocks.append(section(entry_lines.more_line(hidden)))
    headlines = [e.headline for e in digest.entries[:shown]]
    return {"text": _fallback(digest, 1, 1, headlines), "blocks": blocks, "unfurl_links": False,
            "unfurl_media": False}
