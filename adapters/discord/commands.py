"""The slash commands, as thin translators: each builds the command text the core parses, says who
asked (and whether they are an admin), and hands the core's card to `reply.answer`.

Lookups answer ephemerally by default: a `/whois` is one person's question, and an answer only
they see keeps the channel for the scheduled digests. Each lookup has a `share` option for when
the answer is worth showing everyone. Admin answers and errors are always ephemeral.

Who is an admin (`is_admin`), decided from what Discord sends with each interaction:

- a user listed in `discord.admin_users`, wherever they ask;
- a member holding a role listed in `discord.admin_roles`, by ID: role IDs are unique across
  Discord and cannot be chosen, where a name can be copied by anyone who makes a role;
- a member with Manage Server or Administrator, only in a server listed in `discord.guilds`.
  Anyone can invite the bot to a server of their own and be its owner there; with `guilds` empty
  (commands synced globally) server permissions make nobody an admin.

Never in a direct message unless listed by user ID. The core refuses admin commands to everyone
else. Discord also hides the `/sitrep` group from members without Manage Server unless roles or
users are configured (then server admins can narrow it under Server Settings, Integrations).
"""

from __future__ import annotations

import asyncio
import logging
import re
import shlex
from dataclasses import dataclass
from typing import Any

import discord
from discord import app_commands

from adapters.discord.reply import DEFER_AFTER, answer
from bot.app import Sitrep
from bot.commands import Caller
from bot.config.settings import DiscordConfig
from bot.delivery import direct
from bot.store.knowledge_repo import name_key

log = logging.getLogger(__name__)

Interaction = discord.Interaction[Any]
Choices = list[app_commands.Choice[str]]
CHOICE = 100  # characters in an autocomplete choice's name and value
FEED_ORIGIN_CONFIG = "config"
WORD_SCAN = 2000  # most-mentioned names searched for a later word matching what was typed


@dataclass(frozen=True, slots=True)
class AdminAccess:
    """Who may run admin commands, by ID (see the module docstring)."""

    guilds: frozenset[int] = frozenset()
    roles: frozenset[int] = frozenset()
    users: frozenset[int] = frozenset()

    @classmethod
    def from_config(cls, config: DiscordConfig | None) -> AdminAccess:
        if config is None:
            return cls()
        return cls(frozenset(config.guilds), frozenset(config.admin_roles), frozenset(config.admin_users))


def is_admin(interaction: Interaction, access: AdminAccess) -> bool:
    """A listed user anywhere; in a server, a listed role (by ID), or Manage Server or Administrator
    in a configured server. Never by role name, never by server permissions elsewhere."""
    user = interaction.user
    if user.id in access.users:
        return True
    if interaction.guild_id is None or not isinstance(user, discord.Member):
        return False
    # The role IDs Discord sent with this interaction (they never include @everyone), not the cached
    # guild's roles, which a server's own admins can rename to anything.
    if access.roles & {int(r) for r in user._roles}:
        return True
    permissions = interaction.permissions
    return interaction.guild_id in access.guilds and (permissions.administrator or permissions.manage_guild)


def command_text(*words: str | None) -> str:
    """Words quoted for the core's parser, so a URL or name with spaces stays one argument."""
    return " ".join(shlex.quote(w) for w in words if w)


class SitrepCommands:
    def __init__(self, core: Sitrep, *, defer_after: float = DEFER_AFTER) -> None:
        self.core = core
        self.defer_after = defer_after
        self.access = AdminAccess.from_config(core.config.discord)
        if not self.access.guilds and not (self.access.roles or self.access.users):
            log.warning("discord: nobody can run /sitrep admin commands: with discord.guilds empty, Manage Server "
                        "counts in no server; list your servers in discord.guilds, or admins in "
                        "discord.admin_roles or discord.admin_users")
        # Interactions in a configured channel use that channel's topics and limits for /digest.
        self.channels = {c.target.get_secret_value().strip(): c.name for c in core.config.channels
                         if c.platform.value == "discord" and c.target is not None}

    def caller(self, interaction: Interaction) -> Caller:
        channel = self.channels.get(str(interaction.channel_id)) if interaction.channel_id else None
        return Caller(user=str(interaction.user.id), platform="discord",
                      admin=is_admin(interaction, self.access), channel=channel)

    async def run(self, interaction: Interaction, text: str, *, ephemeral: bool = True) -> None:
        await answer(interaction, self.core.handle(text, self.caller(interaction)), ephemeral=ephemeral,
                     defer_after=self.defer_after)

    # --- autocomplete ----------------------------------------------------------------------------

    def matching_names(self, current: str) -> list[str]:
        """Names that start with what was typed, most mentioned first; then, among the most
        mentioned, names with a later word that does ("Kal" finds Caitlin Kalinowski)."""
        typed = current.strip()[:CHOICE]
        found = self.core.store.knowledge.names(prefix=typed, limit=25)
        key = name_key(typed)
        if key and len(found) < 25:
            seen = set(found)
            for name in self.core.store.knowledge.names(limit=WORD_SCAN):
                if name not in seen and any(word.startswith(key) for word in name_key(name).split()[1:]):
                    found.append(name)
                    if len(found) == 25:
                        break
        return found

    async def entity_names(self, current: str) -> Choices:
        try:
            names = await asyncio.to_thread(self.matching_names, current)
        except Exception:  # an autocomplete failure must not break typing the command
            log.exception("autocomplete for /whois failed")
            return []
        return [app_commands.Choice(name=n[:CHOICE], value=n[:CHOICE]) for n in names]

    async def followed_names(self, interaction: Interaction, current: str) -> Choices:
        """The asker's own follows (nobody else's) that contain what was typed."""
        recipient = direct.recipient("discord", str(interaction.user.id))
        try:
            rows = await asyncio.to_thread(self.core.store.follows.of, recipient)
        except Exception:  # an autocomplete failure must not break typing the command
            log.exception("autocomplete for /unfollow failed")
            return []
        wanted = current.strip().casefold()
        return [app_commands.Choice(name=r.name[:CHOICE], value=r.name[:CHOICE]) for r in rows
                if wanted in r.name.casefold()][:25]

    def topic_names(self, current: str) -> Choices:
        wanted = current.strip().casefold()
        return [app_commands.Choice(name=t[:CHOICE], value=t[:CHOICE])
                for t in self.core.topics.topics if wanted in t.casefold()][:25]

    async def command_feeds(self, current: str) -> Choices:
        rows = await asyncio.to_thread(self.core.store.feeds.all)
        wanted = current.strip().casefold()
        return [app_commands.Choice(name=r.name[:CHOICE], value=r.name[:CHOICE]) for r in rows
                if r.origin != FEED_ORIGIN_CONFIG and wanted in r.name.casefold()][:25]

    # --- the commands ----------------------------------------------------------------------------

    def install(self, tree: app_commands.CommandTree[Any]) -> None:
        """Add the commands to a tree (global commands; `client.sync` copies them to guilds)."""

        @tree.command(name="whois", description="Who is this person or organisation, according to the news")
        @app_commands.describe(name="A person or organisation", share="Show the answer to everyone here")
        async def whois(interaction: Interaction, name: app_commands.Range[str, 1, 200], share: bool = False) -> None:
            await self.run(interaction, "/whois " + name, ephemeral=not share)

        @whois.autocomplete("name")
        async def whois_names(interaction: Interaction, current: str) -> Choices:
            return await self.entity_names(current)

        @tree.command(name="news", description="Search the stories read so far")
        @app_commands.describe(query="Words to look for", share="Show the answer to everyone here")
        async def news(interaction: Interaction, query: app_commands.Range[str, 1, 200], share: bool = False) -> None:
            await self.run(interaction, "/news " + query, ephemeral=not share)

        @tree.command(name="digest", description="The latest stories, grouped by event")
        @app_commands.describe(topic="Only this topic", share="Show the digest to everyone here")
        async def digest(interaction: Interaction, topic: app_commands.Range[str, 1, 100] | None = None,
                         share: bool = False) -> None:
            await self.run(interaction, "/digest " + command_text(topic), ephemeral=not share)

        @digest.autocomplete("topic")
        async def digest_topics(interaction: Interaction, current: str) -> Choices:
            return self.topic_names(current)

        @tree.command(name="feeds", description="Feeds and their status")
        async def feeds(interaction: Interaction) -> None:
            await self.run(interaction, "/feeds")

        @tree.command(name="follow", description="Get a direct message when a new story names this person or org")
        @app_commands.describe(name="A person or organisation (a surname will do)")
        async def follow(interaction: Interaction, name: app_commands.Range[str, 1, 200]) -> None:
            await self.run(interaction, "/follow " + name)

        @follow.autocomplete("name")
        async def follow_names(interaction: Interaction, current: str) -> Choices:
            return await self.entity_names(current)

        @tree.command(name="unfollow", description="Stop following a name")
        @app_commands.describe(name="A name you follow, as /following lists it")
        async def unfollow(interaction: Interaction, name: app_commands.Range[str, 1, 200]) -> None:
            await self.run(interaction, "/unfollow " + name)

        @unfollow.autocomplete("name")
        async def unfollow_names(interaction: Interaction, current: str) -> Choices:
            return await self.followed_names(interaction, current)

        @tree.command(name="following", description="The names you follow")
        async def following(interaction: Interaction) -> None:
            await self.run(interaction, "/following")

        @tree.command(name="trending", description="Who is rising in the news, against the window before")
        @app_commands.describe(window="How far back to look", share="Show the answer to everyone here")
        @app_commands.choices(window=[app_commands.Choice(name=w, value=w) for w in ("24h", "7d", "30d")])
        async def trending(interaction: Interaction, window: str = "7d", share: bool = False) -> None:
            await self.run(interaction, "/trending " + command_text(window), ephemeral=not share)

        # Listed roles and users must see /sitrep without Manage Server; otherwise Discord hides it from members.
        hidden = None if self.access.roles or self.access.users else discord.Permissions(manage_guild=True)
        group = app_commands.Group(name="sitrep", description="Manage sitrep in this server (admins)",
                                   guild_only=True, default_permissions=hidden)

        @group.command(name="subscribe", description="Add a feed")
        @app_commands.describe(url="The feed's http(s) URL", topics="Topic names, separated by spaces or commas")
        async def subscribe(interaction: Interaction, url: app_commands.Range[str, 1, 400],
                            topics: app_commands.Range[str, 1, 200] | None = None) -> None:
            words = re.split(r"[\s,]+", topics.strip()) if topics else []
            await self.run(interaction, "/sitrep subscribe " + command_text(url.strip(), *words))

        @group.command(name="unsubscribe", description="Remove a feed added by command")
        @app_commands.describe(name="The feed's name, as /feeds shows it")
        async def unsubscribe(interaction: Interaction, name: app_commands.Range[str, 1, 100]) -> None:
            await self.run(interaction, "/sitrep unsubscribe " + command_text(name.strip()))

        @unsubscribe.autocomplete("name")
        async def unsubscribe_names(interaction: Interaction, current: str) -> Choices:
            return await self.command_feeds(current) if self.caller(interaction).admin else []

        @group.command(name="status", description="Feeds, channels and deliveries")
        async def status(interaction: Interaction) -> None:
            await self.run(interaction, "/sitrep status")

        tree.add_command(group)
