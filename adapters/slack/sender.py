"""Posting digests to Slack channels with chat.postMessage, for the delivery outbox.

Failures become `DeliveryError`s the outbox understands: a channel that is gone or a token that
no longer works is permanent (retrying will not help, the channel is marked failing); a 429 carries
Slack's `Retry-After`; 5xx answers and network trouble are retried with backoff.

Slack has no idempotency key for chat.postMessage. A crash after Slack accepted a message but
before the outbox marked it sent would post it twice. To close that window each message carries
its idempotency key in message metadata (`event_type: sitrep_digest`), and before posting the
sender reads the channel's recent history for a message with that key; if it is there, its `ts`
is returned and nothing is posted again. What remains: a message older than `LOOKBACK` or more
than `HISTORY_PAGE` messages back, or a workspace where the app lacks `channels:history` /
`groups:history` (then the check is skipped and logged once, and delivery is at-least-once).

Direct messages (a person's follow alerts, target `user:U…`) go to the app's conversation with the
user, opened once with conversations.open (`im:write`) and checked the same way (`im:history`).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock, SystemClock
from bot.delivery import direct
from bot.http.retry_after import rate_limit_delay
from bot.ports import DeliveryError

if TYPE_CHECKING:
    from bot.config.settings import ChannelConfig

log = logging.getLogger(__name__)

EVENT_TYPE = "sitrep_digest"
LOOKBACK = timedelta(days=2)
HISTORY_PAGE = 200
PERMANENT = frozenset({
    "channel_not_found", "not_in_channel", "is_archived", "invalid_auth", "account_inactive", "missing_scope",
    "token_revoked", "token_expired", "not_authed", "no_permission", "not_allowed_token_type", "ekm_access_denied",
    "team_access_not_granted", "restricted_action", "restricted_action_read_only_channel",
    "restricted_action_thread_only_channel", "restricted_action_non_threadable_channel", "invalid_blocks",
    "invalid_blocks_format", "msg_blocks_too_long", "msg_too_long", "too_many_attachments", "invalid_arguments",
    "invalid_metadata_format", "invalid_metadata_schema", "metadata_too_large", "metadata_must_be_sent_from_app",
    # Opening a direct message (conversations.open) with someone who cannot get one.
    "user_not_found", "user_disabled", "cannot_dm_bot", "user_not_visible", "users_not_found",
})
NO_HISTORY = frozenset({"missing_scope", "not_allowed_token_type", "no_permission"})


def delivery_error(error: SlackApiError, what: str) -> DeliveryError:
    """A Slack Web API failure as the outbox's error: permanent, rate-limited or transient."""
    response = error.response
    code = str(response.get("error") or "") if isinstance(response.data, dict) else ""
    status = int(response.status_code)
    if status == 429 or code == "ratelimited":
        delay = rate_limit_delay(response.headers, None, datetime.now(UTC)) or timedelta(seconds=60)
        return DeliveryError(f"{what}: rate limited by Slack (retry after {delay.total_seconds():g} s)",
                             retry_after=delay)
    if code in PERMANENT:
        return DeliveryError(f"{what}: {code}", permanent=True)
    if status >= 500:
        return DeliveryError(f"{what}: Slack answered HTTP {status}")
    return DeliveryError(f"{what}: {code or f'HTTP {status}'}")


class SlackSender:
    def __init__(self, client: AsyncWebClient, *, clock: Clock | None = None, lookback: timedelta = LOOKBACK) -> None:
        self.client = client
        self.clock = clock or SystemClock()
        self.lookback = lookback
        self.check_history = True
        self.check_dm_history = True  # apart: a workspace may grant channels' history and not DMs'
        self._dms: dict[str, str] = {}  # user ID -> the app's direct conversation with them

    async def send(self, channel: ChannelConfig, payload: Any, *, idempotency_key: str) -> str | None:
        if channel.target is None:
            raise DeliveryError(f"channel {channel.name} has no Slack channel ID (target)", permanent=True)
        if not isinstance(payload, dict):
            raise DeliveryError(f"channel {channel.name}: not a Slack message payload", permanent=True)
        target = channel.target.get_secret_value()
        user = direct.user_of(target)
        try:
            if user is not None:
                target = await self._direct(user)
            posted = await self._already_posted(target, idempotency_key, dm=user is not None)
            if posted is not None:
                log.info("channel %s: %s was already posted as %s; not posting again",
                         channel.name, idempotency_key, posted)
                return posted
            response = await self.client.chat_postMessage(
                channel=target, **payload,
                metadata={"event_type": EVENT_TYPE, "event_payload": {"key": idempotency_key}})
        except SlackApiError as error:
            raise delivery_error(error, f"posting to {channel.name}") from None
        except (SlackClientError, aiohttp.ClientError, TimeoutError) as error:
            raise DeliveryError(f"posting to {channel.name}: cannot reach Slack ({error})") from None
        return str(response.get("ts")) if response.get("ts") else None

    async def _direct(self, user: str) -> str:
        """The app's direct conversation with a user (opened once, then remembered)."""
        if user not in self._dms:
            response = await self.client.conversations_open(users=user)
            self._dms[user] = str((response.get("channel") or {}).get("id") or "")
        if not self._dms[user]:
            raise DeliveryError(f"Slack opened no direct conversation with {user}", permanent=True)
        return self._dms[user]

    async def _already_posted(self, channel_id: str, key: str, *, dm: bool = False) -> str | None:
        """The ts of our message carrying this key, if the channel's recent history has it."""
        if not (self.check_dm_history if dm else self.check_history):
            return None
        oldest = (self.clock.now() - self.lookback).timestamp()
        try:
            response = await self.client.conversations_history(
                channel=channel_id, oldest=f"{oldest:.6f}", limit=HISTORY_PAGE, include_all_metadata=True)
        except SlackApiError as error:
            code = error.response.get("error") if isinstance(error.response.data, dict) else None
            if code in NO_HISTORY:
                if dm:
                    self.check_dm_history = False
                else:
                    self.check_history = False
                log.warning("Slack: no access to %s history (%s); duplicate checks are off, so a crash "
                            "between posting and recording a digest may post it twice",
                            "direct-message" if dm else "channel", code)
                return None
            raise
        for message in response.get("messages") or []:
            metadata = message.get("metadata") or {}
            if metadata.get("event_type") == EVENT_TYPE and (metadata.get("event_payload") or {}).get("key") == key:
                return str(message.get("ts"))
        return None

    async def aclose(self) -> None:
        return None
