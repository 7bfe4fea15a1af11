"""Property tests: over random digests (huge, hostile, empty), no Slack or Discord payload breaks
a platform limit or carries a live mention, and splitting loses no word."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from adapters.discord import embeds
from adapters.slack import blocks
from bot.cards import (
    Candidate,
    Card,
    Digest,
    DigestEntry,
    EntityLine,
    MentionLine,
    MessageCard,
    NewsCard,
    NewsHit,
    Profile,
    QuoteLine,
    RoleLine,
    WhoisCard,
)
from tests.fakes.digests import NOW, digests
from tests.fakes.limits import (
    discord_hazards,
    discord_problems,
    discord_strings,
    slack_hazards,
    slack_problems,
    slack_strings,
)

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


BLANK_NOTE = Digest(channel="c", title="sitrep digest", since=None, until=NOW, entries=[], note=" ")


@SETTINGS
@given(digests())
@example(BLANK_NOTE)  # a note of spaces once became an empty context block, which Slack refuses
def test_slack_payloads_stay_within_limits(digest: Digest) -> None:
    messages = blocks.render_digest(digest)
    assert messages
    for message in [*messages, blocks.render_card(digest)]:
        assert slack_problems(message) == []
        assert slack_hazards(message) == []


@SETTINGS
@given(digests())
@example(BLANK_NOTE)
def test_discord_payloads_stay_within_limits(digest: Digest) -> None:
    messages = embeds.render_digest(digest)
    assert messages
    for message in [*messages, embeds.render_card(digest)]:
        assert discord_problems(message) == []
        assert discord_hazards(message) == []


_WORDS = st.lists(st.text("abcdefghij", min_size=1, max_size=12), min_size=1, max_size=700).map(" ".join)


@st.composite
def plain_digests(draw: st.DrawFn) -> Digest:
    """Digests of plain words, so every word can be looked for in the output."""
    entries = [DigestEntry(headline=draw(_WORDS), url=None, sources=[], facts=draw(st.lists(_WORDS, max_size=4)),
                           quote=QuoteLine(draw(_WORDS), None, speaker="speaker"), people=[], published=None,
                           story_ids=[]) for _ in range(draw(st.integers(1, 15)))]
    return Digest(channel="c", title="t", since=None, until=NOW, entries=entries)


def _in_order(needle: list[str], haystack: list[str]) -> bool:
    it = iter(haystack)
    return all(word in it for word in needle)


@settings(max_examples=40, deadline=None)
@given(plain_digests())
def test_splitting_loses_no_word(digest: Digest) -> None:
    for render, strings in ((blocks.render_digest, slack_strings), (embeds.render_digest, discord_strings)):
        out: list[str] = []
        for message in render(digest):
            for text in strings(message)[1:]:  # not the fallback/notification text
                out += re.findall(r"[a-j]+", text)
        for entry in digest.entries:
            for text in [entry.headline, *entry.facts, entry.quote.text if entry.quote else ""]:
                assert _in_order(text.split(), out)


def test_the_checkers_catch_violations() -> None:
    """The limits above are only worth something if the checkers can fail."""
    section = {"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}
    assert slack_problems({"text": "t", "blocks": [section]})
    assert slack_problems({"text": "t", "blocks": [{"type": "divider"}] * 51})
    assert slack_hazards({"text": "<!channel>", "blocks": []})
    assert discord_problems({"content": "x" * 2001, "embeds": [], "allowed_mentions": {"parse": []}})
    assert discord_problems({"content": "", "embeds": [{"description": "x" * 700}] * 9,
                             "allowed_mentions": {"parse": []}})
    assert discord_problems({"content": "x", "embeds": []})
    assert discord_hazards({"content": "@everyone", "embeds": []})


@st.composite
def cards(draw: st.DrawFn) -> Card:
    from tests.fakes.digests import text, url

    when = draw(st.one_of(st.none(), st.just(NOW)))
    kind = draw(st.sampled_from(["whois", "news", "message"]))
    if kind == "news":
        hit = st.builds(NewsHit, text(40), url(), text(4), st.just(when), text(200))
        return NewsCard(draw(text(10)), draw(st.lists(hit, max_size=4)) * draw(st.integers(1, 30)))
    if kind == "message":
        return MessageCard(draw(text(200)), level=draw(st.sampled_from(["info", "error", "denied"])))
    quote = st.builds(QuoteLine, text(200), url(), text(20), st.just(when), text(5))
    profile = Profile(
        name=draw(text(20)), kind="person", aliases=[], description=draw(text(60)),
        roles=draw(st.lists(st.builds(RoleLine, text(20), text(10)), max_size=3)) * draw(st.integers(1, 20)),
        quotes=draw(st.lists(quote, max_size=3)) * draw(st.integers(1, 20)),
        mentions=draw(st.lists(st.builds(MentionLine, url(), text(30), st.just(when)), max_size=3)) * 10,
        related=[EntityLine(draw(text(5)), "org")] * draw(st.integers(0, 40)))
    return WhoisCard(draw(text(10)), draw(st.one_of(st.none(), st.just(profile))),
                     draw(st.lists(st.builds(Candidate, text(8), st.just("person"), text(30)), max_size=20)))


@SETTINGS
@given(cards())
def test_command_answers_fit_one_message(card: Card) -> None:
    slack, discord = blocks.render_card(card), embeds.render_card(card)
    assert slack_problems(slack) == [] and slack_hazards(slack) == []
    assert discord_problems(discord) == [] and discord_hazards(discord) == []
