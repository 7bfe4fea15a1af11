"""Following, trending and timeline answers on every renderer: within each platform's limits,
pinging nobody, whatever the names (feed text) hold; and readable in the terminal."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.discord import embeds
from adapters.slack import blocks
from bot.cards import (
    Card,
    Digest,
    FollowingCard,
    FollowLine,
    PersonLine,
    Profile,
    TimelineLine,
    TrendingCard,
    TrendLine,
    WhoisCard,
)
from bot.render import markdown, plain
from tests.fakes.digests import HOSTILE, NOW, sample_digest, text, url
from tests.fakes.limits import discord_hazards, discord_problems, slack_hazards, slack_problems

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def cards(draw: st.DrawFn) -> Card:
    many = draw(st.integers(1, 40))
    kind = draw(st.sampled_from(["following", "trending", "timeline"]))
    if kind == "following":
        line = st.builds(FollowLine, text(40), st.sampled_from(["person", "org", None]), text(20),
                         st.sampled_from(["command", "config"]), st.just(NOW), text(300))
        return FollowingCard(draw(text(30)), draw(st.lists(line, max_size=3)) * many, draw(text(50)))
    if kind == "trending":
        trend = st.builds(TrendLine, text(40), st.sampled_from(["person", "org"]), st.integers(0, 10**6),
                          st.integers(0, 10**6), st.integers(-(10**6), 10**6),
                          st.lists(st.integers(0, 10**4), min_size=7, max_size=60))
        return TrendingCard(draw(st.sampled_from(["24h", "7d", "30d"])), NOW - timedelta(days=7), NOW,
                            draw(st.lists(trend, max_size=3)) * many, "2026-03-01")
    moment = st.builds(TimelineLine, st.sampled_from(["2026-03-08", "2024-11", None]),
                     st.sampled_from(["role", "event", "quote"]), text(300), url(), text(30))
    profile = Profile(name=draw(text(20)), kind="person", aliases=[], description=draw(text(200)), roles=[],
                      quotes=[], mentions=[], related=[], timeline=draw(st.lists(moment, max_size=4)) * many,
                      mentions_by_week=draw(st.lists(st.integers(0, 500), min_size=12, max_size=12)),
                      weeks_from="2026-01-05")
    return WhoisCard(draw(text(10)), profile)


@SETTINGS
@given(cards())
def test_answers_fit_one_message_and_ping_nobody(card: Card) -> None:
    slack, discord = blocks.render_card(card), embeds.render_card(card)
    assert slack_problems(slack) == [] and slack_hazards(slack) == []
    assert discord_problems(discord) == [] and discord_hazards(discord) == []
    assert plain.render(card) is not None and markdown.render(card) is not None


def hostile_people() -> Digest:
    digest = sample_digest(2)
    people = [PersonLine(h, 3, f"{h} — {h}") for h in HOSTILE]
    return Digest(digest.channel, digest.title, digest.since, digest.until, digest.entries, people=people,
                  sections=["events", "people"], note="You follow @everyone <!channel>. /unfollow @here stops these.")


def test_hostile_names_in_the_people_section_and_the_note_ping_nobody() -> None:
    digest = hostile_people()
    for message in blocks.render_digest(digest):
        assert slack_problems(message) == [] and slack_hazards(message) == []
    for message in embeds.render_digest(digest):
        assert discord_problems(message) == [] and discord_hazards(message) == []
    assert "\x1b" not in plain.digest(digest)


def test_the_people_section_follows_the_channels_order() -> None:
    digest = sample_digest(1)
    people = [PersonLine("Maria Ortiz", 4, "Maria Ortiz — the Army's head of logistics")]
    after = Digest(digest.channel, digest.title, NOW - timedelta(days=7), NOW, digest.entries, people=people,
                   sections=["events", "people"])
    text_after = plain.digest(after)
    assert text_after.index("1. Army tests") < text_after.index("People this week:")
    assert "  • Maria Ortiz (4 stories) — /whois Maria Ortiz\n      the Army's head of logistics" in text_after
    before = Digest(digest.channel, digest.title, NOW - timedelta(days=1), NOW, digest.entries, people=people,
                    sections=["people", "events"])
    assert plain.digest(before).index("People today:") < plain.digest(before).index("1. Army tests")
    slack_text = str(blocks.render_digest(after))
    assert "People this week" in slack_text and "`/whois Maria Ortiz`" in slack_text
    discord = embeds.render_digest(after)[0]
    assert discord["embeds"][-1]["title"] == "People this week"
    assert "Maria Ortiz" in markdown.digest(after)


def test_trending_reads_as_a_table_in_the_terminal() -> None:
    card = TrendingCard("7d", NOW - timedelta(days=7), NOW, [
        TrendLine("Ines Varga", "person", 4, 0, 4, [0] * 10 + [1, 2, 0, 1]),
        TrendLine("Halden Labs", "org", 9, 7, 2, [1] * 14)], "2026-02-25")
    out = plain.render(card)
    assert out.splitlines()[0].startswith("Trending: the 7 days to 2026-03-10 08:00 UTC, against the 7 days before")
    assert "  1. Ines Varga   person   4 stories    +4 (was 0)  ▁▁▁▁▁▁▁▁▁▁▅█▁▅" in out
    assert "Ines Varga" in str(blocks.render_card(card)) and "`▁▁▁▁▁▁▁▁▁▁▅█▁▅`" in str(embeds.render_card(card))
