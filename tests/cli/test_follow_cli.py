"""`sitrep follow add|list|remove` and `sitrep trending`: the same answers as the chat commands, JSON for programs."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.delivery import direct
from bot.models import Role
from bot.store import Store
from tests.fakes.knowledge import Newsroom, org, person

END = datetime(2026, 4, 30, 18, 0, tzinfo=UTC)


@pytest.fixture
def config(tmp_path: Path) -> list[str]:
    db = tmp_path / "cli.db"
    store = Store.open(f"sqlite:///{db}")
    room = Newsroom(store)
    for n in range(3):
        room.publish(f"Okafor story {n}", END - timedelta(days=n), [
            person("Mira Okafor", "Okafor", roles=[Role("head of hardware", "Vantage Robotics")]),
            org("Vantage Robotics")])
    store.close()
    path = tmp_path / "sitrep.yaml"
    path.write_text(f"storage: {{url: 'sqlite:///{db}'}}\nchannels:\n  - {{name: team, platform: console, "
                    "follows: [Vantage]}\n", encoding="utf-8")
    return ["--config", str(path)]


def test_follow_add_list_remove(config: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*config, "follow", "add", "Okafor"]) == 0
    assert capsys.readouterr().out.startswith("Following Mira Okafor — Vantage Robotics' head of hardware.")
    assert main([*config, "follow", "add", "--user", "slack:U0FAN", "Mira", "Okafor"]) == 0
    assert main([*config, "follow", "add", "--channel", "team", "Okafor"]) == 0
    capsys.readouterr()
    assert main([*config, "follow", "list", "--all", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    me = direct.recipient("console", direct.console_user())
    assert sorted((r["recipient"], r["name"], r["origin"]) for r in rows) == sorted([
        (me, "Mira Okafor", "cli"), ("dm:slack:U0FAN", "Mira Okafor", "cli"),
        ("team", "Vantage Robotics", "config"), ("team", "Mira Okafor", "cli")])
    assert main([*config, "follow", "list"]) == 0
    assert "You follow 1 name:\n  • Mira Okafor (person)" in capsys.readouterr().out
    assert main([*config, "follow", "remove", "okafor"]) == 0
    assert capsys.readouterr().out.strip() == "No longer following Mira Okafor."
    assert main([*config, "follow", "remove", "--channel", "team", "Vantage"]) == 1
    assert "in the config file; remove it there" in capsys.readouterr().err


@pytest.mark.parametrize("args", [["--user", "irc:someone"], ["--user", "slack"], ["--channel", "nope"],
                                  ["--channel", "team", "--user", "slack:U1"]])
def test_a_follower_that_is_not_one_is_a_usage_error(config: list[str], args: list[str]) -> None:
    assert main([*config, "follow", "add", *args, "Okafor"]) == 2


def test_trending_json_contract(config: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main([*config, "trending", "--since", "7d", "--format", "json"]) == 0
    trends = json.loads(capsys.readouterr().out)
    assert sorted(t["name"] for t in trends) == ["Mira Okafor", "Vantage Robotics"]
    for trend in trends:
        assert set(trend) >= {"name", "kind", "mentions", "previous", "change", "by_day"}
        assert trend["mentions"] == 3 and trend["previous"] == 0 and trend["change"] == 3
        assert len(trend["by_day"]) == 14 and sum(trend["by_day"]) == 3
    assert main([*config, "trending", "--since", "30d"]) == 0
    assert "Trending: the 30 days to 2026-04-30" in capsys.readouterr().out
    assert main([*config, "trending", "--since", "fortnight"]) == 2
