"""Ports: what the core needs from a chat platform. Adapters implement these; the core never
imports a platform library (a test enforces it)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from bot.cards import Card, Digest
from bot.errors import SitrepError

if TYPE_CHECKING:
    from bot.app import Sitrep
    from bot.config.settings import ChannelConfig


class DeliveryError(SitrepError):
    """A post that did not go through, classified so the deliverer knows what to do next.

    - `permanent`: the channel cannot take posts (not found, no permission, webhook deleted): the
      channel is marked failing with this message as the reason, and its posts wait for a fix.
    - `rejected`: the platform refused this payload (400): retrying cannot help; later posts go on.
    - `retry_after`: the platform said when to come back (429 Retry-After).
    - `uncertain`: the post may have arrived (a timeout after sending): the next attempt checks
      first where the platform allows it.
    Anything else is transient (5xx, connection refused) and retried with backoff.
    """

    def __init__(self, message: str, *, permanent: bool = False, rejected: bool = False,
                 retry_after: timedelta | None = None, uncertain: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.rejected = rejected
        self.retry_after = retry_after
        self.uncertain = uncertain


@runtime_checkable
class Sender(Protocol):
    async def send(self, channel: ChannelConfig, payload: Any, *, idempotency_key: str) -> str | None:
        """Post one rendered message; return the platform's message id when it gives one."""
        ...

    async def aclose(self) -> None: ...


@runtime_checkable
class CheckingSender(Sender, Protocol):
    """A sender for a platform that lets us see what was posted (Slack's conversations.history with
    message metadata, Discord's channel messages with a nonce). After a crash between posting and
    marking, the deliverer asks before posting again, so the message is not posted twice."""

    async def find_sent(self, channel: ChannelConfig, payload: Any, *, idempotency_key: str,
                        since: datetime) -> str | None:
        """The id of a message already posted with this key since `since`, or None."""
        ...


@runtime_checkable
class ChatAdapter(Protocol):
    """A running connection to a chat platform that answers commands."""

    name: str

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class PlatformPlugin(Protocol):
    """What each adapter package offers the core, looked up by platform name."""

    name: str

    def render_digest(self, digest: Digest) -> list[Any]:
        """Pure: a digest as the platform's message payloads, split to its limits."""
        ...

    def render_card(self, card: Card) -> Any:
        """Pure: a command's answer as the platform's payload."""
        ...

    def sender(self, core: Sitrep) -> Sender: ...

    def adapter(self, core: Sitrep) -> ChatAdapter | None: ...
