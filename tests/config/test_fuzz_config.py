"""Fuzzing the config loader: random YAML documents, random text and mutated valid configs.

Whatever the file holds, loading it either gives a usable Config (one the topic rules compile from)
or raises sitrep's own ConfigError naming the file (and the line and key where there is one);
`sitrep config check` then exits 2 with that message, never with a traceback.
"""

from __future__ import annotations

import io
import logging
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.app import effective_topics
from bot.cli.main import main
from bot.config import parse_config
from bot.config.settings import Config
from bot.errors import ConfigError
from bot.ingest.topics import TopicFilter

PATH = Path("fuzz.yaml")
WHOLE_FILE = ("larger than", "not valid YAML: nested too deeply", "not valid YAML: a merge or alias")
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

VALID = """\
storage:
  url: sqlite:///fuzz.db
http:
  max_body: 2MB
  read_timeout: 20s
poll:
  interval: 15m
  backfill: {items: 3, max_age: 2d}
feeds:
  - name: wire
    url: https://wire.example/feed.xml
    interval: 1h30m
    topics: [autonomy]
    full_text: auto
    weight: 1.5
topics:
  autonomy:
    all: [[autonomous, uncrewed], [drone, drones]]
    any: [AI, "/swarms?/"]
    none: [model aircraft]
    ignore: [drone bees]
channels:
  - name: team
    platform: slack
    target: ${SLACK_CHANNEL:-C0TEAM}
    schedule: "0 8 * * 1-5"
    timezone: America/New_York
    quiet_hours: "22:00-07:00"
    max_items: 10
    alert_topics: [autonomy]
slack:
  mode: http
  bot_token: ${SLACK_BOT_TOKEN:-xoxb-fuzz}
  signing_secret: ${SLACK_SIGNING_SECRET:-fuzz}
  admins: [U0ADMIN, S0GROUP]
discord:
  token: ${DISCORD_TOKEN:-fuzz}
  guilds: [1]
  admin_roles: [42]
  admin_users: ["80351110224678912"]
logging:
  level: INFO
"""

_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["15m", "1h30m", "-5m", "0", "10MB", "0 8 * * *", "99 99 * * *", "Mars/Olympus", "UTC",
                     "https://x.example/", "file:///etc/passwd", "${UNSET}", "${A:-b}", "${", "/(/", "/a{99999}/",
                     "/[/", "//", "/x/", "22:00-07:00", "25:00-01:00", "xoxb-1", "socket", "http", "auto",
                     "slack", "discord", "console", "slack-webhook", "discord-webhook", "", " "]),
)
_KEYS = st.sampled_from([
    "storage", "http", "poll", "nlp", "feeds", "topics", "channels", "slack", "discord", "server", "logging",
    "url", "name", "interval", "all", "any", "none", "ignore", "fields", "platform", "target", "schedule",
    "timezone", "mode", "bot_token", "app_token", "signing_secret", "token", "max_body", "admins", "guilds",
    "admin_roles", "quiet_hours", "max_items", "backfill", "items", "max_age", "level", "json", "shards",
    "weight", "full_text", "enabled", "alert_topics", "alert_limit", "model", "summarizer", "max_facts"])
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.one_of(_KEYS, st.text(max_size=8)), inner, max_size=4)),
    max_leaves=20)
_DOCUMENTS = st.dictionaries(_KEYS, _VALUES, max_size=6)
_FRAGMENTS = st.sampled_from([
    ":", "- ", "  ", "\n", "{", "}", "[", "]", "&a ", "*a", "<<: *a", "!!python/object:os.system", "!!binary",
    "? ", "|", ">", "'", '"', "#", "%YAML 1.2\n", "---\n", "...\n", "\t", "\x00", "\ufeff", "key: ", "feeds:",
    "!!set {a}", "!!omap [a: 1]", "2001-02-03", "0x1F", "~", ".inf", "- [", "${X}"])


def _check(text: str) -> Config | None:
    """The property: a Config that runs, or a ConfigError that says where."""
    try:
        config = parse_config(text, path=PATH, env={"SLACK_BOT_TOKEN": "xoxb-env"})
    except ConfigError as raised:
        for error in getattr(raised, "errors", [raised]):
            assert error.path == str(PATH) and error.message and str(error).startswith(str(PATH))
            # Every error points at a line, but those about the file as a whole.
            assert error.line is not None or error.message.startswith(WHOLE_FILE), error
        return None
    TopicFilter(effective_topics(config))  # whatever validates must also compile and run
    return config


@SETTINGS
@given(_DOCUMENTS)
@example({"topics": {"t": {"any": ["/(/"]}}})  # an invalid regex once passed the check and crashed at start
@example({"topics": {"t": {"any": ["/a{99999}/"]}}})  # a repetition RE2 refuses
@example({"feeds": [{"name": "a", "url": "a.xml", "interval": float("inf")}]})
@example({"feeds": [{"name": "a", "url": "a.xml", "interval": 10**30}]})
@example({"feeds": [{"name": "a", "url": "a.xml", "interval": "99999999999w"}]})
@example({"http": {"max_body": "1e400"}})
@example({"channels": [{"name": "c", "platform": "console", "quiet_hours": "1:00-1:00"}]})
@example({"storage": {"retention": float("nan")}})
def test_random_documents(document: dict[str, Any]) -> None:
    _check(yaml.safe_dump(document, allow_unicode=True))


@SETTINGS
@given(st.lists(st.one_of(_FRAGMENTS, st.text(max_size=10)), max_size=30).map("".join))
@example("a: &x [*x]")  # a recursive alias
@example("!!python/object/apply:os.system ['echo pwned']")
@example("feeds: !!binary aGVsbG8=")
@example("? [a]\n: b")
@example("\ufeff\x00")
@example("feeds: []\nx: \x85\x1b")  # a control character: ReaderError had no line, and printed a number
def test_random_text(text: str) -> None:
    _check(text)


def _mutate(data: Any, path: list[Any], value: Any) -> Any:
    """`data` with the node at `path` (indices taken modulo the size) replaced by `value`."""
    if not path or not isinstance(data, dict | list) or not data:
        return value
    if isinstance(data, dict):
        key = list(data)[path[0] % len(data)]
        return {**data, key: _mutate(data[key], path[1:], value)}
    index = path[0] % len(data)
    return [*data[:index], _mutate(data[index], path[1:], value), *data[index + 1:]]


@SETTINGS
@given(st.lists(st.integers(0, 50), min_size=1, max_size=5), _VALUES)
@example([4, 0, 0], "-1s")  # feeds[0].interval
@example([5, 0, 0], ["/(?P<x>/"])
@example([6, 0, 3], None)  # a channel's target removed
def test_mutated_valid_configs(path: list[int], value: Any) -> None:
    base = yaml.safe_load(VALID)
    _check(yaml.safe_dump(_mutate(base, path, value), allow_unicode=True))


@SETTINGS
@given(st.integers(0, len(VALID)), st.integers(0, 40), st.one_of(_FRAGMENTS, st.text(max_size=8)))
def test_mutated_valid_text(at: int, cut: int, insert: str) -> None:
    _check(VALID[:at] + insert + VALID[at + cut:])


def test_the_base_config_is_valid() -> None:
    assert _check(VALID) is not None


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(_DOCUMENTS.map(lambda d: yaml.safe_dump(d, allow_unicode=True)),
                 st.lists(st.one_of(_FRAGMENTS, st.text(max_size=10)), max_size=20).map("".join)))
@example("topics: {t: {any: ['/(/']}}\n")
def test_config_check_exits_0_or_2_without_a_traceback(tmp_path: Path, text: str) -> None:
    path = tmp_path / "fuzz.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["--config", str(path), "config", "check", str(path)])
    logging.getLogger().handlers.clear()  # main() installed a handler on the (now closed) StringIO
    assert code in (0, 2), err.getvalue()
    assert "Traceback" not in out.getvalue() + err.getvalue()
    if code == 2:
        assert str(path) in err.getvalue()


@pytest.mark.parametrize("pattern", ["/(/", "/[a-/", "/a{2,1}/", "/((a{100}){100}){100}/", "/\\/"])
def test_a_bad_regex_is_a_config_error_with_its_line(pattern: str) -> None:
    text = f"topics:\n  t:\n    any:\n      - '{pattern}'\n"
    with pytest.raises(ConfigError) as raised:
        parse_config(text, path=PATH, env={})
    assert raised.value.line == 4 and raised.value.key is not None and "topics.t.any" in raised.value.key
