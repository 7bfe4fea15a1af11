"""The invite link: the bot and applications.commands scopes, with the least permissions it needs.

Answers to slash commands travel over the interaction's own webhook and need no channel
permission at all. Only scheduled digests post as the bot, which takes viewing the channel,
sending messages and embedding links (without Embed Links Discord strips the embeds). sitrep
reads no messages, so no Read Message History and no message-content intent. A digest channel
that is a thread would also need Send Messages in Threads; add it in the server's settings.
"""

from __future__ import annotations

import discord
import httpx

from adapters.discord.sender import USER_AGENT
from bot.config.settings import DiscordConfig
from bot.errors import SitrepError

SCOPES = ("bot", "applications.commands")
# discord.py's flag name, and what the Developer Portal and server settings call it.
NEEDED = {"view_channel": "View Channels", "send_messages": "Send Messages", "embed_links": "Embed Links"}


def permissions() -> discord.Permissions:
    return discord.Permissions(**dict.fromkeys(NEEDED, True))


def permission_names() -> list[str]:
    return list(NEEDED.values())


def invite_url(application_id: int, *, guild_id: int | None = None) -> str:
    if guild_id is None:
        return discord.utils.oauth_url(application_id, permissions=permissions(), scopes=SCOPES)
    return discord.utils.oauth_url(application_id, permissions=permissions(), scopes=SCOPES,
                                   guild=discord.Object(id=guild_id), disable_guild_select=True)


async def lookup_application_id(config: DiscordConfig, *, client: httpx.AsyncClient | None = None) -> int:
    """The application ID for the configured token, asked of Discord (the bot's own application)."""
    url = config.api_url.rstrip("/") + "/oauth2/applications/@me"
    headers = {"Authorization": f"Bot {config.token.get_secret_value()}", "User-Agent": USER_AGENT}
    own = client is None
    http = client or httpx.AsyncClient(timeout=15)
    try:
        response = await http.get(url, headers=headers)
    except httpx.HTTPError as error:
        raise SitrepError(f"could not reach Discord to look up the application ID ({error}); "
                          "pass --client-id or set discord.application_id") from error
    finally:
        if own:
            await http.aclose()
    if response.status_code == 401:
        raise SitrepError("Discord refused discord.token (401); reset the token in the Developer Portal")
    try:
        return int(response.json()["id"])
    except (ValueError, KeyError, TypeError):
        raise SitrepError(f"Discord answered {response.status_code} without an application ID; "
                          "pass --client-id or set discord.application_id") from None
