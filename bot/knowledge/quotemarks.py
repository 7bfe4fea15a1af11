"""Where the quotation marks are: spans of quoted text in a story, before anyone asks who spoke.

Handles curly and straight double quotes, British single quotes (telling a closing mark from an
apostrophe by what follows it), and the news convention for a quotation that runs over several
paragraphs: the paragraph is left open and the next one starts with a fresh opening mark.
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass

MAX_QUOTE = 3000
_DOUBLE = re.compile("[“”\"]")
_SINGLE = re.compile("[‘’']")
_OPEN_BEFORE = frozenset(" \t([{—–-/:;“\"‘'")  # what may stand before an opening mark
_CLOSE_AFTER = frozenset(" \t.,;:!?)]}—–-”\"’'…")  # what may follow a closing mark


@dataclass(frozen=True, slots=True)
class QuoteSpan:
    start: int  # offset of the opening mark in the story text
    end: int  # offset just past the closing mark (the paragraph's end when the quote runs on)
    body_start: int
    body_end: int
    paragraph: int
    single: bool = False  # in single quotation marks
    runs_on: bool = False  # not closed in its paragraph: the quotation continues in the next one
    continued: bool = False  # opens its paragraph by continuing the previous paragraph's quotation

    def body(self, text: str) -> str:
        return text[self.body_start:self.body_end].strip()

    def contains(self, offset: int) -> bool:
        return self.start <= offset < self.end


def paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of every non-empty line: a story's text holds one paragraph a line."""
    result = []
    position = 0
    for line in text.split("\n"):
        end = position + len(line)
        if line.strip():
            result.append((position, end))
        position = end + 1
    return result


def find(text: str) -> list[QuoteSpan]:
    spans: list[QuoteSpan] = []
    previous_runs_on = False
    for index, (start, end) in enumerate(paragraphs(text)):
        doubles = _doubles(text, start, end, index)
        if doubles and previous_runs_on and doubles[0].start == _first_char(text, start, end):
            first = doubles[0]
            doubles[0] = QuoteSpan(first.start, first.end, first.body_start, first.body_end, index,
                                   runs_on=first.runs_on, continued=True)
        singles = _singles(text, start, end, index, doubles)
        found = sorted(doubles + singles, key=lambda s: s.start)
        spans.extend(found)
        previous_runs_on = bool(doubles) and doubles[-1].runs_on
    return spans


def _first_char(text: str, start: int, end: int) -> int:
    stripped = len(text[start:end]) - len(text[start:end].lstrip())
    return start + stripped


def _doubles(text: str, start: int, end: int, index: int) -> list[QuoteSpan]:
    spans = []
    open_at: int | None = None
    for mark in _DOUBLE.finditer(text, start, end):
        i = mark.start()
        ch = text[i]
        if ch == "“" or (ch == '"' and open_at is None and _opens(text, i, start)):
            if open_at is None:
                open_at = i
        elif ch in "”\"" and open_at is not None:
            if i - open_at > 1:
                spans.append(QuoteSpan(open_at, i + 1, open_at + 1, i, index))
            open_at = None
    if open_at is not None:
        body_end = len(text[:end].rstrip())
        if body_end - open_at > 1:
            spans.append(QuoteSpan(open_at, end, open_at + 1, body_end, index, runs_on=True))
    return [s for s in spans if s.body_end - s.body_start <= MAX_QUOTE]


def _opens(text: str, i: int, paragraph_start: int) -> bool:
    before = text[i - 1] if i > paragraph_start else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return before in _OPEN_BEFORE and not after.isspace()


def _singles(text: str, start: int, end: int, index: int, doubles: list[QuoteSpan]) -> list[QuoteSpan]:
    """British-style quotes. An opening mark follows a space; a closing one is followed by a space or
    punctuation, never a letter (which makes it an apostrophe: "don’t", "company’s").

    Every mark is looked at a bounded number of times (closers are taken from one sorted list with a
    moving cursor, doubles found by binary search), so a paragraph of apostrophes stays linear."""
    marks = [m.start() for m in _SINGLE.finditer(text, start, end)]
    if not marks:
        return []
    double_starts = [d.start for d in doubles]

    def inside(i: int) -> bool:  # doubles do not overlap: only the last one opened before i can hold it
        n = bisect.bisect_right(double_starts, i)
        return n > 0 and doubles[n - 1].end > i

    def double_between(a: int, b: int) -> bool:
        n = bisect.bisect_right(double_starts, a)
        return n < len(double_starts) and double_starts[n] < b

    openers = [i for i in marks if text[i] in "‘'" and not inside(i) and _single_opens(text, i, start)]
    closers = [i for i in marks if text[i] in "’'" and _single_closes(text, i, end)]
    spans = []
    taken_until = start
    cursor = 0
    for n, opener in enumerate(openers):
        if opener < taken_until:
            continue
        limit = openers[n + 1] if n + 1 < len(openers) else end
        while cursor < len(closers) and closers[cursor] < opener + 2:
            cursor += 1
        # "the soldiers’ lives": a plural possessive looks like a closing mark; prefer a later one.
        first = plain = None
        for i in itertools.islice(closers, cursor, None):
            if i >= limit:
                break
            first = i if first is None else first
            if not _plural_possessive(text, i, end):
                plain = i
                break
        closer = plain if plain is not None else first
        if closer is None or double_between(opener, closer):
            continue
        spans.append(QuoteSpan(opener, closer + 1, opener + 1, closer, index, single=True))
        taken_until = closer + 1
    return spans


def _single_opens(text: str, i: int, paragraph_start: int) -> bool:
    before = text[i - 1] if i > paragraph_start else " "
    after = text[i + 1:i + 4]
    if before not in _OPEN_BEFORE or not after or not (after[0].isalnum() or after[0] in "…"):
        return False
    return not re.match(r"\d0s|em\b|tis\b|twas\b|n\b", after)  # ’90s, ’em, ’tis, rock ’n’ roll


def _single_closes(text: str, i: int, end: int) -> bool:
    before = text[i - 1]
    after = text[i + 1] if i + 1 < end else " "
    return not before.isspace() and after in _CLOSE_AFTER


def _plural_possessive(text: str, i: int, end: int) -> bool:
    return text[i - 1] in "sS" and re.match(r"\s[a-z]", text[i + 1:min(end, i + 3)]) is not None
