"""Topic rules: named sets of words and phrases deciding which stories a feed or channel keeps.

Terms match on word boundaries. A term in capitals of up to five letters (AI, DoD, NATO) matches
case-sensitively, so "AI" never matches "said", "aide" or "Thai". A term written /like this/ is a
regular expression run by RE2, which cannot backtrack catastrophically on hostile text.

`ignore` phrases are blanked out before the other lists are tried: "drone bees" then no longer
counts as a "drone", while a real drone elsewhere in the story still does. `none` is a veto: any
match drops the story.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import re2

from bot.config.models import TopicConfig
from bot.models import TopicMatch

MAX_TEXT = 200_000  # longer stories are matched on their first 200k characters
_ACRONYM = re.compile(r"^[A-Z][A-Za-z0-9.&-]{0,5}$")


def _is_acronym(term: str) -> bool:
    letters = [ch for ch in term if ch.isalpha()]
    return bool(_ACRONYM.match(term)) and sum(ch.isupper() for ch in letters) >= max(2, len(letters) - 1)


def _phrase_pattern(term: str) -> str:
    words = [re.escape(w) for w in term.split()]
    return r"[\s\-]+".join(words)


class TermSet:
    """A list of terms compiled into as few scans as possible; reports which terms were found."""

    def __init__(self, terms: Iterable[str]) -> None:
        self.terms = [t.strip() for t in terms if t and t.strip()]
        exact, folded, regexes = [], [], []
        self._by_key: dict[str, str] = {}
        for term in self.terms:
            if len(term) > 2 and term.startswith("/") and term.endswith("/"):
                regexes.append(term)
            elif _is_acronym(term):
                exact.append(term)
                self._by_key[term] = term
            else:
                folded.append(term)
                self._by_key[_fold(term)] = term
        boundary = r"(?<![\w]){}(?![\w])"
        self._exact = re.compile("|".join(boundary.format(_phrase_pattern(t)) for t in
                                          sorted(exact, key=len, reverse=True))) if exact else None
        self._folded = re.compile("|".join(boundary.format(_phrase_pattern(t)) for t in
                                           sorted(folded, key=len, reverse=True)), re.IGNORECASE) if folded else None
        options = re2.Options()
        options.max_mem = 8 << 20
        self._regexes = [(t, re2.compile(t[1:-1], options)) for t in regexes]

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where the terms occur, for masking (see TopicConfig.ignore)."""
        found: list[tuple[int, int]] = []
        for pattern in (self._exact, self._folded):
            if pattern is not None:
                found.extend(m.span() for m in pattern.finditer(text))
        for _term, regex in self._regexes:
            found.extend(m.span() for m in regex.finditer(text))
        return found

    def found(self, text: str) -> list[str]:
        hits: dict[str, None] = {}
        if self._exact is not None:
            for match in self._exact.finditer(text):
                hits.setdefault(self._by_key.get(_squash(match.group(0)), match.group(0)))
        if self._folded is not None:
            for match in self._folded.finditer(text):
                hits.setdefault(self._by_key.get(_fold(match.group(0)), match.group(0)))
        for _term, pattern in self._regexes:
            match = pattern.search(text)
            if match:  # report what the regex found, so the reasons read as words, not as the pattern
                hits.setdefault(match.group(0))
        return list(hits)


def _squash(text: str) -> str:
    return re.sub(r"[\s\-]+", " ", text)


def _fold(text: str) -> str:
    return _squash(text).lower()


@dataclass(slots=True)
class _CompiledTopic:
    name: str
    config: TopicConfig
    any: TermSet
    all: list[TermSet]
    none: TermSet
    ignore: TermSet


class TopicFilter:
    def __init__(self, topics: Mapping[str, TopicConfig]) -> None:
        self.topics = {
            name: _CompiledTopic(
                name, topic, TermSet(topic.any),
                [TermSet(entry if isinstance(entry, list) else [entry]) for entry in topic.all],
                TermSet(topic.none), TermSet(topic.ignore))
            for name, topic in topics.items()
        }

    def match(self, *, title: str, summary: str, text: str, names: Sequence[str] | None = None) -> list[TopicMatch]:
        fields = {"title": title, "summary": summary, "text": text[:MAX_TEXT]}
        results = []
        for name in names if names is not None else list(self.topics):
            topic = self.topics.get(name)
            if topic is None:
                continue
            haystack = "\n".join(fields[f] for f in topic.config.fields)
            results.append(_evaluate(topic, haystack))
        return results


def _mask(text: str, spans: list[tuple[int, int]]) -> str:
    """The text with the given spans blanked out (same length, so nothing else moves)."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def _evaluate(topic: _CompiledTopic, text: str) -> TopicMatch:
    reasons: list[str] = []
    matched = True
    if topic.ignore.terms:
        ignored = topic.ignore.found(text)
        if ignored:
            text = _mask(text, topic.ignore.spans(text))
            reasons.append(f"ignored: {', '.join(ignored[:5])}")
    for i, terms in enumerate(topic.all):
        found = terms.found(text)
        if found:
            reasons.append(f"all[{i}]: {', '.join(found[:5])}")
        else:
            matched = False
            more = "…" if len(terms.terms) > 4 else ""
            reasons.append(f"all[{i}] missing: none of {', '.join(terms.terms[:4])}{more}")
    if topic.any.terms:
        found = topic.any.found(text)
        if found:
            reasons.append(f"any: {', '.join(found[:5])}")
        else:
            matched = False
            reasons.append("any missing")
    excluded = topic.none.found(text)
    if excluded:
        matched = False
        reasons.append(f"none: {', '.join(excluded[:5])}")
    return TopicMatch(topic.name, matched, reasons)


def describe(matches: list[TopicMatch]) -> dict[str, Any]:
    return {m.topic: {"matched": m.matched, "reasons": m.reasons} for m in matches}
