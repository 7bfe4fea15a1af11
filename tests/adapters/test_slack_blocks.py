"""Slack Block Kit renderers: what an entry looks like, and splitting that keeps entries whole."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

from adapters.slack.blocks import render_card, render_digest
from bot.cards import (
    Candidate,
    Card,
    ChannelLine,
    FeedLine,
    FeedsCard,
    HelpCard,
    MentionLine,
    MessageCard,
    NewsCard,
    NewsHit,
    Profile,
    QuoteLine,
    RoleLine,
    WhoisCard,
)
from bot.commands import HELP
from tests.fakes.digests import sample_digest
from tests.fakes.limits import slack_hazards, slack_problems, slack_strings

WHEN = datetime(2026, 3, 10, tzinfo=UTC)


def sections(payload: dict[str, Any]) -> list[str]:
    return [b["text"]["text"] for b in payload["blocks"] if b["type"] == "section"]


def test_an_entry_has_headline_outlets_facts_quote_people() -> None:
    [message] = render_digest(sample_digest(1))
    assert not slack_problems(message)
    assert message["blocks"][0] == {"type": "header", "text": {"type": "plain_text",
                                                               "text": "sitrep digest — 1 events", "emoji": True}}
    text = sections(message)[0]
    assert text.startswith("*<https://news.example/story-0|Army tests autonomous resupply drones, report 0>*")
    assert "_Reported by 2 outlets:_ <https://news.example/story-0|defense-wire> · " \
           "<https://policy.example/s0|tech-policy>" in text
    assert "• The Army flew forty sorties." in text
    assert "> “We are learning fast” — *Gen. Maria Ortiz*" in text
    assert "_People:_ Maria Ortiz, Tom Reyes" in text and "`/whois Maria Ortiz`" in text
    assert message["unfurl_links"] is False
    assert message["text"].startswith("sitrep digest — 1 events: Army tests")


def test_and_more_and_empty_digests() -> None:
    [message] = render_digest(sample_digest(2, more=7))
    assert sections(message)[-1] == "…and 7 more events not shown here."
    [empty] = render_digest(sample_digest(0))
    assert "Nothing new since the last digest." in sections(empty)


def test_a_long_digest_becomes_several_messages_with_whole_entries() -> None:
    digest = sample_digest(40)
    messages = render_digest(digest)
    assert len(messages) > 1
    for i, message in enumerate(messages):
        assert not slack_problems(message), slack_problems(message)
        if i:
            assert "continued" in message["blocks"][0]["elements"][0]["text"]
            assert f"({i + 1}/{len(messages)})" in message["text"]
    texts = [t for m in messages for t in sections(m)]
    for n in range(40):  # every entry present, once, in order, never split across messages
        owners = [i for i, m in enumerate(messages) if any(f"report {n}>" in t for t in sections(m))]
        assert len(owners) == 1
    order = [t.split("report ")[1].split(">")[0] for t in texts if "report " in t]
    assert order == [str(n) for n in range(40)]


def test_a_huge_fact_is_split_into_sections_not_truncated() -> None:
    entry = sample_digest(1).entries[0]
    words = [f"word{i}" for i in range(3000)]
    digest = dataclasses.replace(sample_digest(1), entries=[dataclasses.replace(entry, facts=[" ".join(words)])])
    messages = render_digest(digest)
    assert all(not slack_problems(m) for m in messages)
    joined = " ".join(" ".join(sections(m)) for m in messages).split()
    found = [w for w in joined if w.startswith("word")]
    assert found == words


def test_cards_fit_one_message() -> None:
    profile = Profile(
        name="Maria Ortiz", kind="person", aliases=["Ortiz"], description="Army general leading drone trials.",
        roles=[RoleLine("general", "U.S. Army", reported=WHEN)] * 3,
        quotes=[QuoteLine("We are learning fast " * 20, "https://news.example/1", "Report", WHEN, "Maria Ortiz")] * 80,
        mentions=[MentionLine("https://news.example/1", "Army tests drones", WHEN)] * 100, related=[])
    cards: list[Card] = [
        WhoisCard("ortiz", profile), WhoisCard("nobody", None, [Candidate("Tom Reyes", "person", "analyst")]),
        NewsCard("drones", [NewsHit("Army tests drones", "https://news.example/1", "wire", WHEN, "snippet")] * 90),
        NewsCard("nothing", []),
        FeedsCard([FeedLine("wire", "https://x", "failing", "config", None, "HTTP 500", 3, 10, None)] * 300,
                  [ChannelLine("team", "slack-webhook", "failing", "webhook deleted (404)", "0 8 * * *")]),
        HelpCard(HELP), MessageCard("Unknown command /x. Try /help.", level="error"),
        sample_digest(40),
    ]
    for card in cards:
        message = render_card(card)
        assert not slack_problems(message), (type(card).__name__, slack_problems(message))
        assert not slack_hazards(message)
    whois = render_card(cards[0])
    assert "…and" in sections(whois)[-1]
    digest_card = render_card(sample_digest(40))
    assert "more events not shown here" in sections(digest_card)[-1]
    assert any("failing — webhook deleted (404)" in s for s in slack_strings(render_card(cards[4])))


def test_edge_cards_are_still_valid() -> None:
    edge: list[Card] = [MessageCard(""), WhoisCard("", None), HelpCard([]), NewsCard("", [])]
    for card in edge:
        assert slack_problems(render_card(card)) == []


def test_an_alert_says_why_it_came_now() -> None:
    alert = dataclasses.replace(sample_digest(1), title="sitrep alert — ai-defense", kind="alert", since=None)
    [message] = render_digest(alert)
    assert "alert topics" in message["blocks"][1]["elements"][0]["text"]
