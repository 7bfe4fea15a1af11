"""Admins: listed users, members of listed user groups (cached briefly), and failing closed."""

from __future__ import annotations

import socket
from datetime import timedelta

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.admins import GROUP_TTL, AdminDirectory
from bot.clock import FakeClock
from tests.fakes.slack_api import FakeSlack


def directory(fake: FakeSlack, admins: list[str], clock: FakeClock) -> AdminDirectory:
    return AdminDirectory(admins, client=AsyncWebClient(token=fake.bot_token, base_url=fake.api_url), clock=clock)


async def test_listed_users_and_group_members_are_admins(fake_slack: FakeSlack, clock: FakeClock) -> None:
    admins = directory(fake_slack, ["U0ADMIN", "W0GRID", "S0ADMINS"], clock)
    assert await admins.is_admin("U0ADMIN") and await admins.is_admin("W0GRID")
    assert not fake_slack.calls  # a listed user needs no lookup
    assert await admins.is_admin("U0GROUPADMIN")
    assert not await admins.is_admin("U0SOMEONE")
    assert [c.params["usergroup"] for c in fake_slack.called("usergroups.users.list")] == ["S0ADMINS"]


async def test_group_members_are_cached_for_a_while(fake_slack: FakeSlack, clock: FakeClock) -> None:
    admins = directory(fake_slack, ["S0ADMINS"], clock)
    assert await admins.is_admin("U0GROUPADMIN")
    fake_slack.groups["S0ADMINS"] = ["U0NEWADMIN"]
    clock.advance(GROUP_TTL - timedelta(seconds=1))
    assert await admins.is_admin("U0GROUPADMIN")  # still cached
    assert len(fake_slack.called("usergroups.users.list")) == 1
    clock.advance(timedelta(seconds=2))
    assert not await admins.is_admin("U0GROUPADMIN")  # removed from the group: takes effect after the TTL
    assert await admins.is_admin("U0NEWADMIN")
    assert len(fake_slack.called("usergroups.users.list")) == 2


async def test_admin_rights_fail_closed(fake_slack: FakeSlack, clock: FakeClock) -> None:
    fake_slack.fail_next("usergroups.users.list", "missing_scope")
    admins = directory(fake_slack, ["S0ADMINS"], clock)
    assert not await admins.is_admin("U0GROUPADMIN")
    assert not await directory(fake_slack, ["S0UNKNOWN"], clock).is_admin("U0GROUPADMIN")

    with socket.socket() as probe:  # a port nobody listens on: Slack unreachable
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    unreachable = AdminDirectory(["S0ADMINS"], clock=clock, client=AsyncWebClient(
        token=fake_slack.bot_token, base_url=f"http://127.0.0.1:{port}/api/", retry_handlers=[]))
    assert not await unreachable.is_admin("U0GROUPADMIN")
