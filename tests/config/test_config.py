"""Config loading: typed models, ${VAR} expansion, and errors that name the file, line and key."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import effective_topics
from bot.cli.admin import config_schema
from bot.cli.main import main
from bot.config import load_config, parse_config
from bot.errors import ConfigError, ConfigErrors
from tests.conftest import REPO


def load(text: str, env: dict[str, str] | None = None) -> object:
    return parse_config(text, path=Path("test.yaml"), env=env or {})


def test_minimal_config_gets_the_built_in_topics() -> None:
    config = parse_config("storage: {url: 'sqlite:///x.db'}\nfeeds: [{name: a, url: a.xml}]\n",
                          path=Path("t.yaml"), env={})
    assert config.topics == {}
    assert set(effective_topics(config)) == {"ai-defense"}


def test_durations_sizes_and_defaults() -> None:
    config = parse_config("http: {max_body: 2MB}\nfeeds: [{name: a, url: a.xml, interval: 1h30m}]\n",
                          path=Path("t.yaml"), env={})
    assert config.feeds[0].interval == timedelta(minutes=90)
    assert config.http.max_body == 2_000_000
    assert config.poll.interval == timedelta(minutes=15)


@pytest.mark.parametrize(("text", "line", "key", "words"), [
    ("feeds:\n  - name: a\n    url: a.xml\n    intervall: 5m\n", 4, "feeds[0].intervall", "unknown key"),
    ("feeds:\n  - name: a\n    url: a.xml\n    interval: soon\n", 4, "feeds[0].interval", "not a duration"),
    ("channels:\n  - name: c\n    platform: console\n    schedule: '0 25 * * *'\n", 4, "channels[0].schedule",
     "cron"),
    ("channels:\n  - name: c\n    platform: console\n    timezone: Mars/Olympus\n", 4, "channels[0].timezone",
     "timezone"),
    ("channels:\n  - name: c\n    platform: pager\n", 3, "channels[0].platform", "console"),
    ("feeds:\n  - name: a\n    url: a.xml\n    weight: heavy\n", 4, "feeds[0].weight", "number"),
    ("slack:\n  bot_token: ${SLACK_BOT_TOKEN}\n  app_token: x\n", 2, "slack.bot_token", "SLACK_BOT_TOKEN"),
])
def test_errors_name_file_line_and_key(text: str, line: int, key: str, words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load(text)
    error = caught.value
    assert error.path == "test.yaml"
    assert error.line == line
    assert error.key == key
    assert words.lower() in str(error).lower()
    assert str(error).startswith(f"test.yaml:{line}: {key}:")


def test_all_problems_are_reported_at_once() -> None:
    with pytest.raises(ConfigErrors) as caught:
        load("feeds:\n  - name: a\n    url: a.xml\n    interval: x\n  - name: b\n    url: b\n    full_text: maybe\n")
    assert [e.line for e in caught.value.errors] == [4, 7]


def test_invalid_yaml_names_the_line() -> None:
    with pytest.raises(ConfigError) as caught:
        load("feeds:\n  - name: a\n   url: [\n")
    assert caught.value.line is not None and "YAML" in str(caught.value)


def test_unknown_topic_reference_is_an_error() -> None:
    with pytest.raises(ConfigError) as caught:
        load("feeds:\n  - name: a\n    url: a.xml\n    topics: [space]\n")
    assert caught.value.line == 4 and "space" in str(caught.value)


def test_environment_variables_and_defaults() -> None:
    config = parse_config(
        "slack:\n  bot_token: ${TOKEN}\n  app_token: ${APP:-xapp-default}\n",
        path=Path("t.yaml"), env={"TOKEN": "xoxb-secret"})
    assert config.slack is not None
    assert config.slack.bot_token.get_secret_value() == "xoxb-secret"
    assert config.slack.app_token is not None and config.slack.app_token.get_secret_value() == "xapp-default"
    assert "xoxb-secret" not in repr(config)


def test_plain_text_secret_gets_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        parse_config("slack:\n  bot_token: xoxb-in-the-file\n  app_token: ${APP:-x}\n", path=Path("t.yaml"), env={})
    assert any("slack.bot_token" in r.getMessage() and "${VAR}" in r.getMessage() for r in caplog.records)
    assert not any("xoxb-in-the-file" in r.getMessage() for r in caplog.records)


def test_duplicate_feed_names_are_refused() -> None:
    with pytest.raises(ConfigError, match="used twice"):
        load("feeds:\n  - {name: a, url: a.xml}\n  - {name: a, url: b.xml}\n")


def test_config_check_exits_2_with_the_location(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("feeds:\n  - name: a\n    url: a.xml\n    interval: often\n", encoding="utf-8")
    assert main(["config", "check", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:4: feeds[0].interval:" in err


def test_config_check_accepts_the_shipped_configs(capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("demo.yaml", "sitrep.yaml"):
        assert main(["config", "check", str(REPO / "config" / name)]) == 0, capsys.readouterr().err
        assert "ok" in capsys.readouterr().out


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.yaml")


def test_schema_file_is_current() -> None:
    """config/schema.json is generated from the models: `make schema` after changing them."""
    shipped = json.loads((REPO / "config" / "schema.json").read_text(encoding="utf-8"))
    assert shipped == json.loads(json.dumps(config_schema())), "config/schema.json is stale: run `make schema`"
