"""A corpus of hostile titles, facts, quotes and links through every renderer: nothing pings,
links where it should not, formats the page or drives the terminal."""

from __future__ import annotations

import re

from adapters.discord import embeds
from adapters.slack import blocks
from bot.cards import MessageCard, NewsCard, NewsHit, WhoisCard
from bot.render import markdown, plain
from tests.fakes.digests import HOSTILE, NOW, hostile_digest
from tests.fakes.limits import discord_hazards, discord_problems, slack_hazards, slack_problems


def test_slack() -> None:
    for message in blocks.render_digest(hostile_digest()):
        assert slack_problems(message) == []
        assert slack_hazards(message) == []
    rendered = str(blocks.render_digest(hostile_digest()))
    assert "<https://evil.example/x|pentagon.mil>" not in rendered  # a label naming another site
    assert "pentagon.mil (<https://evil.example/x|evil.example>)" in rendered
    assert "<javascript" not in rendered and "<data:" not in rendered
    assert "\x1b" not in rendered and "\u202e" not in rendered


def test_discord() -> None:
    for message in embeds.render_digest(hostile_digest()):
        assert discord_problems(message) == []
        assert discord_hazards(message) == []
        for embed in message["embeds"]:
            assert embed.get("url", "https://").startswith("https://")
    # Titles never render links; everywhere else a link is one sitrep made to an http(s) URL.
    rendered = str([[e.get("description") for e in m["embeds"]] + [m["content"]]
                    for m in embeds.render_digest(hostile_digest())])
    rendered = re.sub(r"(?<!\\)`[^`]*`", "", rendered)  # code spans render nothing
    assert "](javascript" not in rendered and "](data:" not in rendered
    assert "[pentagon.mil](" not in rendered


def test_text_for_terminals() -> None:
    out = plain.render(hostile_digest())
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]", out)
    for hit in [plain.render(NewsCard("x", [NewsHit(h, None, h, NOW, h) for h in HOSTILE])),
                plain.render(MessageCard(HOSTILE[18])), plain.render(WhoisCard(HOSTILE[18], None))]:
        assert "\x1b" not in hit


_MD_LINK = re.compile(r"(?<!\\)\[((?:\\.|[^\]\\])*)\]\((<?)([^)>]*)>?\)")


def test_markdown() -> None:
    out = markdown.digest(hostile_digest())
    # Every live link is one sitrep made: an http(s) target, and a label that is not another site.
    for label, _, target in _MD_LINK.findall(out):
        assert target.startswith(("http://", "https://")), target
        assert "defense.gov" not in label and "pentagon.mil" not in label
    assert not re.search(r"(?<!\\)!\[", out)  # no image
    feed_text = _MD_LINK.sub("", out)
    assert not re.search(r"(?<!\\)<(script|https?:)", feed_text)  # no raw HTML or autolink from feed text
    assert "@everyone" not in out and "@here" not in out
    assert not re.search(r"^#", "\n".join(line for line in out.splitlines() if not line.startswith(("## ", "### "))),
                         re.MULTILINE)
    assert "\x1b" not in out
