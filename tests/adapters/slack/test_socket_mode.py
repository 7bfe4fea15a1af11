"""Socket Mode end to end: the adapter opens a WebSocket to the fake Slack and answers over it."""

from __future__ import annotations

from urllib.parse import parse_qsl

from adapters.slack.adapter import SlackAdapter
from bot.app import Sitrep
from tests.adapters.slack.conftest import slack_config, texts
from tests.fakes.slack_api import FakeSlack, slash_body


async def test_socket_mode_answers_whois_over_the_websocket(demo_core: Sitrep, fake_slack: FakeSlack) -> None:
    config = slack_config(fake_slack, mode="socket", app_token=fake_slack.app_token, signing_secret=None)
    adapter = SlackAdapter(demo_core, config=config)
    await adapter.start()
    try:
        [opened] = fake_slack.called("apps.connections.open")
        assert opened.token == fake_slack.app_token  # the app-level token opens the socket, not the bot token
        payload = dict(parse_qsl(slash_body("/whois", "Kalinowski", response_url=fake_slack.response_url())))
        ack = await fake_slack.socket_request("slash_commands", payload)
        said = texts(ack["payload"])
        assert "Caitlin Kalinowski" in said and "head of robotics" in said
        assert ack["payload"]["response_type"] == "ephemeral"
    finally:
        await adapter.stop()
    assert adapter.socket is None
