"""Fixtures for the Discord adapter: the fake Discord, a core over the polled demo stories, and
the bot's client logged in to the fake."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import discord
import pytest

from bot.app import Sitrep
from bot.cli.main import main
from bot.clock import FakeClock
from bot.config import Config
from tests.conftest import REPO, make_config
from tests.fakes.discord_api import CHANNEL_ID, GUILD_ID, FakeDiscord, guild, role
from tests.fakes.feed_site import feed_site as serve_feed_site

ADMIN_ROLE = 785609923542777878  # listed in discord.admin_roles (by ID, the only way)
NAMED_ROLE = 785609923542777001  # named like a role an operator might have listed by name: "Sitrep Editors"
OTHER_ROLE = 785609923542777002
ADMIN_USER = 80351110224678912  # listed in discord.admin_users
OTHER_GUILD = 613425648685547541  # a server the bot was invited to that the config does not list
AFTER_DEMO = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)  # the demo stories are from early March 2026


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo feeds polled once (spaCy and all); each test works on its own copy."""
    path = tmp_path_factory.mktemp("discord-demo") / "demo.db"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SITREP_DEMO_DB", f"sqlite:///{path}")
        assert main(["--config", str(REPO / "config" / "demo.yaml"), "poll"]) == 0
    return path


def discord_yaml(db: Path, api_url: str, *, guilds: list[int] | None = None,
                 admin_roles: list[int] | None = None, admin_users: list[int] | None = None) -> str:
    feeds = "\n".join(f"  - name: {name}\n    url: {REPO / 'config' / 'demo-feeds' / file}" for name, file in [
        ("defense-wire", "defense-wire.xml"), ("tech-policy", "tech-policy.atom"),
        ("ai-monitor", "ai-monitor.xml"), ("metro-gazette", "metro-gazette.rdf")])
    roles = admin_roles if admin_roles is not None else [ADMIN_ROLE]
    users = admin_users if admin_users is not None else [ADMIN_USER]
    return f"""
storage:
  url: sqlite:///{db}
http:
  allow_private_addresses: true  # the feeds subscribed to in tests are on loopback
feeds:
{feeds}
channels:
  - name: discord-news
    platform: discord
    target: "{CHANNEL_ID}"
    max_items: 5
discord:
  token: ${{DISCORD_TOKEN}}
  application_id: 775799577604522054
  api_url: {api_url}
  guilds: {guilds if guilds is not None else [GUILD_ID]}
  admin_roles: {roles!r}
  admin_users: {users!r}
logging:
  level: WARNING
"""


def config_for(tmp_path: Path, demo_db: Path, fake: FakeDiscord, **options: object) -> Config:
    db = tmp_path / "sitrep.db"
    if not db.exists():
        shutil.copy(demo_db, db)
    return make_config(discord_yaml(db, fake.api_url, **options), tmp_path,  # type: ignore[arg-type]
                       env={"DISCORD_TOKEN": fake.token})


@pytest.fixture
def route_base(monkeypatch: pytest.MonkeyPatch) -> None:
    """The client sets discord.py's process-wide REST base; put it back after each test."""
    monkeypatch.setattr(discord.http.Route, "BASE", discord.http.Route.BASE)


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord(guilds=[guild(GUILD_ID, channels=(CHANNEL_ID,), roles=[
        role(ADMIN_ROLE, "moderators"), role(NAMED_ROLE, "Sitrep Editors"), role(OTHER_ROLE, "readers")])])
    await server.start()
    server.channels[str(CHANNEL_ID)] = "ok"
    yield server
    await server.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(AFTER_DEMO)


@pytest.fixture
async def core(tmp_path: Path, demo_db: Path, fake: FakeDiscord, clock: FakeClock,
               route_base: None) -> AsyncIterator[Sitrep]:
    sitrep = Sitrep.open(config_for(tmp_path, demo_db, fake), clock=clock)
    yield sitrep
    await sitrep.aclose()


@pytest.fixture
async def feed_site() -> AsyncIterator[str]:
    """A loopback feed to subscribe to: /sitrep subscribe fetches and parses a feed before storing it."""
    async with serve_feed_site() as url:
        yield url
