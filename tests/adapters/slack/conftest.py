"""Fixtures for the Slack adapter tests: the fake Slack, a store filled from the demo feeds, a
running adapter in HTTP mode, and a client that signs requests the way Slack does."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from adapters.slack.adapter import SlackAdapter
from bot.app import Sitrep
from bot.config import load_config
from bot.config.settings import SlackConfig
from tests.conftest import REPO
from tests.fakes.slack_api import FakeSlack, action_body, signed_headers, slash_body

SECRET = "test-signing-secret"
DEMO = REPO / "config" / "demo.yaml"


def slack_config(fake: FakeSlack, **overrides: Any) -> SlackConfig:
    values: dict[str, Any] = {"mode": "http", "bot_token": fake.bot_token, "signing_secret": SECRET,
                              "host": "127.0.0.1", "port": 0, "api_url": fake.api_url}
    values.update(overrides)
    return SlackConfig.model_validate(values)


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = await FakeSlack(groups={"S0ADMINS": ["U0GROUPADMIN"]}).start()
    yield fake
    await fake.stop()


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database filled by polling the demo feeds once (the whole pipeline, NLP included)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('slack-demo') / 'demo.db'}"

    async def poll() -> None:
        core = Sitrep.open(load_config(DEMO, env={"SITREP_DEMO_DB": url}))
        try:
            await core.poll()
        finally:
            await core.aclose()

    asyncio.run(poll())
    yield url


@pytest.fixture
async def demo_core(demo_db: str) -> AsyncIterator[Sitrep]:
    core = Sitrep.open(load_config(DEMO, env={"SITREP_DEMO_DB": demo_db}))
    yield core
    await core.aclose()


@dataclass
class SlackClient:
    """Sends requests to the adapter's /slack/events as Slack would, signed with the clock's time."""

    adapter: SlackAdapter
    fake: FakeSlack
    http: httpx.AsyncClient

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.adapter.port}/slack/events"

    def now(self) -> int:
        return int(self.adapter.clock.now().timestamp())

    async def post(self, body: str, *, timestamp: int | None = None, secret: str = SECRET,
                   headers: dict[str, str] | None = None) -> httpx.Response:
        sent = signed_headers(secret, body, self.now() if timestamp is None else timestamp)
        if headers is not None:
            sent = headers
        return await self.http.post(self.url, content=body.encode(), headers=sent)

    async def command(self, command: str, text: str = "", *, user: str = "U0ASKER", channel: str = "C0CHAT",
                      key: str | None = None) -> httpx.Response:
        body = slash_body(command, text, user=user, channel=channel, response_url=self.fake.response_url(key))
        return await self.post(body)

    async def press_share(self, value: str, *, user: str = "U0ASKER", key: str = "share") -> httpx.Response:
        return await self.post(action_body(value, user=user, response_url=self.fake.response_url(key)))


@pytest.fixture
async def slack(demo_core: Sitrep, fake_slack: FakeSlack) -> AsyncIterator[SlackClient]:
    adapter = SlackAdapter(demo_core, config=slack_config(fake_slack, admins=["U0ADMIN", "S0ADMINS"]))
    await adapter.start()
    async with httpx.AsyncClient(timeout=30) as http:
        yield SlackClient(adapter, fake_slack, http)
    await adapter.stop()


def texts(message: dict[str, Any]) -> str:
    """Every piece of text in a Block Kit message, for assertions about what the user reads."""
    found: list[str] = [str(message.get("text", ""))]

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "text" and isinstance(item, str):
                    found.append(item)
                else:
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(message.get("blocks", []))
    return "\n".join(found)
