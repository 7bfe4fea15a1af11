"""Defusing XML before any parser sees it: no entity expansion bombs, no external entities.

feedparser hands documents to expat (strict) or to its own loose parser when expat gives up. Both
would honour entity declarations in a DOCTYPE's internal subset, and the loose parser has no
expansion limit at all. So the internal subset is rewritten before parsing: only short literal
general entities survive (a feed that defines `&mdash;` keeps working); declarations that refer to
other entities (billion laughs), that are long (quadratic blow-up), that are parameter entities,
or that point outside the document (SYSTEM / PUBLIC: local files, URLs) are dropped. Nothing is
ever fetched or read because a document asked for it.

The DOCTYPE is found however much comment or processing instruction precedes it (each is skipped
with one search, so the scan stays linear), and the rewritten DOCTYPE is put right after the XML
declaration: feedparser only looks for entity declarations before the first thing that looks like
a tag, and a comment holding `<b>` in front of the DOCTYPE would otherwise hide the kept ones.

UTF-16 and UTF-32 documents are transcoded to UTF-8 first so the scan sees characters, not bytes.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

MAX_ENTITY_VALUE = 64  # longer literal values are dropped: 10 MB of references must not become gigabytes
HEAD_LIMIT = 1_000_000  # a DOCTYPE longer than this is not a feed anyone writes: it is cut off, not kept

_BOMS = [(codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")]
_NO_BOM = [(b"\x00\x00\x00<", "utf-32-be"), (b"<\x00\x00\x00", "utf-32-le"), (b"\x00<\x00?", "utf-16-be"),
           (b"<\x00?\x00", "utf-16-le")]
_DECL_ENCODING = re.compile(rb"""^(<\?xml[^>]*?encoding\s*=\s*)(["'])[^"']*\2""")
_DECLARATION = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_SAFE_VALUE = re.compile(r"^[^&%<]*$|^&#(?:\d{1,7}|x[0-9a-fA-F]{1,6});$")


@dataclass(frozen=True, slots=True)
class Defused:
    body: bytes
    removed: int = 0  # entity declarations dropped
    transcoded: str | None = None  # the wide encoding the body came in, if any

    @property
    def problem(self) -> str | None:
        if not self.removed:
            return None
        return f"{self.removed} unsafe entity declaration{'s' if self.removed != 1 else ''} removed"


def to_utf8(body: bytes) -> tuple[bytes, str | None]:
    """UTF-16/32 (with or without a BOM) as UTF-8, with the XML declaration saying so."""
    codec = next((c for bom, c in _BOMS if body.startswith(bom)), None)
    if codec is None:
        codec = next((c for start, c in _NO_BOM if body.startswith(start)), None)
    if codec is None or codec == "utf-8-sig":
        return body, None
    try:
        text = body.decode(codec)
    except UnicodeDecodeError:
        return body, None
    data = text.lstrip("\ufeff").encode("utf-8")
    return _DECL_ENCODING.sub(rb"\1\2utf-8\2", data, count=1), codec


def defuse(body: bytes) -> Defused:
    body, codec = to_utf8(body)
    start, unterminated = _doctype_start(body)
    if unterminated >= 0 and _DECLARATION.search(body, unterminated):
        # A comment or PI that never ends runs to the end of the document for an XML parser, so
        # nothing after it is readable; a declaration there is cut off rather than left to a
        # parser that reads comments differently.
        return Defused(body[:unterminated], 1, codec)
    if start < 0:
        return Defused(body, 0, codec)
    end, subset = _doctype_end(body, start)
    if end < 0:  # an unterminated DOCTYPE: cut it off, the parser gets what follows it (nothing useful)
        return Defused(body[:start], 1, codec)
    if subset is None:
        return Defused(body, 0, codec)
    kept, removed = _filter_subset(body[subset[0]:subset[1]].decode("utf-8", "replace"))
    head = body[start:subset[0] - 1]  # "<!DOCTYPE name ExternalID?" up to the "["
    # The DOCTYPE and each kept declaration on a line of their own: feedparser filters the DOCTYPE
    # again with expressions anchored at the start of a line; a declaration written straight after
    # "[" is dropped, and a DOCTYPE after "?>" is not found, so its declarations are not put back.
    replacement = head + (b"[\n" + kept.encode("utf-8") + b"\n]" if kept else b"") + b">"
    at = _after_declaration(body)  # comments and PIs between the declaration and the DOCTYPE move behind it
    newline = b"\n" if at else b""
    return Defused(body[:at] + newline + replacement + body[at:start] + body[end:], removed, codec)


def _after_declaration(body: bytes) -> int:
    """Where the XML declaration (and a UTF-8 byte order mark) end: the first place a DOCTYPE may go."""
    at = len(codecs.BOM_UTF8) if body.startswith(codecs.BOM_UTF8) else 0
    if body.startswith(b"<?xml", at) and body[at + 5:at + 6].isspace():
        close = body.find(b"?>", at)
        if close >= 0:
            return close + 2
    return at


def _doctype_start(body: bytes) -> tuple[int, int]:
    """Where `<!DOCTYPE` starts in the prolog (before the first element), or -1; and where a
    comment or PI starts that never ends, or -1.

    Comments and processing instructions of any length are skipped with one search each. A PI
    with no `?>` ends at its first `>` if no markup comes before it, as feedparser's loose parser
    reads it (`<?xml version="1.0">` is a common slip), so a DOCTYPE after it is still found."""
    i, n = 0, len(body)
    while i < n:
        j = body.find(b"<", i)
        if j < 0:
            return -1, -1
        if body.startswith(b"<?", j):
            k = body.find(b"?>", j + 2)
            if k >= 0:
                i = k + 2
                continue
            k = body.find(b">", j + 2)
            if k < 0 or body.find(b"<", j + 2, k) >= 0:  # no end short of the next markup: it never ends
                return -1, j
            i = k + 1
        elif body.startswith(b"<!--", j):
            k = body.find(b"-->", j + 4)
            if k < 0:
                return -1, j
            i = k + 3
        elif body[j + 2:j + 9].upper() == b"DOCTYPE" and body.startswith(b"<!", j):
            return j, -1
        else:
            return -1, -1  # the root element: no DOCTYPE before it
    return -1, -1


def _doctype_end(body: bytes, start: int) -> tuple[int, tuple[int, int] | None]:
    """The index after the DOCTYPE's closing `>`, and the span of its internal subset if it has one."""
    i, n = start + 9, min(len(body), start + HEAD_LIMIT)
    quote = 0
    subset_start = -1
    while i < n:
        c = body[i]
        if quote:
            if c == quote:
                quote = 0
        elif c in (0x22, 0x27):  # " '
            quote = c
        elif c == 0x5B and subset_start < 0:  # [
            subset_start = i + 1
            close = _subset_end(body, subset_start, n)
            if close < 0:
                return -1, None
            gt = body.find(b">", close + 1, n)
            return (gt + 1, (subset_start, close)) if gt >= 0 else (-1, None)
        elif c == 0x3E:  # >
            return i + 1, None
        i += 1
    return -1, None


def _subset_end(body: bytes, i: int, n: int) -> int:
    """The index of the `]` closing an internal subset, skipping quoted text, comments and PIs."""
    quote = 0
    while i < n:
        c = body[i]
        if quote:
            if c == quote:
                quote = 0
        elif body.startswith(b"<!--", i):
            k = body.find(b"-->", i + 4, n)
            if k < 0:
                return -1
            i = k + 3
            continue
        elif body.startswith(b"<?", i):
            k = body.find(b"?>", i + 2, n)
            if k < 0:
                return -1
            i = k + 2
            continue
        elif c in (0x22, 0x27):
            quote = c
        elif c == 0x5D:  # ]
            return i
        i += 1
    return -1


_ENTITY = re.compile(r"""<!ENTITY\s+(%\s+)?([^\s"'>%]+)\s+(?:(SYSTEM|PUBLIC)\b[^>]*|"([^"]*)"\s*|'([^']*)'\s*)>""")
MAX_DECLARATIONS = 1000


def _filter_subset(subset: str) -> tuple[str, int]:
    """Safe general entity declarations of an internal subset, and how many others were dropped."""
    kept: list[str] = []
    removed = 0
    starts = [m.start() for m in re.finditer(r"<!ENTITY\b", subset)]
    if len(starts) > MAX_DECLARATIONS:  # nobody needs this many: keep none, and keep the scan linear
        return "", len(starts)
    for index, start in enumerate(starts):
        # Each match may look only as far as the next declaration: unbounded, a thousand unclosed
        # SYSTEM declarations made each scan to the end of a megabyte subset (quadratic). A value
        # running past the next "<!ENTITY" holds a "<", which is unsafe anyway.
        end = starts[index + 1] if index + 1 < len(starts) else len(subset)
        declaration = _ENTITY.match(subset, start, end)
        if declaration is None:
            removed += 1
            continue
        parameter, name, external, double, single = declaration.groups()
        value = double if double is not None else single
        if parameter or external or value is None or len(value) > MAX_ENTITY_VALUE or not _SAFE_VALUE.match(value):
            removed += 1
            continue
        quote = "'" if '"' in value else '"'
        kept.append(f"<!ENTITY {name} {quote}{value}{quote}>")
    return "\n".join(kept), removed
