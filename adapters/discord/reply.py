"""Answering an interaction with a core card: on time, ephemeral where it fits, pinging nobody.

Discord drops an interaction that gets no initial response within 3 seconds. Most answers take
milliseconds, so the core is asked first and the answer sent directly when it is ready soon
enough; when it is not (a cold whois over a large index, a slow database), the interaction is
deferred ("sitrep is thinking…") and the answer follows as a followup message, which may come up
to 15 minutes later.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any

import discord

from adapters.discord import embeds
from bot.cards import Card, MessageCard

log = logging.getLogger(__name__)

DEFER_AFTER = 1.5  # seconds: leaves room for gateway latency within Discord's 3 s deadline
FAILED = "Something went wrong answering that; the operator can find the details in sitrep's log."


def message_kwargs(payload: dict[str, Any]) -> dict[str, Any]:
    """A renderer's payload as keyword arguments for discord.py's send methods."""
    return {
        "content": payload.get("content") or None,
        "embeds": [discord.Embed.from_dict(e) for e in payload.get("embeds", [])],
        "allowed_mentions": discord.AllowedMentions.none(),
    }


async def answer(interaction: discord.Interaction[Any], work: Awaitable[Card], *, ephemeral: bool,
                 defer_after: float = DEFER_AFTER) -> None:
    """Send the card `work` produces as the interaction's response, deferring if it is slow."""
    task = asyncio.ensure_future(work)
    done, _ = await asyncio.wait({task}, timeout=defer_after)
    if not done:
        try:
            await interaction.response.defer(ephemeral=ephemeral, thinking=True)
        except discord.HTTPException as error:  # expired (10062) or already answered: nobody to tell
            log.warning("could not defer interaction %s: %s", interaction.id, error)
            task.cancel()
            return
    try:
        card = await task
    except Exception:  # the user gets a short answer, the log the traceback
        log.exception("command failed for interaction %s", interaction.id)
        card = MessageCard(FAILED, level="error")
    kwargs = message_kwargs(embeds.render_card(card))
    private = ephemeral or (isinstance(card, MessageCard) and card.level in ("error", "denied"))
    try:
        if interaction.response.is_done():
            # The first followup replaces the "thinking" message; its visibility was set by defer().
            await interaction.followup.send(**kwargs, ephemeral=private)
        else:
            await interaction.response.send_message(**kwargs, ephemeral=private)
    except discord.HTTPException as error:
        log.error("could not answer interaction %s: %s", interaction.id, error)
