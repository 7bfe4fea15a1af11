"""Every admin command through Discord's command tree (real interaction payloads dispatched by a
client logged in to the fake Discord): refused to members, to unlisted roles, in direct messages
and to server admins of a server the config does not list (anyone can invite the bot to a server
of their own); accepted for Manage Server and Administrator in the configured server, listed roles
(by ID) and listed users anywhere. A role named like an admin role is covered in test_commands."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from adapters.discord.adapter import DiscordAdapter
from bot.app import Sitrep
from bot.clock import FakeClock
from tests.adapters.discord.conftest import ADMIN_ROLE, ADMIN_USER, OTHER_GUILD, OTHER_ROLE, config_for
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
from tests.fakes.discord_api import GUILD_ID, MANAGE_SERVER, MEMBER, FakeDiscord, slash, subcommand

pytestmark = pytest.mark.slow
__all__ = ["bot"]  # the fixture, shared with test_commands

NOT_ADMINS: dict[str, dict[str, Any]] = {
    "member": {"permissions": MEMBER}, "unlisted-role": {"permissions": MEMBER, "roles": (OTHER_ROLE,)},
    "direct-message": {"permissions": MANAGE_SERVER, "guild_id": None},
    "manage-server-elsewhere": {"permissions": MANAGE_SERVER, "guild_id": OTHER_GUILD},
    "administrator-elsewhere": {"permissions": ADMINISTRATOR, "guild_id": OTHER_GUILD}}
ADMINS: dict[str, dict[str, Any]] = {
    "manage-server": {"permissions": MANAGE_SERVER}, "administrator": {"permissions": ADMINISTRATOR},
    "role-by-id": {"permissions": MEMBER, "roles": (ADMIN_ROLE,)},
    "listed-user": {"permissions": MEMBER, "user_id": ADMIN_USER},
    "listed-user-elsewhere": {"permissions": MEMBER, "user_id": ADMIN_USER, "guild_id": OTHER_GUILD}}


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


@pytest.fixture
async def global_bot(tmp_path: Path, demo_db: Path, fake: FakeDiscord, clock: FakeClock,
                     route_base: None) -> AsyncIterator[DiscordAdapter]:
    """No servers configured: commands are synced globally, to every server the bot is invited to."""
    core = Sitrep.open(config_for(tmp_path, demo_db, fake, guilds=[]), clock=clock)
    adapter = DiscordAdapter(core, defer_after=30.0)
    await adapter.client.login(fake.token)
    yield adapter
    await adapter.client.close()
    await core.aclose()


@pytest.mark.parametrize("guild_id", [GUILD_ID, OTHER_GUILD], ids=["any-server", "another-server"])
async def test_without_configured_servers_server_permissions_make_nobody_an_admin(
        global_bot: DiscordAdapter, fake: FakeDiscord, guild_id: int) -> None:
    for permissions in (MANAGE_SERVER, ADMINISTRATOR):
        refused = await invoke(global_bot, fake, slash("sitrep", [subcommand("status")], permissions=permissions,
                                                       guild_id=guild_id))
        assert REFUSED in text_of(refused["data"])
    for who in ({"roles": (ADMIN_ROLE,)}, {"user_id": ADMIN_USER}):
        allowed = await invoke(global_bot, fake, slash("sitrep", [subcommand("status")], guild_id=guild_id, **who))
        assert ANSWERED["status"] in text_of(allowed["data"]), who
