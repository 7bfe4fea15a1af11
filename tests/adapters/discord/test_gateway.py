"""The bot as `sitrep run` starts it: log in, sync, connect to the (fake) gateway, answer an
interaction that arrives over the websocket, stop cleanly. Sharded and unsharded."""

from __future__ import annotations

from pathlib import Path

import discord
import pytest
import yarl

from adapters.discord import plugin
from adapters.discord.adapter import DiscordAdapter
from adapters.discord.client import ShardedSitrepClient, SitrepClient, build_client
from bot.app import Sitrep
from bot.clock import FakeClock
from bot.config.settings import DiscordConfig
from bot.errors import SitrepError
from tests.adapters.discord.conftest import ADMIN_ROLE, config_for
from tests.fakes.discord_api import APPLICATION_ID, CHANNEL_ID, FakeDiscord, callback_path, option, slash, subcommand

pytestmark = pytest.mark.slow  # the demo feeds are polled once per session


@pytest.fixture
def gateway(fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch) -> None:
    """An unsharded client connects to Discord's fixed gateway address; point it at the fake."""
    monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(fake.gateway_url))


async def test_the_bot_connects_answers_over_the_gateway_and_stops(core: Sitrep, fake: FakeDiscord,
                                                                   gateway: None) -> None:
    adapter = plugin().adapter(core)
    assert isinstance(adapter.client, SitrepClient)
    await adapter.start()
    try:
        await adapter.client.wait_until_ready()
        assert adapter.client.user is not None and adapter.client.user.name == "sitrep"
        [guild] = adapter.client.guilds  # from GUILD_CREATE, with its roles
        # A role listed in discord.admin_roles makes its holder an admin in the configured server.
        payload = slash("sitrep", [subcommand("status")], roles=(ADMIN_ROLE,), guild_id=guild.id)
        await fake.dispatch("INTERACTION_CREATE", payload)
        [callback] = await fake.wait_for(lambda r: r.path == callback_path(payload))
        assert "admins only" not in callback.body["data"]["embeds"][0]["title"]
        assert "defense\\-wire" in callback.body["data"]["embeds"][0]["description"]
        whois = slash("whois", [option("name", "Kalinowski")])
        await fake.dispatch("INTERACTION_CREATE", whois)
        [answer] = await fake.wait_for(lambda r: r.path == callback_path(whois))
        assert "Caitlin Kalinowski" in answer.body["data"]["embeds"][0]["title"]
    finally:
        await adapter.stop()
    assert adapter.client.is_closed()
    assert adapter._task is not None and adapter._task.done()
    assert not fake.rejected
    identify = [r for r in fake.requests if r.path == "/users/@me"]
    assert identify and identify[0].headers["Authorization"] == f"Bot {fake.token}"


async def test_sharded_bot_runs_the_recommended_shards(tmp_path: Path, demo_db: Path, fake: FakeDiscord,
                                                       clock: FakeClock, route_base: None) -> None:
    config = config_for(tmp_path, demo_db, fake)
    assert config.discord is not None
    sharded = config.model_copy(update={"discord": config.discord.model_copy(update={"shards": "auto"})})
    core = Sitrep.open(sharded, clock=clock)
    adapter = DiscordAdapter(core)
    assert isinstance(adapter.client, ShardedSitrepClient)

    async def identify_at_once(shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py waits 5 s between shards' IDENTIFYs, as Discord requires; the fake does not."""

    adapter.client.before_identify_hook = identify_at_once  # type: ignore[method-assign]
    await adapter.start()
    try:
        await adapter.client.wait_until_ready()
        assert adapter.client.shard_count == 2  # what GET /gateway/bot recommended
        assert sorted(adapter.client.shards) == [0, 1]
        whois = slash("whois", [option("name", "Kalinowski")])
        await fake.dispatch("INTERACTION_CREATE", whois)
        [answer] = await fake.wait_for(lambda r: r.path == callback_path(whois))
        assert "Caitlin Kalinowski" in answer.body["data"]["embeds"][0]["title"]
    finally:
        await adapter.stop()
        await core.aclose()
    assert any(r.path == "/gateway/bot" for r in fake.requests)


@pytest.mark.parametrize(("shards", "kind", "count"), [
    (None, SitrepClient, None), ("auto", ShardedSitrepClient, None), (3, ShardedSitrepClient, 3)])
async def test_discord_shards_chooses_the_client(shards: object, kind: type, count: int | None,
                                                 route_base: None) -> None:
    client = build_client(DiscordConfig(token="t", shards=shards, api_url="http://127.0.0.1:1/api/v10/"))  # type: ignore[arg-type]
    assert type(client) is kind
    assert getattr(client, "shard_count", None) == count
    assert discord.http.Route.BASE == "http://127.0.0.1:1/api/v10"
    assert client.allowed_mentions is not None
    assert dict(client.allowed_mentions.to_dict()) == {"parse": []}
    assert client.intents.value == discord.Intents(guilds=True).value  # nothing privileged
    # Not logged in, so nothing to close (AutoShardedClient.close() fails before login).


async def test_global_sync_hides_admin_commands_without_admin_roles(tmp_path: Path, demo_db: Path, fake: FakeDiscord,
                                                                    clock: FakeClock, route_base: None) -> None:
    core = Sitrep.open(config_for(tmp_path, demo_db, fake, guilds=[], admin_roles=[], admin_users=[]), clock=clock)
    adapter = DiscordAdapter(core)
    await adapter.client.login(fake.token)
    await adapter.client.close()
    await core.aclose()
    [sync] = [r for r in fake.requests if r.method == "PUT"]
    assert sync.path == f"/applications/{APPLICATION_ID}/commands"
    commands = {c["name"]: c for c in sync.body}
    assert commands["sitrep"]["default_member_permissions"] == discord.Permissions(manage_guild=True).value
    assert commands["whois"]["default_member_permissions"] is None


async def test_a_guild_that_refuses_the_sync_is_logged_not_fatal(core: Sitrep, fake: FakeDiscord,
                                                                caplog: pytest.LogCaptureFixture) -> None:
    fake.script("PUT", r"/applications/\d+/guilds/\d+/commands", 403, {"message": "Missing Access", "code": 50001})
    adapter = DiscordAdapter(core)
    await adapter.client.login(fake.token)
    await adapter.client.close()
    assert "could not sync commands to guild" in caplog.text and "invite-url" in caplog.text


async def test_a_wrong_token_stops_the_start_with_a_clear_error(core: Sitrep, fake: FakeDiscord) -> None:
    fake.token = "another-token"  # the configured one is now wrong
    adapter = DiscordAdapter(core)
    with pytest.raises(SitrepError, match=r"refused discord\.token"):
        await adapter.start()
    assert adapter.client.is_closed()


async def test_an_unreachable_api_stops_the_start_with_a_clear_error(core: Sitrep, fake: FakeDiscord) -> None:
    await fake.close()
    adapter = DiscordAdapter(core)
    with pytest.raises(SitrepError, match="could not log in to Discord"):
        await adapter.start()


def test_the_channel_map_uses_configured_discord_channels(core: Sitrep) -> None:
    adapter = DiscordAdapter(core)
    assert adapter.commands.channels == {str(CHANNEL_ID): "discord-news"}
