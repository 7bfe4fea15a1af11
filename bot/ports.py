"""Ports: what the core needs from a chat platform. Adapters implement these; the core never
imports a platform library (a test enforces it)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from bot.cards import Card, Digest
from bot.errors import SitrepError

if TYPE_CHECKING:
    from bot.app import Sitrep
    from bot.config.models import ChannelConfig


class DeliveryError(SitrepError):
    """A post that did not go through. `permanent` errors (channel gone, no permission) stop retries."""

    def __init__(self, message: str, *, permanent: bool = False, retry_after: timedelta | None = None) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.retry_after = retry_after


@runtime_checkable
class Sender(Protocol):
    async def send(self, channel: ChannelConfig, payload: Any, *, idempotency_key: str) -> str | None:
        """Post one rendered message; return the platform's message id when it gives one."""
        ...

    async def aclose(self) -> None: ...


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
