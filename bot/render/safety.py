"""Making text from feeds inert before it reaches a chat platform or a terminal.

Everything a feed says is hostile until proven otherwise: a headline can try to ping a whole
server (`@everyone`, `<!channel>`), smuggle a link whose label names another site, switch a
terminal's colours, or reverse the text around it with bidi controls. Every renderer runs feed
text through these functions; each platform gets the escaping its own markup defines:

- Slack mrkdwn: `&`, `<`, `>` become `&amp;`, `&lt;`, `&gt;` (Slack's formatting rules), which
  turns `<!channel>`, `<@U123>` and `<http://x|label>` into plain text; bare `@channel`,
  `@here` and `@everyone` get a zero-width joiner so no client or `link_names` can resolve them.
- Discord Markdown: `@everyone`/`@here` and `<@id>`, `<@!id>`, `<@&id>`, `<#id>`, `</cmd:id>` are
  broken with a zero-width space (and messages send `allowed_mentions: {"parse": []}` as well);
  Markdown punctuation is backslash-escaped so text cannot become a masked link or a heading.
- Terminals: control characters (ANSI escapes included) are dropped.

Links are built only by the renderers, only to http(s) URLs, and a label that looks like a URL
or domain other than the link's own host is not used as a label (see `deceptive_label`).
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote, urlsplit, urlunsplit

ZWSP = "\u200b"  # zero-width space: invisible, breaks the mention syntax
WJ = "\u2060"  # word joiner: invisible, keeps the word together while breaking `@channel`
MAX_URL = 1000  # longer URLs are not linked: no real article URL needs more

# C0/C1 controls (ESC starts ANSI sequences), DEL, bidi embeddings/overrides/isolates, the
# line/paragraph separators some clients render as newlines, and the BOM.
_CONTROLS = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069\ufeff]"
)
_SPACES = re.compile(r"\s+")


def clean(text: str | None) -> str:
    """One line: NFC, no control or bidi characters, whitespace (newlines too) collapsed."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text)
    text = _CONTROLS.sub("", text.replace("\t", " ").replace("\r", " ").replace("\n", " "))
    return _SPACES.sub(" ", text).strip()


# --- Slack --------------------------------------------------------------------------------------

_SLACK_BROADCAST = re.compile(r"(?<!\w)@(channel|here|everyone)\b", re.IGNORECASE)


def slack_escape(text: str) -> str:
    """Feed text as inert Slack mrkdwn (or plain_text): no mentions, no links, no entities."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _SLACK_BROADCAST.sub(lambda m: "@" + WJ + m.group(1), text)


def slack_url(url: str) -> str:
    """A URL safe inside Slack's `<url|label>`: nothing that ends the link or starts a label."""
    return (url.replace("&", "&amp;").replace("<", "%3C").replace(">", "%3E").replace("|", "%7C")
            .replace(" ", "%20"))


# --- Discord ------------------------------------------------------------------------------------

_DISCORD_BROADCAST = re.compile(r"@(everyone|here)", re.IGNORECASE)
_DISCORD_TAG = re.compile(r"<(@[!&]?|#|/|a?:|t:)")
_DISCORD_MARKDOWN = re.compile(r"([\\*_~`|>#\-\[\]()<])")


def discord_neutralise(text: str) -> str:
    """Break every mention form without otherwise changing the text (for code spans too)."""
    text = _DISCORD_TAG.sub(lambda m: "<" + ZWSP + m.group(1), text)
    return _DISCORD_BROADCAST.sub(lambda m: "@" + ZWSP + m.group(1), text)


def discord_escape(text: str) -> str:
    """Feed text as inert Discord Markdown: punctuation escaped, mentions broken."""
    return _DISCORD_MARKDOWN.sub(r"\\\1", discord_neutralise(text))


def discord_url(url: str) -> str:
    """A URL safe inside `[label](url)`: parentheses, spaces and angle brackets percent-encoded."""
    return (url.replace("(", "%28").replace(")", "%29").replace(" ", "%20").replace("<", "%3C")
            .replace(">", "%3E"))


# --- links --------------------------------------------------------------------------------------

_HOST = re.compile(r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$", re.IGNORECASE)
_SAFE = "/:?=&;,+!$'*@~.%-_"  # kept as they are; everything else is percent-encoded
_DOMAINISH = re.compile(
    r"(?:[a-z][a-z0-9+.-]*://)?((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24})(?![a-z0-9-])",
    re.IGNORECASE,
)


def link_target(url: str | None) -> str | None:
    """The URL in a form every platform accepts, or None if it must not be linked at all:
    only http(s) with a plausible host, no controls, not absurdly long; characters URLs may not
    carry (`|`, `<`, `>`, quotes, spaces, non-ASCII) are percent-encoded rather than trusted."""
    if not url:
        return None
    url = url.strip()
    if len(url) > MAX_URL or _CONTROLS.search(url) or any(c.isspace() for c in url):
        return None
    try:
        parts = urlsplit(url)
        hostname = parts.hostname or ""
        port = parts.port  # raises on a malformed port
        ascii_host = hostname.encode("idna").decode("ascii")
    except (ValueError, UnicodeError):
        return None
    if parts.scheme.lower() not in ("http", "https") or not _HOST.match(ascii_host):
        return None
    if "@" in parts.netloc:
        return None  # user:password@ in a link is a classic disguise; a news link never needs it
    netloc = ascii_host + (f":{port}" if port is not None else "")
    rebuilt = urlunsplit((parts.scheme.lower(), netloc, quote(parts.path, safe=_SAFE),
                          quote(parts.query, safe=_SAFE), quote(parts.fragment, safe=_SAFE)))
    return rebuilt if len(rebuilt) <= MAX_URL else None


def host(url: str) -> str:
    name = (urlsplit(url).hostname or "").lower()
    return name.removeprefix("www.")


def deceptive_label(label: str, url: str) -> bool:
    """True when the label names a site (a URL or a domain) that is not where the link goes.

    "Read it at pentagon.mil" linking to evil.example would pass for an official link; such a
    label is shown as text, next to a link labelled with the real host.
    """
    target = host(url)
    for match in _DOMAINISH.finditer(label):
        named = match.group(1).lower().removeprefix("www.")
        if "." not in named or named.replace(".", "").isdigit():
            continue
        if not (target == named or target.endswith("." + named) or named.endswith("." + target)):
            return True
    return False
