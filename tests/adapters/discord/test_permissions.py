"""Every admin command through Discord's command tree (real interaction payloads dispatched by a
client logged in to the fake Discord): refused to members, to unlisted roles and in direct
messages; accepted for Manage Server, Administrator and listed roles (a role listed by name, which
needs the guild's roles from the gateway, is covered in test_commands)."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.discord.adapter import DiscordAdapter
from bot.app import Sitrep
from tests.adapters.discord.conftest import ADMIN_ROLE, OTHER_ROLE
from tests.adapters.discord.test_commands import ADMINISTRATOR, bot, invoke, text_of
from tests.fakes.admin_commands import ADMIN_COMMANDS, ANSWERED, IDS, REFUSED, AdminCommand
from tests.fakes.discord_api import MANAGE_SERVER, MEMBER, FakeDiscord, slash, subcommand

pytestmark = pytest.mark.slow
__all__ = ["bot"]  # the fixture, shared with test_commands

NOT_ADMINS = {"member": {"permissions": MEMBER}, "unlisted-role": {"permissions": MEMBER, "roles": (OTHER_ROLE,)},
              "direct-message": {"permissions": MANAGE_SERVER, "guild_id": None}}
ADMINS = {"manage-server": {"permissions": MANAGE_SERVER}, "administrator": {"permissions": ADMINISTRATOR},
          "role-by-id": {"permissions": MEMBER, "roles": (ADMIN_ROLE,)}}


@pytest.mark.parametrize("command", ADMIN_COMMANDS, ids=IDS)
@pytest.mark.parametrize("who", list(NOT_ADMINS.values()), ids=list(NOT_ADMINS))
async def test_non_admins_are_refused(bot: DiscordAdapter, fake: FakeDiscord, core: Sitrep, command: AdminCommand,
                                      who: dict[str, Any]) -> None:
    feeds = [f.name for f in core.store.feeds.all()]
    callback = await invoke(bot, fake, slash("sitrep", [subcommand(command.name, command.discord_options)], **who))
    assert REFUSED in text_of(callback["data"])
    assert [f.name for f in core.store.feeds.all()] == feeds


@pytest.mark.parametrize("command", ADMIN_COMMANDS, ids=IDS)
@pytest.mark.parametrize("who", list(ADMINS.values()), ids=list(ADMINS))
async def test_admins_are_accepted(bot: DiscordAdapter, fake: FakeDiscord, command: AdminCommand,
                                   who: dict[str, Any]) -> None:
    callback = await invoke(bot, fake, slash("sitrep", [subcommand(command.name, command.discord_options)], **who))
    said = text_of(callback["data"])
    assert REFUSED not in said
    expected = ANSWERED[command.name]  # an answer from the command itself
    assert expected in said, said
