"""HTTP mode end to end: signed requests on the real server, answers as Block Kit, through a fake Slack."""

from __future__ import annotations

import asyncio
import json

from tests.adapters.slack.conftest import SlackClient, texts
from tests.fakes.slack_api import slash_body


async def test_whois_kalinowski_is_answered_with_her_name_and_role(slack: SlackClient) -> None:
    response = await slack.command("/whois", "Kalinowski")
    assert response.status_code == 200
    answer = response.json()
    assert answer["response_type"] == "ephemeral"
    said = texts(answer)
    assert "Caitlin Kalinowski" in said
    assert "head of robotics" in said and "OpenAI" in said
    assert any(b["type"] == "actions" and b["elements"][0]["action_id"] == "sitrep_share" for b in answer["blocks"])
    assert answer["blocks"][-1]["elements"][0]["value"] == "/whois Kalinowski"


async def test_every_command_answers(slack: SlackClient) -> None:
    for command, text, expected in (("/news", "drones", "drones"), ("/digest", "", "Pentagon"),
                                    ("/feeds", "", "defense-wire"), ("/sitrep", "help", "/whois NAME"),
                                    ("/sitrep", "", "/whois NAME"), ("/whois", "", "Whom should I look up"),
                                    ("/whois", "Zzyzx Quellington", "Nobody called"),
                                    ("/sitrep", "bogus", "Unknown command /bogus")):
        response = await slack.command(command, text)
        assert response.status_code == 200, (command, text)
        assert expected in texts(response.json()), (command, text, response.text[:500])


async def test_errors_and_help_have_no_share_button(slack: SlackClient) -> None:
    for command, text in (("/whois", ""), ("/sitrep", "help"), ("/sitrep", "status")):
        answer = (await slack.command(command, text)).json()
        assert "sitrep_share" not in json.dumps(answer), (command, text)


async def test_admin_commands_are_refused_politely_to_others(slack: SlackClient) -> None:
    for text in ("status", "subscribe https://example.com/feed.xml", "unsubscribe defense-wire"):
        answer = (await slack.command("/sitrep", text, user="U0SOMEONE")).json()
        assert "Sorry" in texts(answer) and "admins only" in texts(answer)
    assert slack.fake.called("usergroups.users.list")  # the group was asked before refusing


async def test_admins_by_id_and_by_group_may_run_admin_commands(slack: SlackClient) -> None:
    for user in ("U0ADMIN", "U0GROUPADMIN"):
        answer = (await slack.command("/sitrep", "status", user=user)).json()
        assert "defense-wire" in texts(answer), user
    denied = (await slack.command("/sitrep", "unsubscribe defense-wire", user="U0ADMIN")).json()
    assert "comes from the config file" in texts(denied)


async def test_a_command_added_feed_through_slack_is_guarded(slack: SlackClient) -> None:
    answer = (await slack.command("/sitrep", "subscribe <http://169.254.169.254/latest/meta-data/>",
                                  user="U0ADMIN")).json()
    said = texts(answer)
    assert "will not fetch" in said and "metadata" in said


async def test_unsigned_tampered_stale_and_headerless_requests_get_401(slack: SlackClient) -> None:
    body = slash_body("/whois", "Kalinowski", response_url=slack.fake.response_url())
    now = slack.now()
    good = await slack.post(body)
    assert good.status_code == 200
    assert (await slack.post(body, secret="wrong-secret")).status_code == 401
    # The adapter runs on the real clock here, so stay clear of the 5-minute edge (the edge itself is
    # tested with an injected clock in test_signing.py).
    assert (await slack.post(body, timestamp=now - 330)).status_code == 401
    assert (await slack.post(body, timestamp=now + 330)).status_code == 401
    tampered = body.replace("Kalinowski", "Hegseth")
    signed_for_original = (await slack.http.post(slack.url, content=tampered.encode(), headers={
        **_signed(body, now)})).status_code
    assert signed_for_original == 401
    assert (await slack.post(body, headers={})).status_code == 401
    only_ts = {"X-Slack-Request-Timestamp": str(now)}
    assert (await slack.post(body, headers=only_ts)).status_code == 401
    only_sig = {"X-Slack-Signature": _signed(body, now)["X-Slack-Signature"]}
    assert (await slack.post(body, headers=only_sig)).status_code == 401
    wrong_ts = {**_signed(body, now), "X-Slack-Request-Timestamp": str(now - 1)}
    assert (await slack.post(body, headers=wrong_ts)).status_code == 401
    for digits in (310, 5000):  # overflowed the SDK's float arithmetic / Python's int parsing: a 500 before
        huge = {**_signed(body, now), "X-Slack-Request-Timestamp": "9" * digits}
        assert (await slack.post(body, headers=huge)).status_code == 401, digits
    not_utf8 = {**_signed(body, now)}
    assert (await slack.http.post(slack.url, content=b"\xff" + body.encode(), headers=not_utf8)).status_code == 401
    assert not slack.fake.called("chat.postMessage")


async def test_the_server_answers_health_checks_and_nothing_else(slack: SlackClient) -> None:
    base = f"http://127.0.0.1:{slack.adapter.port}"
    assert (await slack.http.get(base + "/healthz")).text == "ok"
    assert (await slack.http.get(slack.url)).status_code == 405
    assert (await slack.http.post(base + "/other", content=b"")).status_code == 404


def _signed(body: str, timestamp: int) -> dict[str, str]:
    from tests.adapters.slack.conftest import SECRET
    from tests.fakes.slack_api import signed_headers

    return signed_headers(SECRET, body, timestamp)


async def test_commands_arriving_together_after_a_start_cost_no_extra_auth_test(slack: SlackClient) -> None:
    """bolt is handed the start's auth.test answer; on its own it asks once per command until the first returns."""
    answers = await asyncio.gather(*(slack.command("/news", "drones") for _ in range(12)))
    assert all(a.status_code == 200 for a in answers)
    assert len(slack.fake.called("auth.test")) == 1
