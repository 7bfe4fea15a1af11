"""`sitrep discord invite-url`: the scopes and the smallest permission integer the bot works with."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from adapters.discord.invite import invite_url, lookup_application_id, permissions
from bot.cli.main import main
from bot.config.settings import DiscordConfig
from bot.errors import SitrepError
from tests.conftest import make_config
from tests.fakes.discord_api import APPLICATION_ID, TOKEN, FakeDiscord

# Discord's permission bits (developers/topics/permissions), restated rather than taken from discord.py.
VIEW_CHANNEL, SEND_MESSAGES, EMBED_LINKS = 1 << 10, 1 << 11, 1 << 14
ADMINISTRATOR, MANAGE_GUILD, READ_MESSAGE_HISTORY, MENTION_EVERYONE = 1 << 3, 1 << 5, 1 << 16, 1 << 17


def query(url: str) -> dict[str, list[str]]:
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "discord.com", "/oauth2/authorize")
    return parse_qs(parts.query)


def test_the_permission_integer_is_the_least_the_bot_needs() -> None:
    assert permissions().value == VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS == 19456
    for needless in (ADMINISTRATOR, MANAGE_GUILD, READ_MESSAGE_HISTORY, MENTION_EVERYONE):
        assert not permissions().value & needless


def test_the_invite_asks_for_the_bot_and_its_commands() -> None:
    found = query(invite_url(APPLICATION_ID))
    assert found == {"client_id": [str(APPLICATION_ID)], "scope": ["bot applications.commands"],
                     "permissions": ["19456"]}
    preselected = query(invite_url(APPLICATION_ID, guild_id=290926798626357999))
    assert preselected["guild_id"] == ["290926798626357999"]
    assert preselected["disable_guild_select"] == ["true"]


def test_the_cli_works_offline_with_a_client_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nowhere.yaml"  # no config needed when the ID is given
    assert main(["--config", str(missing), "discord", "invite-url", "--client-id", str(APPLICATION_ID)]) == 0
    out, err = capsys.readouterr()
    assert query(out.strip())["permissions"] == ["19456"]
    assert "View Channels, Send Messages, Embed Links" in err


def test_the_cli_takes_the_id_from_the_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = make_config("discord:\n  token: ${DISCORD_TOKEN}\n  application_id: 42\n"
                         "  api_url: http://127.0.0.1:9/api/v10\n", tmp_path, env={"DISCORD_TOKEN": "t"})
    assert config.source is not None
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DISCORD_TOKEN", "t")
        assert main(["--config", str(config.source), "discord", "invite-url"]) == 0
    assert query(capsys.readouterr().out.strip())["client_id"] == ["42"]


def test_the_cli_says_what_is_missing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = make_config("feeds: []\n", tmp_path)
    assert config.source is not None
    assert main(["--config", str(config.source), "discord", "invite-url"]) == 2
    assert "no --client-id" in capsys.readouterr().err


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = await FakeDiscord().start()
    yield server
    await server.close()


async def test_the_id_is_looked_up_with_the_token(fake: FakeDiscord, tmp_path: Path) -> None:
    config = DiscordConfig(token=TOKEN, api_url=fake.api_url)  # type: ignore[arg-type]
    assert await lookup_application_id(config) == APPLICATION_ID
    path = tmp_path / "sitrep.yaml"
    path.write_text(f"discord:\n  token: ${{DISCORD_TOKEN}}\n  api_url: {fake.api_url}\n", encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DISCORD_TOKEN", TOKEN)
        # The CLI runs its own event loop: give it a thread, while this loop serves the fake.
        code = await asyncio.to_thread(main, ["--config", str(path), "discord", "invite-url"])
    assert code == 0
    assert [r.path for r in fake.requests] == ["/oauth2/applications/@me", "/oauth2/applications/@me"]


async def test_a_wrong_token_or_no_api_is_a_clear_error(fake: FakeDiscord) -> None:
    with pytest.raises(SitrepError, match="refused"):
        await lookup_application_id(DiscordConfig(token="wrong", api_url=fake.api_url))  # type: ignore[arg-type]
    await fake.close()
    with pytest.raises(SitrepError, match="--client-id"):
        await lookup_application_id(DiscordConfig(token=TOKEN, api_url=fake.api_url))  # type: ignore[arg-type]
