"""Stable story identity, so the same story is stored once however often and wherever it appears.

Order of preference: the feed's guid, else the canonical link, else a hash of title and date
(title alone, scoped to the feed, for an item with no date either).

Guids are scoped. A guid that is a URL, a `tag:` URI or a `urn:` names its story globally (that
is what those schemes are for), so it is used as it is. Any other guid ("1", "post-42", a bare
number from a CMS) is only unique within its feed: two unrelated feeds both have an item "1". Such
guids are prefixed with the feed's canonical address, so they never collide across feeds. The
same story carried by two feeds is still stored once: the store also matches on the canonical
link, which is global.

Links are canonicalised: tracking parameters gone, scheme (https), host (lower case, no "www."),
default ports, duplicate and trailing slashes and fragments dropped, query parameters sorted.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from bot.models import FeedItem

TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|gclsrc|dclid|msclkid|mc_cid|mc_eid|igshid|yclid|_hsenc|_hsmi|"
                      r"_ga|_gl|ref|ref_src|ref_url|cmpid|ncid|sr_share|smid|mbid|ocid|wt\.mc_id|"
                      r"__twitter_impression|spm|at_medium|at_campaign|guccounter|outputtype|s_cid|icid)$",
                      re.IGNORECASE)
_GLOBAL_GUID = re.compile(r"^(https?://|tag:|urn:)", re.IGNORECASE)


def canonical_url(url: str | None) -> str | None:
    if not url or not isinstance(url, str):
        return None
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return url.strip() or None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return url.strip() or None
    host = parts.hostname.lower().removeprefix("www.").rstrip(".")
    netloc = host if port in (None, 80, 443) else f"{host}:{port}"
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                             if not TRACKING.match(k)))
    path = re.sub(r"/{2,}", "/", parts.path or "/")
    if len(path) > 1:
        path = path.rstrip("/")
    # http and https name the same article; https is what we keep.
    return urlunsplit(("https", netloc, path, query, ""))


def title_key(title: str) -> str:
    """The title reduced to its words, so case, punctuation and spacing edits do not count."""
    words = re.findall(r"\w+", title.lower())
    return hashlib.sha1(" ".join(words).encode()).hexdigest()[:32] if words else ""


def feed_scope(feed_url: str) -> str:
    return canonical_url(feed_url) or feed_url


def identity_basis(item: FeedItem, *, scope: str) -> str:
    """What the id is derived from (kept readable for tests and debugging)."""
    guid = (item.guid or "").strip()
    if guid:
        if guid.lower().startswith(("http://", "https://")):
            return "guid:" + (canonical_url(guid) or guid)
        if _GLOBAL_GUID.match(guid):
            return "guid:" + guid
        return f"guid:{scope}#{guid}"
    if canonical := canonical_url(item.link):
        return "url:" + canonical
    # With an exact date, title and date name one story anywhere; without a date only within the feed.
    if item.published:
        return f"title:{title_key(item.title)}:{item.published.isoformat()}"
    return f"title:{scope}#{title_key(item.title)}"


def story_id(item: FeedItem, *, scope: str = "") -> str:
    """A 32-character id, stable across polls; `scope` is the feed's address (see the module doc)."""
    return hashlib.sha256(identity_basis(item, scope=scope).encode()).hexdigest()[:32]
