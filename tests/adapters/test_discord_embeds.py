"""Discord renderers: one embed per entry, mentions that ping nobody, splitting to the limits."""

from __future__ import annotations

import dataclasses

from adapters.discord.embeds import render_card, render_digest
from bot.cards import Card, HelpCard, MessageCard, NewsCard, NewsHit, SourceLink, WhoisCard
from bot.commands import HELP
from tests.fakes.digests import NOW, sample_digest
from tests.fakes.limits import discord_hazards, discord_problems


def test_an_entry_is_an_embed() -> None:
    [message] = render_digest(sample_digest(1))
    assert not discord_problems(message)
    assert message["allowed_mentions"] == {"parse": []}
    assert message["content"].startswith("**sitrep digest — 1 events**")
    [embed] = message["embeds"]
    assert embed["title"] == "Army tests autonomous resupply drones, report 0"
    assert embed["url"] == "https://news.example/story-0"
    assert embed["timestamp"] == NOW.isoformat()
    description = embed["description"]
    assert "*Reported by 2 outlets:* [defense\\-wire](https://news.example/story-0) · " \
           "[tech\\-policy](https://policy.example/s0)" in description
    assert "• The Army flew forty sorties." in description
    assert "> “We are learning fast” — **Gen. Maria Ortiz**" in description
    assert "`/whois Maria Ortiz`" in description


def test_many_entries_spread_over_messages_of_ten_embeds() -> None:
    messages = render_digest(sample_digest(25, more=4))
    assert [len(m["embeds"]) for m in messages] == [10, 10, 5]
    assert all(not discord_problems(m) for m in messages)
    assert "continued (2/3)" in messages[1]["content"]
    assert messages[-1]["content"].endswith("…and 4 more events not shown here.")


def test_a_long_headline_is_kept_whole_in_the_description() -> None:
    headline = " ".join(f"w{i}" for i in range(200))
    entry = dataclasses.replace(sample_digest(1).entries[0], headline=headline)
    [message] = render_digest(dataclasses.replace(sample_digest(1), entries=[entry]))
    embed = message["embeds"][0]
    assert len(embed["title"]) <= 256 and embed["title"].endswith("…")
    assert embed["description"].startswith(f"**{headline}**")


def test_repeated_urls_in_one_message_are_dropped_from_later_embeds() -> None:
    entries = [dataclasses.replace(e, url="https://news.example/same") for e in sample_digest(3).entries]
    [message] = render_digest(dataclasses.replace(sample_digest(3), entries=entries))
    assert [("url" in e) for e in message["embeds"]] == [True, False, False]


def test_a_deceptive_headline_is_not_a_link_label() -> None:
    entry = dataclasses.replace(sample_digest(1).entries[0], headline="Official notice at defense.gov",
                                url="https://evil.example/p", sources=[SourceLink("defense.gov", "https://evil.example/p")])
    [message] = render_digest(dataclasses.replace(sample_digest(1), entries=[entry]))
    embed = message["embeds"][0]
    assert "url" not in embed
    assert "[evil.example](https://evil.example/p)" in embed["description"]
    assert "[defense.gov]" not in embed["description"]


def test_cards() -> None:
    cards: list[Card] = [WhoisCard("nobody", None), HelpCard(HELP), MessageCard("no @everyone here", level="error"),
                 NewsCard("x", [NewsHit("t " * 300, "https://news.example/1", "wire", NOW, "s " * 500)] * 50),
                 sample_digest(30)]
    for card in cards:
        message = render_card(card)
        assert not discord_problems(message), discord_problems(message)
        assert not discord_hazards(message)
    assert len(render_card(sample_digest(30))["embeds"]) == 10
    assert "20 more events" in render_card(sample_digest(30))["content"]


def test_edge_cards_are_still_valid() -> None:
    edge: list[Card] = [MessageCard(""), WhoisCard("", None), HelpCard([]), NewsCard("", [])]
    for card in edge:
        assert discord_problems(render_card(card)) == []
