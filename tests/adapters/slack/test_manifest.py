"""The app manifest matches the adapter: the same commands, and exactly the scopes its Web API calls need."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
import yaml
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.adapter import SlackAdapter
from adapters.slack.commands import COMMANDS
from bot.app import Sitrep
from bot.clock import FakeClock
from bot.store import Store
from tests.adapters.slack.conftest import slack_config
from tests.conftest import REPO, make_config
from tests.fakes.slack_api import FakeSlack, slash_body

MANIFEST = REPO / "deploy" / "slack" / "manifest.yaml"
ADAPTER = REPO / "adapters" / "slack"

# The bot scopes each Web API method needs (docs.slack.dev/reference/methods). A new call in the
# adapter fails the test below until its scopes are written here and in the manifest.
SCOPES: dict[str, set[str]] = {
    "auth_test": set(),
    "chat_postMessage": {"chat:write"},
    "conversations_history": {"channels:history", "groups:history", "im:history"},
    "conversations_open": {"im:write"},
    "usergroups_users_list": {"usergroups:read"},
}


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    return data


def web_api_calls() -> set[str]:
    """Every AsyncWebClient method the adapter's code calls (`client.chat_postMessage(...)` and so on)."""
    methods = {name for name in vars(AsyncWebClient) if not name.startswith("_")}
    found: set[str] = set()
    for path in ADAPTER.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in methods:
                found.add(node.func.attr)
    return found


def test_the_manifest_has_the_commands_the_adapter_registers(manifest: dict[str, Any]) -> None:
    commands = [c["command"] for c in manifest["features"]["slash_commands"]]
    assert sorted(commands) == sorted(COMMANDS)
    for command in manifest["features"]["slash_commands"]:
        assert command["should_escape"] is False  # from_slack_text copes either way; raw text reads best
        assert len(command["description"]) <= 100


def test_the_scopes_cover_every_call_and_nothing_more(manifest: dict[str, Any]) -> None:
    calls = web_api_calls()
    assert {"chat_postMessage", "usergroups_users_list", "auth_test"} <= calls  # the scan sees the calls
    unknown = calls - set(SCOPES)
    assert not unknown, f"the adapter calls {sorted(unknown)}: add their scopes to SCOPES and the manifest"
    needed = {"commands"}.union(*(SCOPES[c] for c in calls))
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == needed


def test_socket_mode_and_interactivity_are_on(manifest: dict[str, Any]) -> None:
    settings = manifest["settings"]
    assert settings["socket_mode_enabled"] is True
    assert settings["interactivity"]["is_enabled"] is True
    assert manifest["features"]["bot_user"]["display_name"]
    assert len(manifest["display_information"]["description"]) <= 140


async def test_every_manifest_command_is_answered_and_others_are_not(
        manifest: dict[str, Any], fake_slack: FakeSlack, store: Store, tmp_path: Path) -> None:
    core = Sitrep(config=make_config("feeds: []\n", tmp_path), store=store, clock=FakeClock())
    adapter = SlackAdapter(core, config=slack_config(fake_slack))
    try:
        for command in [c["command"] for c in manifest["features"]["slash_commands"]]:
            response = await adapter.app.async_dispatch(AsyncBoltRequest(body=slash_body(command, "")))
            assert response.status == 200 and response.body, command
        unknown = await adapter.app.async_dispatch(AsyncBoltRequest(body=slash_body("/unknown", "")))
        assert unknown.status == 404
    finally:
        await adapter.stop()
        await core.aclose()
