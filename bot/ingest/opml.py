"""OPML 2.0, the subscription list every feed reader exports and imports.

Export writes each feed as an `<outline type="rss">` with its `xmlUrl`, and its topics in the
`category` attribute (`/ai-defense,/autonomy`, OPML 2.0's syntax). Import reads any OPML 1.0 or
2.0 file, nested folders included, with defusedxml and no DTD at all: entity expansion ("billion
laughs") and external entities cannot happen, and no parse ever touches the network.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from xml.etree.ElementTree import Element, ParseError, SubElement, indent, tostring

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from bot.errors import SitrepError
from bot.ingest.feed_names import unique_feed_name

MAX_BYTES = 5_000_000  # a subscription list of tens of thousands of feeds fits well under this
MAX_NAME = 100


class OpmlError(SitrepError):
    """A file that is not usable OPML (malformed, not OPML, or refused as unsafe)."""


@dataclass(frozen=True, slots=True)
class OpmlFeed:
    name: str  # the outline's text or title, as written
    url: str
    topics: list[str] | None = None
    html_url: str | None = None


@dataclass(slots=True)
class ImportPlan:
    """What an import will add, and what it skips with the reason."""

    add: list[tuple[str, OpmlFeed]] = field(default_factory=list)  # (unique feed name, feed)
    skipped: list[tuple[OpmlFeed, str]] = field(default_factory=list)


def export(feeds: Iterable[OpmlFeed], *, title: str, now: datetime) -> bytes:
    root = Element("opml", version="2.0")
    head = SubElement(root, "head")
    SubElement(head, "title").text = title
    SubElement(head, "dateCreated").text = format_datetime(now)
    SubElement(head, "docs").text = "https://opml.org/spec2.opml"
    body = SubElement(root, "body")
    for feed in feeds:
        attributes = {"type": "rss", "text": feed.name, "title": feed.name, "xmlUrl": feed.url}
        if feed.html_url:
            attributes["htmlUrl"] = feed.html_url
        if feed.topics:
            attributes["category"] = ",".join("/" + t for t in feed.topics)
        SubElement(body, "outline", attributes)
    indent(root)
    document: bytes = tostring(root, encoding="utf-8", xml_declaration=True)
    return document + b"\n"


def parse(data: bytes) -> list[OpmlFeed]:
    """The feeds of an OPML file, in document order; folders are walked, other outlines ignored."""
    if len(data) > MAX_BYTES:
        raise OpmlError(f"the file is larger than {MAX_BYTES // 1_000_000} MB; is it really a subscription list?")
    try:
        root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as refused:
        raise OpmlError(f"refused: the file declares a DTD or entities ({type(refused).__name__}); "
                        "OPML needs neither, and they are how XML entity bombs work") from None
    except ParseError as error:
        raise OpmlError(f"not well-formed XML: {error}") from None
    if _local(root.tag) != "opml":
        raise OpmlError(f"not OPML: the root element is <{_local(root.tag)}>, not <opml>")
    body = next((child for child in root if _local(child.tag) == "body"), None)
    if body is None:
        raise OpmlError("not OPML: there is no <body>")
    return [_feed(outline) for outline in body.iter() if _local(outline.tag) == "outline" and _url(outline)]


def plan(feeds: Sequence[OpmlFeed], *, existing_names: set[str], existing_urls: set[str],
         known_topics: set[str]) -> ImportPlan:
    """Decide what to add: http(s) feeds not already there, under unique names, with known topics only."""
    result = ImportPlan()
    names, urls = set(existing_names), set(existing_urls)
    for feed in feeds:
        if not re.match(r"^https?://[^\s/]+", feed.url, re.IGNORECASE):
            result.skipped.append((feed, "not an http(s) URL"))
            continue
        if feed.url in urls:
            result.skipped.append((feed, "already subscribed"))
            continue
        unknown = [t for t in feed.topics or [] if t not in known_topics]
        if unknown:
            result.skipped.append((feed, f"unknown topic {unknown[0]!r}"))
            continue
        name = unique_feed_name([feed.name, feed.url], names)
        names.add(name)
        urls.add(feed.url)
        result.add.append((name, feed))
    return result


def _feed(outline: Element) -> OpmlFeed:
    url = _url(outline)
    assert url is not None
    name = (outline.get("text") or outline.get("title") or "").strip()
    category = outline.get("category") or ""
    # OPML 2.0: comma-separated, each a slash-delimited path; the last part names the topic.
    topics = [part.strip().strip("/").split("/")[-1] for part in category.split(",") if part.strip().strip("/")]
    return OpmlFeed(name=name, url=url, topics=topics or None, html_url=outline.get("htmlUrl") or None)


def _url(outline: Element) -> str | None:
    """A feed's address: `xmlUrl` whatever the `type` says (readers write rss for Atom feeds too)."""
    value = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
    return value or None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()
