"""Stable story identity, so the same story is stored once however often and wherever it appears.

Order of preference: the feed's guid (scoped by nothing: guids are meant to be global), else the
canonical link, else a hash of title and date. Links are canonicalised: tracking parameters gone,
scheme and host lower-cased, default ports and trailing slashes dropped.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from bot.models import FeedItem

TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|yclid|_hsenc|_hsmi|"
                      r"ref|ref_src|cmpid|ncid|sr_share|smid|mbid|ocid|wt\.mc_id|__twitter_impression)$",
                      re.IGNORECASE)


def canonical_url(url: str | None) -> str | None:
    if not url or not isinstance(url, str):
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return url.strip() or None
    host = parts.hostname.lower().removeprefix("www.")
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if port in (None, 80, 443) else f"{host}:{port}"
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                             if not TRACKING.match(k)))
    path = re.sub(r"/{2,}", "/", parts.path or "/")
    if len(path) > 1:
        path = path.rstrip("/")
    # http and https name the same article; https is what we keep.
    return urlunsplit(("https", netloc, path, query, ""))


def title_key(title: str) -> str:
    words = re.findall(r"\w+", title.lower())
    return hashlib.sha1(" ".join(words).encode()).hexdigest()[:32] if words else ""


def story_id(item: FeedItem) -> str:
    if item.guid and item.guid.strip():
        guid = item.guid.strip()
        basis = "guid:" + ((canonical_url(guid) or guid) if guid.startswith(("http://", "https://")) else guid)
    elif canonical := canonical_url(item.link):
        basis = "url:" + canonical
    else:
        date = item.published.isoformat() if item.published else ""
        basis = f"title:{title_key(item.title)}:{date}"
    return hashlib.sha256(basis.encode()).hexdigest()[:32]
