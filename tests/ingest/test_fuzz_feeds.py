"""Fuzzing the feed path: random and mutated bytes through the real fetch (a local file), parse and
store code of a poll. Whatever a feed server sends, the poll ends as an outcome (ok, or failed with
a reason), nothing escapes as an exception, and what is stored reads back."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.app import Sitrep
from bot.clock import FakeClock
from bot.ingest.parse import parse_feed
from bot.store import Store
from tests.conftest import make_config
from tests.fakes.digests import HOSTILE

SETTINGS = settings(max_examples=120, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

# Written for these tests.
RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Fuzz Wire</title><link>https://wire.example/</link><ttl>30</ttl>
<item><title>Army tests AI drone swarm</title><link>https://wire.example/a</link><guid>a-1</guid>
<pubDate>Tue, 10 Mar 2026 09:00:00 GMT</pubDate><author>desk@wire.example (Desk)</author>
<description>&lt;p&gt;The Army said it flew &lt;b&gt;forty&lt;/b&gt; autonomous sorties.&lt;/p&gt;</description>
</item>
<item><title><![CDATA[Navy & AI: "uncrewed" boats]]></title><link>https://wire.example/b</link>
<pubDate>not a date</pubDate><description>Short.</description></item>
</channel></rss>
"""
ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title type="html">Policy &amp;amp; Tech</title>
<link href="https://policy.example/"/><updated>2026-03-10T08:00:00Z</updated><id>urn:policy</id>
<entry><title>Pentagon AI rules</title><link rel="alternate" href="https://policy.example/1"/><id>urn:1</id>
<updated>2026-03-10T08:00:00Z</updated><summary>A summary.</summary>
<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Longer content about defense AI.</p></div></content>
</entry></feed>
"""
_FRAGMENTS = st.sampled_from([
    b"<", b">", b"</", b"/>", b"&", b"&amp;", b"&#0;", b"&#x110000;", b"&#xD800;", b"&lol;", b"<![CDATA[", b"]]>",
    b'<!DOCTYPE rss [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>',
    b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', b"&xxe;",
    b'<?xml version="1.0" encoding="utf-16"?>', b'<?xml version="1.0" encoding="bogus-8"?>', b"\xef\xbb\xbf",
    b"\xff\xfe", b"\xfe\xff", b"\x00", b"\x80\x81", b"\xc3", b"<item>", b"</item>", b"<entry>", b"<title>",
    b"</title>", b"<link>", b"javascript:alert(1)", b"<pubDate>", b"Mon, 99 Foo 99999 99:99:99 +9999",
    b"<updated>9999-99-99T99:99:99Z</updated>", b"<ttl>99999999999999999999</ttl>", b"<ttl>-1</ttl>",
    b"<guid>", b"<script>alert(1)</script>", b"<html><head>",
    b'<link rel="alternate" type="application/rss+xml" href="',
    b"\n", b" " * 50, b"x" * 5000, b"<content:encoded>", b"<description>", b"&lt;p&gt;", b"<rdf:RDF>",
])


def _splice(base: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    for at, cut, insert in edits:
        at %= len(base) + 1
        base = base[:at] + insert + base[at + cut:]
    return base


_EDITS = st.lists(st.tuples(st.integers(0, 2000), st.integers(0, 30), st.one_of(_FRAGMENTS, st.binary(max_size=8))),
                  min_size=1, max_size=8)
_MUTATED = st.builds(_splice, st.sampled_from([RSS, ATOM]), _EDITS)
_TEXT = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40))


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@st.composite
def _generated(draw: st.DrawFn) -> bytes:
    """Well-formed RSS whose every field is hostile or random text."""
    items = []
    for _ in range(draw(st.integers(0, 6))):
        fields = {name: draw(_TEXT) for name in ("title", "link", "guid", "pubDate", "description", "author")}
        items.append("<item>" + "".join(f"<{k}>{_escape(v)}</{k}>" for k, v in fields.items()) + "</item>")
    head = f"<title>{_escape(draw(_TEXT))}</title><link>{_escape(draw(_TEXT))}</link>"
    document = (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>{head}{"".join(items)}'
                "</channel></rss>")
    return document.encode("utf-8", "surrogatepass")


BODIES = st.one_of(st.binary(max_size=300), _MUTATED, _generated())


class FeedRig:
    """One core, one store, one local feed file rewritten for each example."""

    def __init__(self, tmp: Path) -> None:
        self.path = tmp / "feed.xml"
        self.store = Store.open(f"sqlite:///{tmp / 'fuzz.db'}")
        document = {"feeds": [{"name": "fuzz", "url": str(self.path), "full_text": "never"}]}
        self.core = Sitrep(config=make_config(yaml.safe_dump(document), tmp), store=self.store, clock=FakeClock())
        self.core.sync_feeds()
        self.serial = itertools.count()

    def poll(self, body: bytes) -> Any:
        # A fresh file each time, so the unchanged-body shortcut never hides a parse.
        self.path.write_bytes(body + f"<!-- {next(self.serial)} -->".encode())
        row = self.store.feeds.get("fuzz")
        assert row is not None
        return asyncio.run(self.core.poller.poll_feed(row))  # poll_feed: no catch-all around it


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FeedRig]:
    rig = FeedRig(tmp_path_factory.mktemp("fuzz-feeds"))
    yield rig
    rig.store.close()


@SETTINGS
@given(BODIES)
@example(RSS)
@example(ATOM)
@example(b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
         b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]><rss version="2.0"><channel><title>&c;</title></channel></rss>')
@example(b"<rss version='2.0'><channel><item><title>t</title><pubDate>Mon, 01 Jan 99999 00:00:00 GMT</pubDate>"
         b"</item></channel></rss>")
@example(b"<rss version='2.0'><channel><ttl>99999999999999999999</ttl><item><title>t</title></item></channel></rss>")
@example(b"<rss version='2.0'><channel><item><title>\x00</title><guid>\x00</guid></item></channel></rss>")
def test_any_body_polls_to_an_outcome(rig: FeedRig, body: bytes) -> None:
    outcome = rig.poll(body)
    assert outcome.status in ("ok", "failed"), outcome
    assert outcome.error is None or not outcome.error.startswith("internal error")
    for view in rig.store.stories.views(include_irrelevant=True)[:50]:
        assert isinstance(view.title, str)


@settings(max_examples=200, deadline=None)
@given(BODIES)
@example(b'<rss version="2.0"><channel><title>t</title><item><title></title><link>\x00</link>'
         b'<guid>\x00</guid></item></channel></rss>')  # a control character as the only link is no title
def test_parse_never_raises_and_items_are_text(body: bytes) -> None:
    parsed = parse_feed(body, url="fuzz", content_type=None)
    assert parsed.usable or parsed.problem
    for item in parsed.items:
        assert isinstance(item.title, str) and isinstance(item.content, str)
        assert item.link is None or isinstance(item.link, str)
        assert "\x00" not in item.title
