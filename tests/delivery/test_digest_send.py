"""`sitrep digest --channel NAME --since all --send` posts through the outbox, like a scheduled digest."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.store import Store
from tests.fakes.stories import add_story
from tests.fakes.webhook_server import Fault, WebhookServer, webhook_server


@pytest.fixture
def server() -> Iterator[WebhookServer]:
    with webhook_server() as running:
        yield running


@pytest.fixture
def setup(tmp_path: Path, server: WebhookServer) -> list[str]:
    database = f"sqlite:///{tmp_path / 'send.db'}"
    config = tmp_path / "sitrep.yaml"
    config.write_text(f"""
storage: {{url: "{database}"}}
channels:
  - {{name: team, platform: discord-webhook, target: "{server.discord_url('1/secret-token')}"}}
  - {{name: ops, platform: slack-webhook, target: "{server.slack_url('T/B/secret-token')}"}}
""", encoding="utf-8")
    store = Store.open(database)
    for i in range(12):
        add_story(store, f"Drone story {i} <!channel> @everyone", now=datetime.now(UTC))
    store.close()
    return ["--config", str(config)]


def test_send_posts_every_part(setup: list[str], server: WebhookServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*setup, "digest", "--channel", "team", "--since", "all", "--send"]) == 0
    assert "1 of 1 message(s) sent" in capsys.readouterr().err  # 10 entries (max_items) and "2 more"
    assert [p.platform for p in server.posts] == ["discord"]
    assert main([*setup, "digest", "--channel", "ops", "--since", "all", "--send"]) == 0
    assert server.posts[-1].platform == "slack"
    assert "<!channel>" not in json.dumps(server.posts[-1].payload)


def test_a_failing_channel_is_reported_and_the_digest_kept(setup: list[str], server: WebhookServer,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    server.fail_next(Fault(404, {"message": "Unknown Webhook", "code": 10015}))
    assert main([*setup, "digest", "--channel", "team", "--since", "all", "--send"]) == 1
    err = capsys.readouterr().err
    assert "0 of 1 message(s) sent" in err and "webhook was deleted" in err and "secret-token" not in err
    assert main([*setup, "feeds"]) == 0
    out = capsys.readouterr().out
    assert "team" in out and "failing" in out and "webhook was deleted" in out and "1 message(s) waiting" in out


@pytest.mark.parametrize("fmt", ["slack", "discord", "json"])
def test_formats_print_valid_payloads(setup: list[str], fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main([*setup, "digest", "--channel", "team", "--since", "all", "--format", fmt]) == 0
    data = json.loads(capsys.readouterr().out)
    if fmt == "json":
        assert len(data["entries"]) == 10 and data["more"] == 2
    else:
        from tests.fakes.limits import discord_problems, slack_problems

        check = slack_problems if fmt == "slack" else discord_problems
        assert data and all(check(message) == [] for message in data)
