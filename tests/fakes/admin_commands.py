"""Every admin command, as a user types it and as Discord's options carry it: the one table the
permission tests on every platform are driven from. A new admin command that is not added here
fails `tests/test_permissions.py`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.fakes.discord_api import option


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
