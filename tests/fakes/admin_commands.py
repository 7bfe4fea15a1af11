"""Every admin command, as a user types it and as Discord's options carry it: the one table the
permission tests on every platform are driven from. A new admin command that is not added here
fails `tests/test_permissions.py`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from tests.fakes.discord_api import option
from tests.fakes.pollers import claim

if TYPE_CHECKING:
    from bot.app import Sitrep


@dataclass(frozen=True)
class AdminCommand:
    name: str
    args: str  # what follows `/sitrep NAME`
    discord_options: list[dict[str, Any]]

    @property
    def typed(self) -> str:
        return f"/sitrep {self.name} {self.args}".strip()

    def spellings(self) -> list[str]:
        """The ways the parser accepts the same command: case, spacing, and without `/sitrep`."""
        return [self.typed, f"/SITREP {self.name.upper()} {self.args}".strip(),
                f"  /sitrep   {self.name}   {self.args}  ", f"/{self.name} {self.args}".strip()]


# Port 0 is refused by the URL check before any lookup, so an accepted subscribe touches no network;
# the answer ("I will not fetch that URL") shows the command itself ran.
ADMIN_COMMANDS = [
    AdminCommand("subscribe", "https://feeds.example:0/feed.xml ai-defense",
                 [option("url", "https://feeds.example:0/feed.xml"), option("topics", "ai-defense")]),
    AdminCommand("unsubscribe", "defense-wire", [option("name", "defense-wire")]),
    AdminCommand("status", "", []),
]
IDS = [c.name for c in ADMIN_COMMANDS]
REFUSED = "for sitrep admins only"
ANSWERED = {"status": "defense-wire", "unsubscribe": "comes from the config file", "subscribe": "will not fetch"}

# What only admins may see: a feed URL with a credential in it, and error texts naming hosts and hooks.
FEED_URL = "https://reader:hunter2@feeds.corp.example/wire.xml"
FEED_ERROR = "ConnectError: feeds.corp.example:8443 refused the connection"
CHANNEL_ERROR = "the hook at hooks.corp.example/T0/B0 answered 404"


def operator_details(core: Sitrep, *, feed: str = "defense-wire", channel: str | None = None) -> None:
    """Make a feed fail and a channel fail, with error texts members must not be shown."""
    now = core.clock.now()
    row = core.store.feeds.get(feed)
    assert row is not None
    assert claim(core, row.id)
    core.store.feeds.record_failure(row.id, owner=core.owner, now=now, next_due=now + timedelta(hours=1),
                                    error=FEED_ERROR, status_code=None, max_failures=1)
    name = channel or core.config.channels[0].name
    core.store.outbox.set_channel(name, now, status="failing", last_error=CHANNEL_ERROR, failing_since=now)
