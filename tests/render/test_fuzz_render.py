"""Fuzzing every renderer with every card: random digests, whois, news, feeds, help and message cards
to plain text, Markdown, Slack Block Kit (app and webhook), Discord embeds (bot and webhook) and JSON.

No renderer raises; no payload breaks a platform limit (tests/fakes/limits.py restates them
independently); no mention or markup from feed text gets through on any of them.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from adapters.discord import embeds
from adapters.slack import blocks
from bot import platforms
from bot.cards import (
    Candidate,
    Card,
    ChannelLine,
    Digest,
    EntityLine,
    EventLine,
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
    digest_from_json,
    to_json,
)
from bot.commands import HELP
from bot.render import markdown, plain
from tests.fakes.digests import HOSTILE, HOSTILE_URLS, NOW, digests
from tests.fakes.digests import text as texts
from tests.fakes.digests import url as urls
from tests.fakes.limits import discord_hazards, discord_problems, slack_hazards, slack_problems

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
WHEN = st.one_of(st.none(), st.just(NOW), st.just(NOW - timedelta(days=4000)))


@st.composite
def profiles(draw: st.DrawFn) -> Profile:
    many = draw(st.integers(1, 25))
    return Profile(
        name=draw(texts(30)), kind=draw(st.one_of(st.sampled_from(["person", "org", "place"]), texts(5))),
        aliases=draw(st.lists(texts(20), max_size=5)), description=draw(texts(300)),
        roles=draw(st.lists(st.builds(RoleLine, texts(40), st.one_of(st.none(), texts(20)), st.booleans(), WHEN,
                                      urls(), WHEN, WHEN), max_size=3)) * many,
        quotes=draw(st.lists(st.builds(QuoteLine, texts(300), urls(), texts(30), WHEN,
                                       st.one_of(st.none(), texts(10))), max_size=3)) * many,
        mentions=draw(st.lists(st.builds(MentionLine, urls(), texts(60), WHEN), max_size=3)) * many,
        related=draw(st.lists(st.builds(EntityLine, texts(10), st.sampled_from(["person", "org"])), max_size=3)) * many,
        story_count=draw(st.integers(0, 10**6)),
        events=draw(st.lists(st.builds(EventLine, texts(80), st.sampled_from(["departure", "arrival", "action"]),
                                       WHEN, urls()), max_size=3)) * many)


@st.composite
def feeds_cards(draw: st.DrawFn) -> FeedsCard:
    line = st.builds(FeedLine, texts(20), st.one_of(st.sampled_from([u for u in HOSTILE_URLS if u]), texts(50)),
                     st.sampled_from(["ok", "failing", "new", "disabled"]), st.sampled_from(["config", "slack:U1"]),
                     WHEN, st.one_of(st.none(), texts(300)), st.integers(0, 10**6), st.integers(0, 10**6), WHEN)
    channel = st.builds(ChannelLine, texts(20), st.sampled_from(["slack", "discord", "console"]),
                        st.sampled_from(["ok", "failing"]), st.one_of(st.none(), texts(300)),
                        st.one_of(st.none(), st.just("0 8 * * *")), st.integers(0, 10**6), WHEN)
    return FeedsCard(draw(st.lists(line, max_size=4)) * draw(st.integers(1, 60)),
                     draw(st.lists(channel, max_size=3)) * draw(st.integers(1, 5)))


CARDS: st.SearchStrategy[Card] = st.one_of(
    digests(),
    st.builds(WhoisCard, texts(40), st.one_of(st.none(), profiles()),
              st.lists(st.builds(Candidate, texts(20), st.just("person"), texts(80)), max_size=30), texts(100)),
    st.builds(NewsCard, texts(40), st.lists(st.builds(NewsHit, texts(80), urls(), texts(10), WHEN, texts(300)),
                                            max_size=4).flatmap(lambda h: st.just(h * 12))),
    feeds_cards(),
    st.builds(HelpCard, st.one_of(st.just(HELP), st.lists(st.tuples(texts(30), texts(100)), max_size=40))),
    st.builds(MessageCard, texts(3000), st.sampled_from(["info", "error", "denied"])),
)

_MD_LINK = re.compile(r"(?<!\\)\[((?:\\.|[^\]\\])*)\]\((<?)([^)>]*)>?\)")
_TERMINAL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def markdown_problems(out: str) -> list[str]:
    """What in Markdown output could link, ping, embed or inject beyond what sitrep wrote."""
    problems = []
    for _label, _, target in _MD_LINK.findall(out):
        if not target.startswith(("http://", "https://")):
            problems.append(f"link to {target[:60]!r}")
    if re.search(r"(?<!\\)!\[", out):
        problems.append("an image")
    rest = _MD_LINK.sub("", out)
    if re.search(r"(?<!\\)<(script|https?:|javascript:|!|@|#)", rest, re.IGNORECASE):
        problems.append("raw HTML, an autolink or a mention tag")
    if re.search(r"@(everyone|here)", out, re.IGNORECASE):
        problems.append("a broadcast mention")
    if _TERMINAL.search(out):
        problems.append("a control character")
    return problems


def _code_free(out: str) -> str:
    """Markdown without its fenced blocks (they render nothing as markup)."""
    return re.sub(r"^```\n.*?\n```$", "", out, flags=re.DOTALL | re.MULTILINE)


@SETTINGS
@given(CARDS)
@example(MessageCard("\x1b[2J<!channel> @everyone " + HOSTILE[13], level="error"))
@example(FeedsCard([FeedLine("<@U1>", "javascript:alert(1)", "failing", "config", None, "@here <!channel> \x1b[31m",
                             3, 0, None)], [ChannelLine("@everyone", "slack", "failing", "<@&1> ping", None, 2)]))
@example(HelpCard([("```", "@everyone ``` <!here>")]))
@example(WhoisCard("@everyone", None, [Candidate("<!channel>", "person", "[x](javascript:alert(1))")],
                   "<@U1> not found"))
def test_every_renderer_takes_every_card(card: Card) -> None:
    slack, discord = blocks.render_card(card), embeds.render_card(card)
    assert slack_problems(slack) == [] and slack_hazards(slack) == []
    assert discord_problems(discord) == [] and discord_hazards(discord) == []
    text = plain.render(card)
    assert not _TERMINAL.search(text.replace("\n", "")), repr(text[:200])
    md = markdown.render(card)
    assert markdown_problems(md) == [] or markdown_problems(_code_free(md)) == [], md[:500]
    data = json.loads(json.dumps(to_json(card), ensure_ascii=False))
    if isinstance(card, Digest):
        assert digest_from_json(data) == card


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(digests())
def test_every_platform_plugin_renders_digests_within_limits(digest: Digest) -> None:
    for name, problems, hazards in (("slack", slack_problems, slack_hazards),
                                    ("slack-webhook", slack_problems, slack_hazards),
                                    ("discord", discord_problems, discord_hazards),
                                    ("discord-webhook", discord_problems, discord_hazards)):
        plugin = platforms.load(name)
        for message in plugin.render_digest(digest):
            json.dumps(message)
            assert problems(message) == [] and hazards(message) == [], name
    for name in ("console",):
        for message in platforms.load(name).render_digest(digest):
            assert not _TERMINAL.search(str(message).replace("\n", ""))
    assert markdown_problems(markdown.digest(digest)) == []
