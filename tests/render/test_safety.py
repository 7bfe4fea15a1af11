"""Feed text made inert: each platform's escaping, link checks, and terminal hygiene."""

from __future__ import annotations

import pytest

from bot.render.safety import (
    WJ,
    ZWSP,
    clean,
    deceptive_label,
    discord_escape,
    discord_neutralise,
    link_target,
    slack_escape,
    slack_url,
)


def test_clean_drops_controls_bidi_and_newlines() -> None:
    assert clean("\x1b[31mred\x1b[0m") == "[31mred[0m"
    assert clean("a\u202eb\u2066c") == "abc"
    assert clean(" one\n\n two\t three\r\n") == "one two three"
    assert clean(None) == ""


@pytest.mark.parametrize(("raw", "escaped"), [
    ("<!channel>", "&lt;!channel&gt;"),
    ("<@U024BE7LH|bob>", "&lt;@U024BE7LH|bob&gt;"),
    ("A & B", "A &amp; B"),
    ("&lt;", "&amp;lt;"),
    ("@channel now", f"@{WJ}channel now"),
    ("mail me@here.example", "mail me@here.example"),
])
def test_slack_escape_follows_slacks_rules(raw: str, escaped: str) -> None:
    assert slack_escape(raw) == escaped


def test_slack_url_cannot_close_the_link_or_start_a_label() -> None:
    assert slack_url("https://x.example/a|b>c<d&e") == "https://x.example/a%7Cb%3Ec%3Cd&amp;e"


@pytest.mark.parametrize("raw", ["@everyone", "@here", "<@123>", "<@!123>", "<@&123>", "<#123>", "</ban:1>"])
def test_discord_mentions_are_broken(raw: str) -> None:
    for out in (discord_neutralise(raw), discord_escape(raw)):
        assert ZWSP in out
        assert "@everyone" not in out and "@here" not in out
        assert "<@" not in out and "<#" not in out and "</" not in out


def test_discord_markdown_is_escaped() -> None:
    assert discord_escape("[a](https://x)") == r"\[a\]\(https://x\)"
    assert discord_escape("**b** _i_ ~~s~~ ||x|| `c` # h > q") == (
        r"\*\*b\*\* \_i\_ \~\~s\~\~ \|\|x\|\| \`c\` \# h \> q")


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,x", "ftp://x.example/", "https://",
                                 "https://user:pw@bank.example/", "https://x.example/" + "a" * 1200,
                                 "https://x.example/\x1b[0m", "https://bad_host.example/", None, ""])
def test_unlinkable_urls(url: str | None) -> None:
    assert link_target(url) is None


def test_link_targets_are_encoded_not_trusted() -> None:
    assert link_target("https://x.example/a b") is None
    assert link_target("https://x.example/a)b|c<d>") == "https://x.example/a%29b%7Cc%3Cd%3E"
    assert link_target("HTTPS://News.Example:8443/p?q=1&r=2#f") == "https://news.example:8443/p?q=1&r=2#f"


@pytest.mark.parametrize(("label", "url", "deceptive"), [
    ("https://defense.gov", "https://evil.example/x", True),
    ("Read it at pentagon.mil", "https://evil.example/x", True),
    ("Army tests drones", "https://evil.example/x", False),
    ("defensescoop.com reports", "https://www.defensescoop.com/2026/x", False),
    ("news.defensescoop.com", "https://defensescoop.com/x", False),
    ("U.S. Army, version 2.0", "https://evil.example/x", False),
])
def test_deceptive_labels(label: str, url: str, deceptive: bool) -> None:
    assert deceptive_label(label, url) is deceptive
