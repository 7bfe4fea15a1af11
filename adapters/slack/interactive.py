"""The "Share in channel" button: pure functions over the Block Kit messages blocks.py renders.

Answers are ephemeral (only the asker sees them), so asking never spams a channel. The button
carries the command that produced the answer; pressing it asks the core again as the person who
pressed, and the answer is posted for the channel with who shared it. Only read-only commands get
a button, so a share can never repeat an admin action.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from adapters.slack.blocks import BLOCKS
from bot.commands import parse
from bot.errors import CommandError
from bot.render.safety import clean, slack_escape

SHARE_ACTION = "sitrep_share"
SHARE_BLOCK = "sitrep_share"
SHAREABLE = frozenset({"whois", "news", "digest", "feeds", "trending"})  # never follows: they are one's own
MAX_VALUE = 2000  # Slack's limit for a button value
_USER = re.compile(r"^[UW][A-Z0-9]{2,}$")

Message = dict[str, Any]


def share_button(command: str) -> dict[str, Any]:
    return {"type": "button", "action_id": SHARE_ACTION, "value": command,
            "text": {"type": "plain_text", "text": "Share in channel", "emoji": True}}


def with_share_button(message: Message, command: str) -> Message:
    """The answer with the button after its blocks; when the message already has the most blocks
    Slack allows, the button rides on the first section instead of taking a block of its own."""
    if len(command) > MAX_VALUE:
        return message
    out = copy.deepcopy(message)
    blocks: list[dict[str, Any]] = out.setdefault("blocks", [])
    if len(blocks) < BLOCKS:
        blocks.append({"type": "actions", "block_id": SHARE_BLOCK, "elements": [share_button(command)]})
        return out
    for block in blocks:
        if block.get("type") == "section" and "accessory" not in block:
            block["accessory"] = share_button(command)
            return out
    return message


def without_share_button(message: Message) -> Message:
    out = copy.deepcopy(message)
    blocks = [b for b in out.get("blocks", []) if b.get("block_id") != SHARE_BLOCK]
    for block in blocks:
        if block.get("accessory", {}).get("action_id") == SHARE_ACTION:
            del block["accessory"]
    out["blocks"] = blocks
    return out


def shared(message: Message, user_id: str, command: str) -> Message:
    """The answer as posted for everyone: no button, and a line saying who shared it and how."""
    out = without_share_button(message)
    who = f"<@{user_id}>" if _USER.match(user_id) else "someone"
    line = f"Shared by {who} · {slack_escape(clean(command)[:200])}"
    if len(out["blocks"]) < BLOCKS:
        out["blocks"].append({"type": "context", "elements": [{"type": "mrkdwn", "text": line}]})
    else:
        out["text"] = f"{out.get('text', '')} ({line})"
    return out


def share_command(value: str) -> str | None:
    """The command a share button carries, if a share may run it: read-only commands only."""
    value = value.strip()
    if len(value) > MAX_VALUE:
        return None
    try:
        name = parse(value).name
    except CommandError:
        return None
    return value if name in SHAREABLE else None
