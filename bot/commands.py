"""The one command layer: slash commands parsed and answered by the core as neutral cards.

Adapters pass the text the user typed (and who they are); they never decide what a command
means. The same parser serves the console, Slack and Discord.
"""

from __future__ import annotations

import re
import shlex
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum

from bot.cards import Card, HelpCard, MessageCard
from bot.errors import CommandError, PermissionDenied
from bot.ops import metrics

MAX_COMMAND = 500  # characters; longer input is refused before any work
MAX_QUERY = 200  # characters of a /whois name or /news query that are searched for


@dataclass(frozen=True, slots=True)
class Invocation:
    name: str  # whois | news | digest | feeds | follow | unfollow | following | trending | help | subscribe | …
    args: list[str]
    text: str  # everything after the command word, as typed


@dataclass(frozen=True, slots=True)
class Caller:
    """Who asked, as the adapter knows them; `admin` is decided by the adapter from config."""

    user: str
    platform: str
    admin: bool = False
    channel: str | None = None


HELP = [
    ("/whois NAME", "Who is this person or organisation, per the news: role, organisation, quotes, sources."),
    ("/news QUERY", "Search the stories read so far."),
    ("/digest [topic]", "The latest stories, grouped by event."),
    ("/feeds", "Feeds and their status."),
    ("/follow NAME", "Get an alert when a new story names this person or organisation."),
    ("/unfollow NAME", "Stop following a name."),
    ("/following", "The names you follow."),
    ("/trending [24h|7d|30d]", "Who is rising in the news: stories naming them against the window before."),
    ("/sitrep subscribe URL [topics]", "Add a feed (admins)."),
    ("/sitrep unsubscribe NAME", "Remove a feed added by command (admins)."),
    ("/sitrep status", "Feeds, channels and the delivery queue (admins)."),
    ("/help", "This list."),
]


class Access(StrEnum):
    """Who may run a command, and whether the answer depends on who asks."""

    everyone = "everyone"
    everyone_admins_see_more = "everyone; admins see more"  # members get a view without the operator's details
    admins = "admins"


# The one permissions table: the router enforces it for every platform, adapters read it to know
# when to find out whether the caller is an admin, and a command missing from it cannot be
# registered. /feeds shows members names and states only: feed URLs and error texts (which name
# hosts, paths and channels) are the operator's, and /sitrep status is the admins' full view.
PERMISSIONS: dict[str, Access] = {
    "whois": Access.everyone,
    "news": Access.everyone,
    "digest": Access.everyone,
    "help": Access.everyone,
    "follow": Access.everyone,  # a user's follows are their own: the core keys them by platform and user
    "unfollow": Access.everyone,
    "following": Access.everyone,
    "trending": Access.everyone,
    "feeds": Access.everyone_admins_see_more,
    "subscribe": Access.admins,
    "unsubscribe": Access.admins,
    "status": Access.admins,
}
ADMIN = frozenset(name for name, access in PERMISSIONS.items() if access is Access.admins)


def admin_matters(name: str) -> bool:
    """Whether the answer to command `name` depends on the caller being an admin: adapters that pay
    for the answer (a Slack user-group lookup) ask only then. An unknown name is treated as if it did."""
    return PERMISSIONS.get(name, Access.admins) is not Access.everyone


ALIASES = {"who": "whois", "search": "news", "sources": "feeds", "?": "help", "trends": "trending",
           "follows": "following"}


CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def parse(text: str) -> Invocation:
    """'/whois Kalinowski' -> Invocation('whois', ['Kalinowski'], 'Kalinowski'); `/sitrep X …` is X.

    Control characters are spaces: nobody types them, a NUL is refused by PostgreSQL in any query
    parameter, and the rest would reach logs and terminals."""
    text = CONTROL_CHARACTERS.sub(" ", text).strip()
    if len(text) > MAX_COMMAND:
        raise CommandError(f"That command is too long (at most {MAX_COMMAND} characters).")
    if not text:
        raise CommandError("Type a command, such as /whois Kalinowski or /help.")
    head, _, rest = text.partition(" ")
    name = head.lstrip("/").lower()
    rest = rest.strip()
    if name == "sitrep":
        head, _, rest = rest.partition(" ")
        name = head.lower() or "help"
        rest = rest.strip()
    name = ALIASES.get(name, name)
    try:
        args = shlex.split(rest)
    except ValueError:
        args = rest.split()
    return Invocation(name, args, rest)


Handler = Callable[[Invocation, Caller], Awaitable[Card]]


class CommandRouter:
    def __init__(self) -> None:
        self._handlers: dict[str, Handler] = {}

    def register(self, name: str, handler: Handler) -> None:
        if name not in PERMISSIONS:  # fail closed: every command says who may run it, in one place
            raise ValueError(f"command {name!r} has no row in bot.commands.PERMISSIONS")
        self._handlers[name] = handler

    @property
    def names(self) -> list[str]:
        return sorted(self._handlers)

    async def handle(self, text: str, caller: Caller) -> Card:
        # The latency label is a known command name, so what users type never becomes a metric label.
        started = time.perf_counter()
        command, outcome = "invalid", "error"
        try:
            invocation = parse(text)
            known = invocation.name in self._handlers or invocation.name == "help"
            command = invocation.name if known else "unknown"
            card = await self._dispatch(invocation, caller)
            outcome = "ok"
            return card
        except PermissionDenied as denied:
            outcome = "denied"
            return MessageCard(str(denied), level="denied")
        except CommandError as error:
            return MessageCard(str(error), level="error")
        finally:
            metrics.command_answered(command, outcome, time.perf_counter() - started)

    async def _dispatch(self, invocation: Invocation, caller: Caller) -> Card:
        if invocation.name == "help":
            return HelpCard(HELP)
        handler = self._handlers.get(invocation.name)
        if handler is None:
            raise CommandError(f"Unknown command /{invocation.name}. Try /help.")
        if PERMISSIONS[invocation.name] is Access.admins and not caller.admin:
            raise PermissionDenied(f"Sorry, /sitrep {invocation.name} is for sitrep admins only.")
        return await handler(invocation, caller)
