"""Posting JSON to a webhook URL with httpx, and turning what comes back into delivery outcomes.

Shared by the Slack and Discord webhook senders. Classification (see bot.ports.DeliveryError):
429 waits for Retry-After; 5xx and connection failures are retried with backoff; 404/410 (webhook
deleted, channel archived) and 401/403 (bad token, no permission) stop the channel with a reason;
other 4xx reject that one payload. A timeout after the request went out leaves the outcome unknown.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from bot.config.settings import ChannelConfig, HttpConfig
from bot.errors import SitrepError
from bot.http.fetch import user_agent
from bot.http.retry_after import rate_limit_delay
from bot.ports import DeliveryError

log = logging.getLogger(__name__)
DEFAULT_RETRY = timedelta(seconds=5)
MAX_PACING = 10.0  # seconds a sender will wait on its own for a bucket to refill before posting

Sleep = Callable[[float], Awaitable[None]]


def new_client(config: HttpConfig) -> httpx.AsyncClient:
    timeout = httpx.Timeout(config.total_timeout.total_seconds(), connect=config.connect_timeout.total_seconds(),
                            read=config.read_timeout.total_seconds())
    return httpx.AsyncClient(timeout=timeout, follow_redirects=False,
                             headers={"User-Agent": user_agent(config.contact)})


def webhook_url(channel: ChannelConfig) -> str:
    if channel.target is None:
        raise SitrepError(f"channel {channel.name} has no webhook URL (target)")
    return channel.target.get_secret_value()


def redacted(url: str) -> str:
    """A webhook URL without its token, for messages and logs."""
    parsed = httpx.URL(url)
    return f"{parsed.scheme}://{parsed.host}/…"


def retry_after(response: httpx.Response) -> timedelta:
    """Retry-After in seconds or as an HTTP date; Discord also puts `retry_after` in the body."""
    try:
        body = response.json()
    except ValueError:
        body = None
    return rate_limit_delay(response.headers, body, datetime.now(UTC)) or DEFAULT_RETRY


def detail(response: httpx.Response) -> str:
    """What the platform said, short: Slack answers in plain text, Discord in JSON."""
    text = response.text.strip()
    try:
        body = response.json()
        if isinstance(body, dict) and "message" in body:
            text = f"{body.get('message')} (code {body.get('code')})" if "code" in body else str(body["message"])
    except ValueError:
        pass
    return text[:300] or response.reason_phrase


class WebhookPoster:
    """POSTs with pacing per webhook (Discord's X-RateLimit-* headers) and error classification."""

    def __init__(self, platform: str, *, client: httpx.AsyncClient, sleep: Sleep = asyncio.sleep,
                 permanent: Callable[[httpx.Response, str], str | None]) -> None:
        self.platform = platform
        self.client = client
        self.sleep = sleep
        self.permanent = permanent  # (response, detail) -> the failing reason, or None if not permanent
        self._ready_at: dict[str, float] = {}

    async def post(self, url: str, payload: Any, *, idempotency_key: str,
                   params: dict[str, str] | None = None) -> httpx.Response:
        where = redacted(url)
        wait = self._ready_at.get(url, 0.0) - time.monotonic()
        if wait > 0:
            await self.sleep(min(wait, MAX_PACING))
        try:
            response = await self.client.post(url, params=params, content=json.dumps(payload),
                                              headers={"Content-Type": "application/json",
                                                       "Idempotency-Key": idempotency_key})
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as error:
            raise DeliveryError(f"{self.platform} webhook {where}: cannot connect ({type(error).__name__})") from None
        except httpx.TimeoutException as error:
            raise DeliveryError(f"{self.platform} webhook {where}: no answer in time ({type(error).__name__}); "
                                "the post may have arrived", uncertain=True) from None
        except httpx.TransportError as error:
            raise DeliveryError(f"{self.platform} webhook {where}: connection lost ({type(error).__name__}); "
                                "the post may have arrived", uncertain=True) from None
        self._pace(url, response)
        status = response.status_code
        if 200 <= status < 300:
            return response
        said = detail(response)
        if status == 429:
            raise DeliveryError(f"{self.platform} rate limit (429: {said})", retry_after=retry_after(response))
        if status >= 500:
            after = retry_after(response) if "retry-after" in response.headers else None
            raise DeliveryError(f"{self.platform} server error {status}: {said}", retry_after=after)
        reason = self.permanent(response, said)
        if reason is not None:
            raise DeliveryError(reason, permanent=True)
        raise DeliveryError(f"{self.platform} refused the message ({status}: {said})", rejected=True)

    def _pace(self, url: str, response: httpx.Response) -> None:
        """Discord says how many posts are left in the bucket; when none, wait for the reset."""
        remaining = response.headers.get("x-ratelimit-remaining")
        reset_after = response.headers.get("x-ratelimit-reset-after")
        if remaining == "0" and reset_after:
            try:
                self._ready_at[url] = time.monotonic() + float(reset_after)
            except ValueError:
                pass
