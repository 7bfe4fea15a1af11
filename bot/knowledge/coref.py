"""Who "she", "the company" and a bare "spokesperson" stand for: the reader's memory of a story.

A pronoun is resolved to the person last named, the way a reader does: names inside quotations
are not candidates (the speaker is talking about them), nor are names that follow a preposition
("respect for Sam", "a deal with Altman"), which are rarely the subject of what comes next.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.knowledge.entities import Span
from bot.knowledge.gazetteer import words
from bot.knowledge.quotemarks import QuoteSpan
from bot.models import EntityKind

_PREPOSITION = re.compile(r"\b(?:with|by|for|to|from|of|at|about|against|than|like|under|toward|towards|and)\s+"
                          r"(?:[A-Z][\w.’'-]*\s+){0,3}$")
_ABBREVIATIONS = words("""
mr mrs ms dr prof gen col lt maj capt sgt adm cmdr sen rep gov jr sr st inc corp co ltd no vs etc
jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k u.n e.u
""")
_FIRM = re.compile(r"\b(?:company|firm|startup|start-up|maker|contractor|giant|business)\b", re.IGNORECASE)
_PUBLIC = re.compile(r"\b(?:Army|Navy|Air Force|Space Force|Marines?|Corps|Department|Ministry|Agency|Pentagon|"
                     r"Command|Congress|Senate|House|Parliament|Government|Administration|Office|Council|NATO|"
                     r"Guard|Commission)\b")
_TERMINATOR = re.compile(r"[.!?]+[”’\"']?(?=\s+[A-Z“\"‘'(]|\s*$)")


class Story:
    """One story as the attribution and role rules read it: text, mentions, quotation marks."""

    def __init__(self, text: str, found: Sequence[Span], quotes: Sequence[QuoteSpan],
                 alias_of: dict[str, str]) -> None:
        self.text = text
        self.mentions = sorted(found, key=lambda s: s.start)
        self.people = [s for s in self.mentions if s.kind is EntityKind.person]
        self.orgs = [s for s in self.mentions if s.kind is EntityKind.org]
        self.quotes = list(quotes)
        self.alias_of = alias_of

    def name(self, span: Span) -> str:
        return self.alias_of.get(span.text, span.text)

    def quoted(self, offset: int) -> bool:
        return any(q.start < offset < q.end for q in self.quotes)

    def within(self, start: int, end: int, kind: EntityKind | None = None) -> list[Span]:
        pool = self.mentions if kind is None else self.people if kind is EntityKind.person else self.orgs
        return [s for s in pool if start <= s.start < end and not self.quoted(s.start)]

    def person_before(self, offset: int, *, since: int = 0) -> Span | None:
        """The person a "she" or "he" at `offset` most likely means."""
        fallback = None
        for span in reversed(self.people):
            if span.start >= offset or self.quoted(span.start):
                continue
            if span.start < since:
                break
            if _PREPOSITION.search(self.text[max(0, span.start - 50):span.start]):
                fallback = fallback or span
                continue
            return span
        return fallback

    def org_antecedent(self, offset: int, phrase: str, sentence_start: int) -> Span | None:
        """The organisation a possessive at `offset` refers to, read the way news is written.

        ", whose" points at the noun phrase right before it ("Anthropic, whose chief executive");
        "its" / "their" at the nearest organisation earlier in the same sentence ("cut ties with
        Anthropic after its chief executive"), a firm rather than a public body when one is there;
        "the company's" and a possessive with nothing in the sentence fall back to `org_before`.
        """
        in_sentence = [s for s in self.orgs if sentence_start <= s.start and s.end <= offset
                       and not self.quoted(s.start)]
        if re.search(r",\s*whose\s*$", phrase):
            adjacent = [s for s in in_sentence if re.fullmatch(r"\s*,\s*whose\s*", self.text[s.end:offset])]
            if adjacent:
                return adjacent[-1]
        if re.search(r"\b(?:its|their)\s*$", phrase) and in_sentence:
            firms = [s for s in in_sentence if not _PUBLIC.search(self.name(s))]
            return (firms or in_sentence)[-1]
        return self.org_before(offset, phrase)

    def org_before(self, offset: int, phrase: str = "") -> Span | None:
        """The organisation "the company" or "its" at `offset` stands for: of those named before it, the
        one the story names most (its subject, not the think tank quoted in passing), the first on a tie.
        "The company" or "the startup" is not the Army: public bodies are left out when a firm is meant."""
        named = [s for s in self.orgs if s.start < offset and not self.quoted(s.start)]
        if _FIRM.search(phrase):
            named = [s for s in named if not _PUBLIC.search(self.name(s))] or named
        if not named:
            return None
        counts: dict[str, int] = {}
        for span in self.orgs:
            counts[self.name(span)] = counts.get(self.name(span), 0) + 1
        top = max(counts.get(self.name(s), 0) for s in named)
        return next(s for s in named if counts.get(self.name(s), 0) == top)

    def _inner(self, start: int, end: int) -> bool:
        """A full stop inside a quotation, unless the quotation ends with it (and so does the sentence)."""
        return any(q.start < start < q.end and q.end != end for q in self.quotes)

    def paragraph_bounds(self, offset: int) -> tuple[int, int]:
        start = self.text.rfind("\n", 0, offset) + 1
        end = self.text.find("\n", offset)
        return start, len(self.text) if end < 0 else end

    def sentence_start(self, offset: int) -> int:
        """Where the sentence holding `offset` starts (sentence ends inside quotations do not count)."""
        start, _ = self.paragraph_bounds(offset)
        best = start
        for match in _TERMINATOR.finditer(self.text, start, offset):
            if self._inner(match.start(), match.end()) or _abbreviation(self.text, match.start()):
                continue
            best = match.end()
        while best < offset and self.text[best].isspace():
            best += 1
        return best

    def sentence_end(self, offset: int, limit: int | None = None) -> int:
        _, end = self.paragraph_bounds(offset)
        end = min(end, limit) if limit is not None else end
        for match in _TERMINATOR.finditer(self.text, offset, end):
            if self._inner(match.start(), match.end()) or _abbreviation(self.text, match.start()):
                continue
            return match.end()
        return end


def _abbreviation(text: str, dot: int) -> bool:
    """Is the full stop at `dot` part of "Col.", "U.S." or an initial rather than a sentence end?"""
    if text[dot] != ".":
        return False
    word = re.search(r"([\w.]+)$", text[max(0, dot - 12):dot])
    if not word:
        return False
    token = word.group(1).lower()
    return token in _ABBREVIATIONS or (len(token) == 1 and text[dot - 1].isupper()) or "." in token
