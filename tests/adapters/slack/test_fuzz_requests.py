"""Fuzzing Slack's HTTP mode: correctly signed requests with random command text, users, share
values and raw bodies. The adapter answers each with a status below 500 and, for commands, an
answer Slack would accept that pings nobody; the server keeps serving."""

from __future__ import annotations

from urllib.parse import urlencode

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from adapters.slack.commands import COMMANDS
from adapters.slack.interactive import without_share_button
from tests.adapters.slack.conftest import SlackClient
from tests.fakes.digests import HOSTILE
from tests.fakes.limits import slack_hazards, slack_problems
from tests.fakes.slack_api import action_body, slash_body

SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
TEXT = st.one_of(st.text(max_size=80), st.sampled_from([*HOSTILE, "status", "subscribe <http://127.0.0.1/>",
                                                         "<@U0ADMIN|admin> status", "x" * 3000, "&amp;&lt;!here&gt;"]))


@SETTINGS
@given(st.sampled_from(COMMANDS), TEXT, st.sampled_from(["U0ASKER", "U0ADMIN", "", "W0GRID", "<!channel>"]))
@example("/whois", "<!channel> @everyone", "U0ASKER")
@example("/sitrep", "subscribe <http://169.254.169.254/|news>", "U0ADMIN")
async def test_any_signed_command_gets_a_valid_answer(slack: SlackClient, command: str, text: str, user: str) -> None:
    response = await slack.command(command, text, user=user)
    assert response.status_code == 200, response.text
    if response.content:
        answer = without_share_button(response.json())  # the button is sitrep's own block
        assert len(response.json()["blocks"]) <= 50
        assert slack_problems(answer) == [] and slack_hazards(answer) == [], answer


@SETTINGS
@given(TEXT, st.sampled_from(["sitrep_share", "other_action", ""]))
async def test_any_share_value_is_handled(slack: SlackClient, value: str, action: str) -> None:
    response = await slack.post(action_body(value, user="U0ASKER", response_url=slack.fake.response_url("x"),
                                            action_id=action))
    assert response.status_code < 500


@SETTINGS
@given(st.one_of(st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
                 st.dictionaries(st.sampled_from(["command", "text", "user_id", "payload", "type", "ssl_check"]),
                                 st.text(max_size=40), max_size=4).map(urlencode)))
@example("payload=%7B%22type%22%3A%22block_actions%22%7D")
@example("payload=not-json")  # Bolt raised JSONDecodeError: a 500 with a traceback
@example("command=&text=&payload=true")  # JSON that is not an object: Bolt raised AttributeError
@example("payload=%5B%5D")
@example("payload=null")
@example("command=%2Fwhois")
async def test_any_signed_body_is_refused_or_answered_without_a_crash(slack: SlackClient, body: str) -> None:
    response = await slack.post(body)
    assert response.status_code < 500, response.text
    health = await slack.http.get(slack.url.replace("/slack/events", "/healthz"))
    assert health.status_code == 200


async def test_the_examples_reach_the_core(slack: SlackClient) -> None:
    """The fuzz above is only worth something if signed commands are answered by sitrep itself."""
    answer = (await slack.command("/whois", "Kalinowski")).json()
    assert "Caitlin Kalinowski" in str(answer)
    assert slash_body("/whois", "x")  # the helper the fuzz uses builds Slack's form fields
