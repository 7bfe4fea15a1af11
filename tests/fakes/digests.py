"""Digests for renderer tests: a readable sample, hostile text, and hypothesis strategies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import strategies as st

from bot.cards import Digest, DigestEntry, PersonLine, QuoteLine, SourceLink

NOW = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)

# Written for these tests: each line tries to ping, link, format or disguise something.
HOSTILE = [
    "@everyone the Pentagon just announced",
    "@here read this now",
    "@channel urgent",
    "<!channel> drone swarm test",
    "<!here|here> and <!everyone>",
    "<@U024BE7LH> says hello",
    "<@U024BE7LH|admin> approved",
    "<#C024BE7LH|general> is where",
    "<!subteam^S0123|@team> heads up",
    "<@123456789012345678> and <@!123456789012345678>",
    "<@&987654321098765432> role ping",
    "<#123456789012345678> channel link",
    "</ban:123456789012345678> slash mention",
    "[https://defense.gov](https://evil.example/phish)",
    "[Click here](javascript:alert(1))",
    "![tracker](https://evil.example/pixel.png)",
    "<https://evil.example|https://defense.gov>",
    "&lt;!channel&gt; pre-escaped & raw & <b>",
    "\x1b[31mred alert\x1b[0m in the terminal",
    "\u202eevil.exe\u202c reversed",
    "# Heading injection\n## second",
    "> fake quote\n> more",
    "```code block``` and `inline`",
    "**bold** __underline__ ~~strike~~ ||spoiler|| -# subtext",
    "<script>alert(1)</script>",
    "line one\n@everyone on line two",
    "Read the memo at pentagon.mil before it is gone",
    "\\@everyone escaped at-sign",
    "@\u200beveryone with a space already",
    "@EVERYONE shouting",
]

HOSTILE_URLS = [
    "javascript:alert(1)",
    "https://evil.example/a)b(c",
    "https://evil.example/x|y>z<w",
    "https://evil.example/?a=1&b=2",
    "data:text/html,<script>alert(1)</script>",
    "https://evil.example/" + "a" * 1200,
    None,
]


def sample_digest(entries: int = 3, *, more: int = 0) -> Digest:
    items = []
    for i in range(entries):
        items.append(DigestEntry(
            headline=f"Army tests autonomous resupply drones, report {i}",
            url=f"https://news.example/story-{i}",
            sources=[SourceLink("defense-wire", f"https://news.example/story-{i}"),
                     SourceLink("tech-policy", f"https://policy.example/s{i}")],
            facts=["The Army flew forty sorties.", "The drones carried medical supplies.",
                   "A decision on production is due in June."],
            quote=QuoteLine("We are learning fast", f"https://news.example/story-{i}", "Report", NOW,
                            "Gen. Maria Ortiz"),
            people=["Maria Ortiz", "Tom Reyes"],
            published=NOW - timedelta(hours=i), story_ids=[f"s{i}"], cluster=i, score=10 - i))
    return Digest(channel="team", title=f"sitrep digest — {entries + more} events", since=NOW - timedelta(days=1),
                  until=NOW, entries=items, more=more)


def hostile_digest() -> Digest:
    entries = []
    for i, text in enumerate(HOSTILE):
        url = HOSTILE_URLS[i % len(HOSTILE_URLS)]
        entries.append(DigestEntry(
            headline=text, url=url,
            sources=[SourceLink(text, url), SourceLink("pentagon.mil", "https://evil.example/x")],
            facts=[text, f"Fact {i}: {text}"],
            quote=QuoteLine(text, url, text, NOW, text),
            people=[text], published=NOW, story_ids=[str(i)], cluster=i, score=1.0))
    return Digest(channel="team", title="sitrep digest — <!channel> @everyone", since=None, until=NOW,
                  entries=entries, more=2)


# --- hypothesis --------------------------------------------------------------------------------

_ALPHABET = st.characters(codec="utf-8", exclude_categories=["Cs"])
_WORDY = st.sampled_from(["drone", "&", "<", ">", "@everyone", "<@U1>", "*", "_", "`", "|", "[x](y)", "\n",
                          " ", "  ", "😀", "é", "\\", "#", ":", "https://a.example/b", "pentagon.mil"])


def text(max_size: int) -> st.SearchStrategy[str]:
    """Mixed text: arbitrary characters and markup fragments, sometimes very long (a fragment
    repeated up to `max_size` times is cheap to draw and still exercises the splitting)."""
    fragment = st.one_of(st.text(_ALPHABET, max_size=20), _WORDY)
    repeated = st.builds(lambda f, k: (f + " ") * k if k % 2 else f * k, fragment, st.integers(1, max_size))
    return st.lists(st.one_of(fragment, fragment, repeated), max_size=min(max_size, 8)).map("".join)


def url() -> st.SearchStrategy[str | None]:
    return st.one_of(st.none(), st.sampled_from(HOSTILE_URLS),
                     st.text(st.characters(min_codepoint=33, max_codepoint=126), max_size=300)
                     .map(lambda p: "https://news.example/" + p))


@st.composite
def entries(draw: st.DrawFn, *, big: bool) -> DigestEntry:
    size = 400 if big else 20
    quote = draw(st.one_of(st.none(), st.builds(
        QuoteLine, text(size), url(), text(10), st.none(), st.one_of(st.none(), text(8)))))
    return DigestEntry(
        headline=draw(text(size // 4 if big else 10)), url=draw(url()),
        sources=draw(st.lists(st.builds(SourceLink, text(6), url()), max_size=40 if big else 4)),
        facts=draw(st.lists(text(size), max_size=5)), quote=quote,
        people=draw(st.lists(text(6), max_size=30 if big else 4)),
        published=draw(st.one_of(st.none(), st.just(NOW))), story_ids=["x"], cluster=None, score=0.0)


@st.composite
def digests(draw: st.DrawFn) -> Digest:
    big = draw(st.booleans())
    # A few drawn entries, repeated: long digests without paying hypothesis for every entry.
    items = draw(st.lists(entries(big=big), max_size=4)) * draw(st.integers(1, 3 if big else 15))
    people = draw(st.lists(st.builds(PersonLine, text(30 if big else 6), st.integers(0, 10_000),
                                     text(300 if big else 20)), max_size=8 if big else 3))
    return Digest(channel="c", title=draw(st.sampled_from(["sitrep digest — 3 events", "sitrep alert — drones"])),
                  since=draw(st.one_of(st.none(), st.just(NOW - timedelta(days=1)))), until=NOW,
                  entries=items, more=draw(st.integers(0, 10_000)),
                  kind=draw(st.sampled_from(["digest", "alert"])), people=people,
                  sections=draw(st.sampled_from([["events"], ["events", "people"], ["people", "events"], ["people"]])),
                  note=draw(st.one_of(st.just(""), text(200 if big else 20))))
