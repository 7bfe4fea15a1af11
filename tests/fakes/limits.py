"""What Slack and Discord accept, checked independently of the renderers.

The numbers are restated here from ../shared/corpus/platform/ (not imported from the renderers),
so a wrong constant in a renderer fails the tests instead of agreeing with itself. Each checker
returns the problems it found: an empty list means the platform would take the payload.
"""

from __future__ import annotations

import json
import re
from typing import Any

SLACK_BLOCKS = 50
SLACK_SECTION = 3000
SLACK_HEADER = 150
SLACK_CONTEXT_ELEMENTS = 10
SLACK_TEXT = 40_000
SLACK_BLOCK_TEXT_REJECTED = 13_000  # msg_blocks_too_long was reported from ~13,172 characters

DISCORD_CONTENT = 2000
DISCORD_EMBEDS = 10
DISCORD_TOTAL = 6000
DISCORD_TITLE = 256
DISCORD_DESCRIPTION = 4096
DISCORD_FIELDS = 25
DISCORD_FIELD_NAME = 256
DISCORD_FIELD_VALUE = 1024
DISCORD_FOOTER = 2048
DISCORD_AUTHOR = 256


def n(text: str) -> int:
    """UTF-16 code units: the strictest reading of "characters"."""
    return len(text.encode("utf-16-le")) // 2


def slack_problems(payload: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    json.dumps(payload)
    text = payload.get("text")
    if not isinstance(text, str) or not text.strip():
        problems.append("no fallback text")
    elif n(text) > SLACK_TEXT:
        problems.append(f"text of {n(text)}")
    blocks = payload.get("blocks", [])
    if not 1 <= len(blocks) <= SLACK_BLOCKS:
        problems.append(f"{len(blocks)} blocks")
    total = 0
    for i, block in enumerate(blocks):
        kind = block.get("type")
        if kind == "header":
            value = block["text"]["text"]
            total += n(value)
            if block["text"]["type"] != "plain_text" or not value.strip() or n(value) > SLACK_HEADER:
                problems.append(f"block {i}: header of {n(value)}")
        elif kind == "section":
            value = block["text"]["text"]
            total += n(value)
            if not value.strip() or n(value) > SLACK_SECTION:
                problems.append(f"block {i}: section of {n(value)}")
        elif kind == "context":
            elements = block["elements"]
            if not 1 <= len(elements) <= SLACK_CONTEXT_ELEMENTS:
                problems.append(f"block {i}: {len(elements)} context elements")
            for element in elements:
                total += n(element["text"])
                if not element["text"].strip() or n(element["text"]) > SLACK_SECTION:
                    problems.append(f"block {i}: context text of {n(element['text'])}")
        elif kind != "divider":
            problems.append(f"block {i}: unexpected type {kind}")
    if total > SLACK_BLOCK_TEXT_REJECTED:
        problems.append(f"{total} characters of block text")
    return problems


def discord_problems(payload: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    json.dumps(payload)
    if payload.get("allowed_mentions") != {"parse": []}:
        problems.append("allowed_mentions does not forbid every mention")
    content = payload.get("content", "")
    embeds = payload.get("embeds", [])
    if n(content) > DISCORD_CONTENT:
        problems.append(f"content of {n(content)}")
    if not content.strip() and not embeds:
        problems.append("empty message")
    if len(embeds) > DISCORD_EMBEDS:
        problems.append(f"{len(embeds)} embeds")
    total = 0
    urls = [e["url"] for e in embeds if "url" in e]
    if len(urls) != len(set(urls)):
        problems.append("two embeds with one URL (Discord shows only the first)")
    for i, embed in enumerate(embeds):
        checks = [("title", embed.get("title"), DISCORD_TITLE),
                  ("description", embed.get("description"), DISCORD_DESCRIPTION),
                  ("footer", embed.get("footer", {}).get("text"), DISCORD_FOOTER),
                  ("author", embed.get("author", {}).get("name"), DISCORD_AUTHOR)]
        fields = embed.get("fields", [])
        if len(fields) > DISCORD_FIELDS:
            problems.append(f"embed {i}: {len(fields)} fields")
        for field in fields:
            checks += [("field name", field["name"], DISCORD_FIELD_NAME),
                       ("field value", field["value"], DISCORD_FIELD_VALUE)]
        for name, value, limit in checks:
            if value is None:
                continue
            total += n(value.strip())
            if not value.strip():
                problems.append(f"embed {i}: empty {name}")
            elif n(value) > limit:
                problems.append(f"embed {i}: {name} of {n(value)}")
        if not embed.get("title") and not embed.get("description"):
            problems.append(f"embed {i}: neither title nor description")
    if total > DISCORD_TOTAL:
        problems.append(f"{total} characters across embeds")
    return problems


# --- safety ---------------------------------------------------------------------------------------

_SLACK_LINK = re.compile(r"<(https?://[^|<>\s]+)\|[^<>]*>")


def slack_strings(payload: dict[str, Any], *, plain: bool = True) -> list[str]:
    found = [payload.get("text", "")]
    for block in payload.get("blocks", []):
        if "text" in block and (plain or block["text"]["type"] == "mrkdwn"):
            found.append(block["text"]["text"])
        found += [e.get("text", "") for e in block.get("elements", [])]
    return found


def slack_hazards(payload: dict[str, Any]) -> list[str]:
    """Anything in a Slack payload that would ping, link or format beyond what sitrep wrote."""
    problems = []
    for block in payload.get("blocks", []):
        header = block["text"]["text"] if block.get("type") == "header" else ""  # plain_text: no markup
        if re.search(r"<[!@#]|(?<![\w\u2060])@(channel|here|everyone)\b", header):
            problems.append(f"mention syntax in header {block['text']['text']!r}")
    for text in slack_strings(payload, plain=False):
        for line in text.split("\n"):
            rest = _SLACK_LINK.sub("", line.removeprefix("> "))  # sitrep's own quotes and links
            if "<" in rest or ">" in rest:
                problems.append(f"raw angle bracket in {line[:80]!r}")
        if re.search(r"<[!@#]", text):
            problems.append(f"mention syntax in {text[:80]!r}")
        if re.search(r"(?<![\w\u2060])@(channel|here|everyone)\b", text, re.IGNORECASE):
            problems.append(f"broadcast word in {text[:80]!r}")
        if re.search(r"&(?!amp;|lt;|gt;)", text):
            problems.append(f"unescaped ampersand in {text[:80]!r}")
    return problems


def discord_strings(payload: dict[str, Any]) -> list[str]:
    found = [payload.get("content", "")]
    for embed in payload.get("embeds", []):
        found += [embed.get("title", ""), embed.get("description", ""), embed.get("footer", {}).get("text", "")]
        found += [f["name"] + "\n" + f["value"] for f in embed.get("fields", [])]
    return found


def discord_hazards(payload: dict[str, Any]) -> list[str]:
    problems = []
    for text in discord_strings(payload):
        if re.search(r"@(everyone|here)", text, re.IGNORECASE):
            problems.append(f"broadcast mention in {text[:80]!r}")
        if re.search(r"<(@[!&]?|#|/)[\w:]", text):
            problems.append(f"mention syntax in {text[:80]!r}")
    return problems
