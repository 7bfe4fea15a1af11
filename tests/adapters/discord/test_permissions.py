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
from tests.fakes.admin_commands import (
    ADMIN_COMMANDS,
    ANSWERED,
    CHANNEL_ERROR,
    FEED_ERROR,
    IDS,
    REFUSED,
    AdminCommand,
    operator_details,
)
from tests.fakes.discord_api import MANAGE_SERVER, MEMBER, FakeDiscord, slash, subcommand

pytestmark = pytest.mark.slow
__all__ = ["bot"]  # the fixture, shared with test_commands

NOT_ADMINS: dict[str, dict[str, Any]] = {"member": {"permissions": MEMBER}, "unlisted-role": {"permissions": MEMBER, "roles": (OTHER_ROLE,)},
              "direct-message": {"permissions": MANAGE_SERVER, "guild_id": None}}
ADMINS: dict[str, dict[str, Any]] = {"manage-server": {"permissions": MANAGE_SERVER}, "administrator": {"permissions": ADMINISTRATOR},
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


async def test_members_get_feed_names_and_states_admins_the_errors(bot: DiscordAdapter, fake: FakeDiscord,
                                                                  core: Sitrep) -> None:
    operator_details(core)
    for who in NOT_ADMINS.values():
        member = text_of((await invoke(bot, fake, slash("feeds", [], **who)))["data"])
        assert "defense-wire" in member and "failing" in member
        assert FEED_ERROR not in member and CHANNEL_ERROR not in member
    for who in ADMINS.values():
        admin = text_of((await invoke(bot, fake, slash("feeds", [], **who)))["data"])
        assert FEED_ERROR in admin and CHANNEL_ERROR in admin
