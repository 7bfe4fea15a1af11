"""Plain text from the HTML that feeds carry: paragraphs kept, markup, scripts and styles dropped."""

from __future__ import annotations

import re
import unicodedata
from html import unescape
from html.parser import HTMLParser

_BLOCK = frozenset({"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
                    "section", "article", "header", "footer", "figure", "figcaption", "tr", "table", "pre", "hr"})
_SKIP = frozenset({"script", "style", "noscript", "iframe", "svg", "template", "head"})
_SPACE = re.compile(r"[ \t\r\f\v\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class _Paragraphs(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.current: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skipping += 1
        elif tag in _BLOCK:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCK:
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.current.append(data)

    def _flush(self) -> None:
        text = clean("".join(self.current))
        if text:
            self.parts.append(text)
        self.current = []

    def close(self) -> None:
        super().close()
        self._flush()


def clean(text: str) -> str:
    """One line of normalised text: NFC, no control characters, single spaces."""
    text = unicodedata.normalize("NFC", text)
    text = _CONTROL.sub("", text)
    return _SPACE.sub(" ", text.replace("\n", " ")).strip()


def html_paragraphs(markup: str, *, limit: int = 2_000_000) -> list[str]:
    """Paragraphs of an HTML fragment; plain text passes through, split on blank lines."""
    markup = markup[:limit]
    if "<" not in markup:
        text = unescape(markup)
        return [p for p in (clean(x) for x in re.split(r"\n\s*\n|\r\n\s*\r\n", text)) if p]
    parser = _Paragraphs()
    try:
        parser.feed(markup)
        parser.close()
    except (AssertionError, ValueError):  # pragma: no cover - html.parser is lenient; belt and braces
        return [clean(re.sub(r"<[^>]*>", " ", markup))]
    return parser.parts


def html_text(markup: str) -> str:
    return "\n".join(html_paragraphs(markup))
