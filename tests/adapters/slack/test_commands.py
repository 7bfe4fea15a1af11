"""Slash commands beyond the fast path: slow answers through response_url, the share button, failures."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from adapters.slack.adapter import SlackAdapter
from adapters.slack.commands import FAILED, INLINE_WAITERS, from_slack_text
from adapters.slack.interactive import share_command, shared, with_share_button, without_share_button
from bot.app import Sitrep
from bot.cards import Card
from bot.commands import Caller
from bot.config.settings import ChannelConfig
from tests.adapters.slack.conftest import SlackClient, slack_config, texts
from tests.fakes.slack_api import FakeSlack


def held_answers(slack: SlackClient, monkeypatch: pytest.MonkeyPatch) -> asyncio.Event:
    """The core answers only once the returned event is set: a slow database, on demand."""
    gate = asyncio.Event()
    original = slack.adapter.core.handle

    async def slow(text: str, caller: Caller) -> Card:
        await gate.wait()
        return await original(text, caller)

    monkeypatch.setattr(slack.adapter.core, "handle", slow)
    return gate


async def test_a_slow_answer_is_acknowledged_at_once_and_posted_to_the_response_url(
        slack: SlackClient, monkeypatch: pytest.MonkeyPatch) -> None:
    gate = held_answers(slack, monkeypatch)
    slack.adapter.commands.ack_budget = 0.05
    response = await slack.command("/whois", "Kalinowski", key="slow")
    assert response.status_code == 200 and response.content == b""  # acknowledged, nothing said yet
    gate.set()
    answer = await slack.fake.next_response()
    assert answer.key == "slow"
    assert answer.body["response_type"] == "ephemeral"
    assert "Caitlin Kalinowski" in texts(answer.body) and "head of robotics" in texts(answer.body)


async def test_in_a_burst_only_a_few_commands_wait_for_their_answer_the_rest_are_acknowledged_at_once(
        slack: SlackClient, monkeypatch: pytest.MonkeyPatch) -> None:
    gate = held_answers(slack, monkeypatch)
    slack.adapter.commands.ack_budget = 30  # the waiters would wait that long: only the burst rule acks the rest
    extra = 3
    sent = [asyncio.create_task(slack.command("/whois", "Kalinowski", key=f"b{i}"))
            for i in range(INLINE_WAITERS + extra)]
    done, waiting = await asyncio.wait(sent, timeout=10, return_when=asyncio.FIRST_EXCEPTION)
    while len(done) < extra:
        more, waiting = await asyncio.wait(waiting, timeout=10, return_when=asyncio.FIRST_COMPLETED)
        assert more, "the commands beyond the waiters were not acknowledged while the answers were held"
        done |= more
    assert len(done) == extra and len(waiting) == INLINE_WAITERS
    assert all(t.result().status_code == 200 and t.result().content == b"" for t in done)
    gate.set()
    inline = [(await t).json() for t in waiting]
    assert all("Caitlin Kalinowski" in texts(answer) for answer in inline)
    followed = [await slack.fake.next_response() for _ in range(extra)]
    assert all("Caitlin Kalinowski" in texts(answer.body) for answer in followed)
    assert slack.fake.responses.empty()


async def test_a_crash_in_the_core_still_gets_an_answer(slack: SlackClient, monkeypatch: pytest.MonkeyPatch) -> None:
    async def broken(text: str, caller: Caller) -> Card:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(slack.adapter.core, "handle", broken)
    answer = (await slack.command("/news", "drones")).json()
    assert FAILED in texts(answer) and "on fire" not in texts(answer)


async def test_share_posts_the_answer_in_the_channel_and_removes_the_private_copy(slack: SlackClient) -> None:
    response = await slack.press_share("/whois Kalinowski", user="U0SHARER", key="share")
    assert response.status_code == 200
    posted = await slack.fake.next_response()
    assert posted.body["response_type"] == "in_channel" and posted.body["replace_original"] is False
    said = texts(posted.body)
    assert "Caitlin Kalinowski" in said and "Shared by <@U0SHARER>" in said
    assert "sitrep_share" not in str(posted.body["blocks"])
    removed = await slack.fake.next_response()
    assert removed.body["delete_original"] is True and not removed.body.get("blocks")


async def test_share_never_runs_an_admin_command(slack: SlackClient) -> None:
    for value in ("/sitrep status", "/sitrep subscribe https://example.com/feed", "/sitrep unsubscribe x", "help"):
        await slack.press_share(value, user="U0ADMIN")
        answer = await slack.fake.next_response()
        assert answer.body["response_type"] == "ephemeral"
        assert "cannot be shared" in texts(answer.body)
    assert slack.fake.responses.empty()


async def test_the_configured_channel_decides_the_digest_topics(
        demo_core: Sitrep, fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch) -> None:
    channel = ChannelConfig.model_validate({"name": "team", "platform": "slack", "target": "C0TEAM"})
    monkeypatch.setattr(demo_core, "config", demo_core.config.model_copy(
        update={"channels": [*demo_core.config.channels, channel]}))
    adapter = SlackAdapter(demo_core, config=slack_config(fake_slack))
    assert adapter.commands.channel_name("C0TEAM") == "team"
    assert adapter.commands.channel_name("C0ELSEWHERE") is None
    caller = await adapter.commands.caller("/digest", "U1", "C0TEAM")
    assert caller == Caller(user="U1", platform="slack", admin=False, channel="team")
    assert not fake_slack.calls  # no admin lookup for a command that does not need one


@pytest.mark.parametrize(("typed", "meant"), [
    ("Kalinowski", "Kalinowski"),
    ("<@U123ABC|caitlin>", "caitlin"),
    ("<@U123ABC>", "U123ABC"),
    ("news in <#C024BE7LR|general>", "news in #general"),
    ("<!here> drones", "drones"),
    ("subscribe <https://example.com/feed?a=1&amp;b=2|example.com/feed> ai-defense",
     "subscribe https://example.com/feed?a=1&b=2 ai-defense"),
    ("subscribe <https://example.com/rss>", "subscribe https://example.com/rss"),
    ("R&amp;D &lt;drones&gt;", "R&D <drones>"),
    ("  \"Dario Amodei\"  ", "\"Dario Amodei\""),
    ("张三", "张三"),
])
def test_slack_markup_is_taken_out_of_command_text(typed: str, meant: str) -> None:
    assert from_slack_text(typed) == meant


def _message(n: int) -> dict[str, Any]:
    return {"text": "t", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": f"s{i}"}}
                                    for i in range(n)]}


def test_the_share_button_fits_even_a_full_message() -> None:
    small = with_share_button(_message(3), "/news drones")
    assert len(small["blocks"]) == 4 and small["blocks"][-1]["type"] == "actions"
    full = with_share_button(_message(50), "/news drones")
    assert len(full["blocks"]) == 50 and full["blocks"][0]["accessory"]["value"] == "/news drones"
    for message in (small, full):
        assert "sitrep_share" not in str(without_share_button(message))
    assert with_share_button(_message(1), "/news " + "x" * 2000) == _message(1)  # too long for a button value


def test_shared_names_the_sharer_and_escapes_the_command() -> None:
    message = shared(with_share_button(_message(1), "/news <!channel>"), "U0SHARER", "/news <!channel>")
    line = message["blocks"][-1]["elements"][0]["text"]
    assert line.startswith("Shared by <@U0SHARER>") and "<!channel>" not in line
    assert "Shared by someone" in str(shared(_message(1), "not-a-user-id", "/feeds"))


@pytest.mark.parametrize(("value", "allowed"), [
    ("/whois Kalinowski", True), ("/news drones", True), ("/digest", True), ("/feeds", True),
    ("/sitrep feeds", True), ("/who Kalinowski", True), ("/sitrep status", False),
    ("/sitrep subscribe https://x", False), ("/help", False), ("", False), ("/news " + "x" * 600, False),
])
def test_only_read_only_commands_can_be_shared(value: str, allowed: bool) -> None:
    assert (share_command(value) is not None) is allowed
