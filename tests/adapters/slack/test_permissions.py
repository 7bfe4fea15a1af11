"""Every admin command through Slack's real request path (signed HTTP requests to the adapter, the
fake Slack Web API answering user-group lookups): refused to members, accepted for listed users and
user-group members, and refused when Slack cannot say who is in the group (fail closed)."""

from __future__ import annotations

import pytest

from tests.adapters.slack.conftest import SlackClient, texts
from tests.fakes.admin_commands import (
    ADMIN_COMMANDS,
    ANSWERED,
    CHANNEL_ERROR,
    FEED_ERROR,
    IDS,
    REFUSED,
    AdminCommand,
    operator_details,
)


@pytest.mark.parametrize("command", ADMIN_COMMANDS, ids=IDS)
async def test_members_are_refused_every_admin_command(slack: SlackClient, command: AdminCommand) -> None:
    feeds = [f.name for f in slack.adapter.core.store.feeds.all()]
    for typed in command.spellings()[:3]:  # Slack sends `/sitrep` and the rest as text
        rest = typed.strip().split(None, 1)[1]
        answer = (await slack.command("/sitrep", rest, user="U0MEMBER")).json()
        assert REFUSED in texts(answer), (rest, texts(answer))
    assert [f.name for f in slack.adapter.core.store.feeds.all()] == feeds


@pytest.mark.parametrize("command", ADMIN_COMMANDS, ids=IDS)
@pytest.mark.parametrize("user", ["U0ADMIN", "U0GROUPADMIN"], ids=["listed", "group-member"])
async def test_admins_are_accepted(slack: SlackClient, command: AdminCommand, user: str) -> None:
    answer = texts((await slack.command("/sitrep", f"{command.name} {command.args}", user=user)).json())
    assert REFUSED not in answer
    expected = ANSWERED[command.name]  # an answer from the command itself
    assert expected in answer, answer


async def test_a_group_slack_cannot_list_grants_nothing(slack: SlackClient) -> None:
    slack.fake.fail_next("usergroups.users.list", "ratelimited", status=429, retry_after=1)
    answer = texts((await slack.command("/sitrep", "status", user="U0GROUPADMIN")).json())
    assert REFUSED in answer


async def test_members_get_feed_names_and_states_admins_the_errors(slack: SlackClient) -> None:
    """/feeds is open to everyone; what only /sitrep status should tell (feed and delivery errors) is
    for admins, and a share posts the members' view whoever presses it."""
    operator_details(slack.adapter.core)
    member = texts((await slack.command("/feeds", user="U0MEMBER")).json())
    assert "defense-wire" in member and "failing" in member
    assert FEED_ERROR not in member and CHANNEL_ERROR not in member
    for user in ("U0ADMIN", "U0GROUPADMIN"):
        admin = texts((await slack.command("/feeds", user=user)).json())
        assert FEED_ERROR in admin and CHANNEL_ERROR in admin, user
    await slack.press_share("/feeds", user="U0ADMIN")
    posted = await slack.fake.next_response()
    assert posted.body["response_type"] == "in_channel"
    assert "defense-wire" in texts(posted.body) and FEED_ERROR not in texts(posted.body)
    await slack.fake.next_response()  # the private copy is removed
