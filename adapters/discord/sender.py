"""Posting digests to Discord channels over the REST API, for the delivery outbox.

It needs no gateway connection, so `sitrep digest --send` works without the bot running, and the
running bot uses the same code. Rate limits and failures become `DeliveryError`s the outbox acts
on; this sender never retries by itself, except for waiting out a short, announced bucket reset.

Idempotency: Create Message accepts a `nonce` with `enforce_nonce: true`, and Discord then answers
a repeated post with the message it already created (for a few minutes). The nonce is derived from
the outbox's idempotency key *and* the payload, so a retry after a lost answer is deduplicated,
while two databases that happen to reuse a key ("sitrep-1-0") for different digests are not.

Direct messages (a person's follow alerts, target `user:ID`) go to the DM channel Create DM opens
with the user (once, then remembered); a user who takes no DMs from the server's members answers
403 (50007), which parks that recipient like a channel the bot may not post in.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from bot import __version__
from bot.config.settings import ChannelConfig
from bot.delivery import direct
from bot.http.retry_after import rate_limit_delay
from bot.ports import DeliveryError

log = logging.getLogger(__name__)

NONCE_LENGTH = 25  # Discord's limit for a string nonce
MAX_WAIT = 5.0  # seconds: a bucket that resets sooner is waited out here, a later one goes back to the outbox
NO_MENTIONS: dict[str, list[str]] = {"parse": []}
# Discord error codes that no retry can fix (https://discord.com/developers/docs/topics/opcodes-and-status-codes).
UNKNOWN_CHANNEL = 10003
MISSING_ACCESS = 50001
MISSING_PERMISSIONS = 50013
USER_AGENT = f"DiscordBot (https://github.com/sitrep-bot/sitrep, {__version__})"

Sleep = Callable[[float], Awaitable[None]]


def nonce(idempotency_key: str, payload: dict[str, Any]) -> str:
    """A 25-character nonce, the same for every retry of one delivery."""
    body = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{idempotency_key}\n{body}".encode()).hexdigest()[:NONCE_LENGTH]


def retry_after(response: httpx.Response, body: Any) -> float:
    """Seconds to wait after a 429: the JSON body's `retry_after` (fractional seconds), else the headers."""
    delay = rate_limit_delay(response.headers, body, datetime.now(UTC))
    return delay.total_seconds() if delay is not None else 1.0


def _describe(response: httpx.Response, body: Any) -> str:
    if isinstance(body, dict) and "message" in body:
        code = body.get("code")
        return f"Discord answered {response.status_code}: {body['message']}" + (f" (code {code})" if code else "")
    return f"Discord answered {response.status_code}"


class DiscordSender:
    """Create Message for each payload the Discord renderers made, with the bot token."""

    def __init__(self, *, token: str, api_url: str = "https://discord.com/api/v10",
                 client: httpx.AsyncClient | None = None, timeout: float = 15.0,
                 sleep: Sleep = asyncio.sleep, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.api_url = api_url.rstrip("/")
        self._token = token
        self._own_client = client is None
        self._client = client or httpx.AsyncClient(timeout=timeout)
        self._sleep = sleep
        self._monotonic = monotonic
        self._blocked_until: dict[str, float] = {}  # channel ID -> monotonic time its bucket resets
        self._dms: dict[str, str] = {}  # user ID -> the DM channel opened with them

    async def aclose(self) -> None:
        if self._own_client:
            await self._client.aclose()

    async def send(self, channel: ChannelConfig, payload: Any, *, idempotency_key: str) -> str | None:
        user = direct.user_of(channel.target.get_secret_value().strip()) if channel.target else None
        channel_id = await self._direct(channel, user) if user is not None else self._channel_id(channel)
        if not isinstance(payload, dict):
            raise DeliveryError(f"channel {channel.name}: not a Discord message payload", permanent=True)
        body = {**payload, "allowed_mentions": NO_MENTIONS}  # whatever the renderer said, ping nobody
        body["nonce"] = nonce(idempotency_key, body)
        body["enforce_nonce"] = True
        await self._respect_bucket(channel_id)
        url = f"{self.api_url}/channels/{channel_id}/messages"
        headers = {"Authorization": f"Bot {self._token}", "User-Agent": USER_AGENT}
        try:
            response = await self._client.post(url, json=body, headers=headers)
        except httpx.HTTPError as error:
            raise DeliveryError(f"channel {channel.name}: Discord could not be reached: {error}") from error
        answer = _json(response)
        self._remember_bucket(channel_id, response)
        if response.status_code in (200, 201):
            message_id = answer.get("id") if isinstance(answer, dict) else None
            return str(message_id) if message_id is not None else None
        raise self._error(channel, response, answer)

    async def _direct(self, channel: ChannelConfig, user: str) -> str:
        """The DM channel with a user: Create DM (POST /users/@me/channels), once per user."""
        if user in self._dms:
            return self._dms[user]
        if not user.isdigit():
            raise DeliveryError(f"{channel.name}: {user!r} is not a Discord user ID", permanent=True)
        headers = {"Authorization": f"Bot {self._token}", "User-Agent": USER_AGENT}
        try:
            response = await self._client.post(f"{self.api_url}/users/@me/channels", json={"recipient_id": user},
                                                headers=headers)
        except httpx.HTTPError as error:
            raise DeliveryError(f"{channel.name}: Discord could not be reached: {error}") from error
        answer = _json(response)
        if response.status_code in (200, 201) and isinstance(answer, dict) and str(answer.get("id", "")).isdigit():
            self._dms[user] = str(answer["id"])
            return self._dms[user]
        raise self._error(channel, response, answer)

    def _channel_id(self, channel: ChannelConfig) -> str:
        target = channel.target.get_secret_value().strip() if channel.target else ""
        if not target.isdigit():
            raise DeliveryError(f"channel {channel.name}: target must be a Discord channel ID (digits only); "
                                "copy it with Developer Mode on", permanent=True)
        return target

    async def _respect_bucket(self, channel_id: str) -> None:
        wait = self._blocked_until.get(channel_id, 0.0) - self._monotonic()
        if wait <= 0:
            return
        if wait > MAX_WAIT:
            raise DeliveryError(f"Discord rate limit on channel {channel_id} for {wait:.1f}s",
                                retry_after=timedelta(seconds=wait))
        await self._sleep(wait)

    def _remember_bucket(self, channel_id: str, response: httpx.Response) -> None:
        """Discord announces an exhausted bucket before we hit it; waiting avoids a 429 (too many
        of those get the bot's IP banned for an hour)."""
        if response.headers.get("X-RateLimit-Remaining") != "0":
            self._blocked_until.pop(channel_id, None)
            return
        try:
            reset_after = float(response.headers.get("X-RateLimit-Reset-After", ""))
        except ValueError:
            return
        self._blocked_until[channel_id] = self._monotonic() + reset_after

    def _error(self, channel: ChannelConfig, response: httpx.Response, body: Any) -> DeliveryError:
        status = response.status_code
        message = f"channel {channel.name}: {_describe(response, body)}"
        code = body.get("code") if isinstance(body, dict) else None
        if status == 429:
            seconds = retry_after(response, body)
            scope = " (global)" if isinstance(body, dict) and body.get("global") else ""
            return DeliveryError(f"{message}; retry after {seconds:.2f}s{scope}",
                                 retry_after=timedelta(seconds=seconds))
        if status >= 500 or status == 408:
            return DeliveryError(message)
        if code in (UNKNOWN_CHANNEL, MISSING_ACCESS, MISSING_PERMISSIONS) or status in (401, 403, 404):
            hint = {401: "; check discord.token", 403: "; invite the bot (sitrep discord invite-url) and let it "
                    "view the channel, send messages and embed links", 404: "; check the channel's target ID"}
            return DeliveryError(message + hint.get(status, ""), permanent=True)
        # Any other 4xx (a malformed payload, say) would fail the same way again.
        return DeliveryError(message, permanent=True)


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
