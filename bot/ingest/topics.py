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

from bot.config.settings import TopicConfig
from bot.config.types import compile_regex, is_regex_term
from bot.models import TopicMatch

MAX_TEXT = 200_000  # longer stories are matched on their first 200k characters
_ACRONYM = re.compile(r"^[A-Z][A-Za-z0-9.&-]{0,5}$")


def _is_acronym(term: str) -> bool:
    letters = [ch for ch in term if ch.isalpha()]
    return bool(_ACRONYM.match(term)) and sum(ch.isupper() for ch in letters) >= max(2, len(letters) - 1)


def _phrase_pattern(term: str) -> str:
    # Split on the separator itself, so no word starts or ends with what the separator matches: a
    # term like "U.S. - China" would otherwise give `[\s\-]+\-[\s\-]+`, which backtracks over a
    # run of spaces and hyphens in feed text in quadratic (with more such words, worse) time.
    words = [re.escape(w) for w in re.split(r"[\s\-]+", term) if w]
    return r"[\s\-]+".join(words) if words else re.escape(term.strip())


_TOKEN = re.compile(r"\w+")
_WORD_TERM = re.compile(r"^\w+(?:[\s\-]+\w+)*$")
_GAP = re.compile(r"^[\s\-]+$")


class Tokens:
    """A text split once into words, shared by every term list that looks at it.

    Matching walks the words and looks each one up in a dictionary of the terms that start with it,
    so the cost grows with the text, not with the number of terms (a regex alternation of a few
    hundred phrases tries every phrase at every position of the story).
    """

    def __init__(self, text: str) -> None:
        self.text = text
        matches = list(_TOKEN.finditer(text))
        self.words = [m.group(0) for m in matches]
        self.lower = [w.lower() for w in self.words]
        self.spans = [m.span() for m in matches]
        # joined[i]: only whitespace or hyphens between word i and word i + 1, as inside a phrase
        self.joined = [bool(_GAP.match(text[a[1]:b[0]])) for a, b in zip(self.spans, self.spans[1:], strict=False)]

    def phrase_at(self, i: int, words: tuple[str, ...], folded: bool) -> bool:
        source = self.lower if folded else self.words
        n = len(words)
        if i + n > len(source):
            return False
        return all(source[i + k] == words[k] and (k == 0 or self.joined[i + k - 1]) for k in range(n))


class TermSet:
    """A list of terms compiled for one pass over a text; reports which terms were found."""

    def __init__(self, terms: Iterable[str]) -> None:
        self.terms = [t.strip() for t in terms if t and t.strip()]
        # first word -> [(all words, term)], for terms that are plain words (the common case)
        self._exact: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        self._folded: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        other, regexes = [], []
        for term in self.terms:
            if is_regex_term(term):
                regexes.append(term)
            elif _WORD_TERM.match(term):
                words = tuple(re.split(r"[\s\-]+", term))
                if _is_acronym(term):
                    self._exact.setdefault(words[0], []).append((words, term))
                else:
                    lowered = tuple(w.lower() for w in words)
                    self._folded.setdefault(lowered[0], []).append((lowered, term))
            else:
                other.append(term)  # punctuation inside ("A.I.", "People's ..."): a regex, word-bounded
        for index in (self._exact, self._folded):
            for candidates in index.values():
                candidates.sort(key=lambda c: -len(c[0]))  # the longest phrase first
        boundary = r"(?<![\w]){}(?![\w])"
        self._other = [(t, re.compile(boundary.format(_phrase_pattern(t)), 0 if _is_acronym(t) else re.IGNORECASE))
                       for t in other]
        self._regexes = [(t, compile_regex(t)) for t in regexes]

    def _walk(self, tokens: Tokens) -> list[tuple[str, tuple[int, int]]]:
        found = []
        for i, (word, lower) in enumerate(zip(tokens.words, tokens.lower, strict=True)):
            for index, key, folded in ((self._exact, word, False), (self._folded, lower, True)):
                for words, term in index.get(key, ()):
                    if tokens.phrase_at(i, words, folded):
                        found.append((term, (tokens.spans[i][0], tokens.spans[i + len(words) - 1][1])))
                        break
        for term, pattern in self._other:
            found.extend((term, m.span()) for m in pattern.finditer(tokens.text))
        for _term, regex in self._regexes:
            # what the regex found is reported, so reasons read as words, not as the pattern
            found.extend((m.group(0), m.span()) for m in regex.finditer(tokens.text))
        return found

    def spans(self, text: str | Tokens) -> list[tuple[int, int]]:
        """Where the terms occur, for masking (see TopicConfig.ignore)."""
        return [span for _, span in self._walk(text if isinstance(text, Tokens) else Tokens(text))]

    def found(self, text: str | Tokens) -> list[str]:
        hits: dict[str, None] = {}
        for term, _ in self._walk(text if isinstance(text, Tokens) else Tokens(text)):
            hits.setdefault(term)
        return list(hits)


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
    tokens = Tokens(text)
    if topic.ignore.terms:
        ignored = topic.ignore.found(tokens)
        if ignored:
            tokens = Tokens(_mask(text, topic.ignore.spans(tokens)))
            reasons.append(f"ignored: {', '.join(ignored[:5])}")
    for i, terms in enumerate(topic.all):
        found = terms.found(tokens)
        if found:
            reasons.append(f"all[{i}]: {', '.join(found[:5])}")
        else:
            matched = False
            more = "…" if len(terms.terms) > 4 else ""
            reasons.append(f"all[{i}] missing: none of {', '.join(terms.terms[:4])}{more}")
    if topic.any.terms:
        found = topic.any.found(tokens)
        if found:
            reasons.append(f"any: {', '.join(found[:5])}")
        else:
            matched = False
            reasons.append("any missing")
    excluded = topic.none.found(tokens)
    if excluded:
        matched = False
        reasons.append(f"none: {', '.join(excluded[:5])}")
    return TopicMatch(topic.name, matched, reasons)


def describe(matches: list[TopicMatch]) -> dict[str, Any]:
    return {m.topic: {"matched": m.matched, "reasons": m.reasons} for m in matches}
