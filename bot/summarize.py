"""Key facts: a few whole sentences of the story, chosen by sumy with a bias toward the lead.

News is written lead-first, so plain LexRank/TextRank underrate the opening; we blend the
algorithm's ranking with a position prior, drop near-duplicates, keep document order, and cap the
total length so a digest entry stays readable.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sumy.nlp.stemmers import Stemmer
from sumy.summarizers.lex_rank import LexRankSummarizer
from sumy.summarizers.lsa import LsaSummarizer
from sumy.summarizers.luhn import LuhnSummarizer
from sumy.summarizers.text_rank import TextRankSummarizer
from sumy.utils import get_stop_words

from bot.config.models import Summarizer
from bot.nlp import sentences

MAX_TOTAL = 900
MAX_SENTENCE = 400
_WORD = re.compile(r"[\w’']+")


class _Tokenizer:
    """sumy's tokenizer interface backed by offline Punkt (sumy's default would download NLTK data)."""

    language = "english"

    def to_sentences(self, paragraph: str) -> list[str]:
        return sentences(paragraph)

    def to_words(self, sentence: str) -> list[str]:
        return _WORD.findall(sentence)


_ALGORITHMS: dict[Summarizer, Any] = {
    Summarizer.lexrank: LexRankSummarizer,
    Summarizer.textrank: TextRankSummarizer,
    Summarizer.lsa: LsaSummarizer,
    Summarizer.luhn: LuhnSummarizer,
}


class _Sentence:
    """The minimum of sumy's Sentence that its summarizers use."""

    def __init__(self, text: str, tokenizer: _Tokenizer) -> None:
        self._text = text
        self.words = tuple(tokenizer.to_words(text))
        self.is_heading = False

    def __str__(self) -> str:
        return self._text

    def __hash__(self) -> int:
        return hash(self._text)


class _Document:
    def __init__(self, sentences_: list[_Sentence]) -> None:
        self.sentences = tuple(sentences_)
        self.words = tuple(w for s in sentences_ for w in s.words)
        self.headings = ()
        self.paragraphs = ()


class FactPicker:
    def __init__(self, algorithm: Summarizer = Summarizer.lexrank, *, max_facts: int = 4) -> None:
        self.algorithm = algorithm
        self.max_facts = max_facts
        self.tokenizer = _Tokenizer()
        self._summarizer: Any = None
        if algorithm in _ALGORITHMS:
            self._summarizer = _ALGORITHMS[algorithm](Stemmer("english"))
            self._summarizer.stop_words = get_stop_words("english")

    def pick(self, story_sentences: Sequence[str]) -> list[str]:
        candidates = [s for s in story_sentences if _usable(s)]
        if not candidates:
            return []
        scores = self._scores(candidates)
        n = len(candidates)
        blended = []
        for i, sentence in enumerate(candidates):
            lead = 1.0 / (1 + i) if i < 3 else 0.15 / (1 + i)  # position prior: the lead carries the news
            blended.append((0.5 * scores[i] + 0.5 * lead, i, sentence))
        chosen: list[tuple[int, str]] = []
        total = 0
        for _, i, sentence in sorted(blended, key=lambda t: (-t[0], t[1])):
            if len(chosen) >= self.max_facts:
                break
            if any(_similar(sentence, other) for _, other in chosen):
                continue
            if total + len(sentence) + 1 > MAX_TOTAL:
                continue
            chosen.append((i, sentence))
            total += len(sentence) + 1
        if len(chosen) < 2 and n >= 2:  # a story deserves at least two facts when it has them
            for i, sentence in enumerate(candidates):
                if all(i != j for j, _ in chosen) and total + len(sentence) <= MAX_TOTAL:
                    chosen.append((i, sentence))
                    break
        return [sentence for _, sentence in sorted(chosen)]

    def _scores(self, candidates: list[str]) -> list[float]:
        if self._summarizer is None or len(candidates) < 3:
            return [1.0 / (1 + i) for i in range(len(candidates))]
        document = _Document([_Sentence(s, self.tokenizer) for s in candidates])
        try:
            rating = self._summarizer.rate_sentences(document) if hasattr(self._summarizer, "rate_sentences") else None
        except (ValueError, ZeroDivisionError, ArithmeticError):
            rating = None
        if rating is None:
            picked = self._summarizer(document, len(candidates))
            order = {str(s): r for r, s in enumerate(picked)}
            return [1.0 - order.get(s, len(candidates)) / len(candidates) for s in candidates]
        values = [float(rating.get(s, 0.0)) for s in document.sentences]
        top = max(values) or 1.0
        return [v / top for v in values]


def _usable(sentence: str) -> bool:
    words = _WORD.findall(sentence)
    if len(words) < 6 or len(sentence) > MAX_SENTENCE:
        return False
    if sentence.startswith(("—", "–", "-", "Photo", "Image", "(")):  # captions, credits, embeds
        return False
    return sentence.rstrip()[-1:] in ".!?\"”’'" or len(words) > 12


def _similar(a: str, b: str) -> bool:
    wa, wb = set(_WORD.findall(a.lower())), set(_WORD.findall(b.lower()))
    if not wa or not wb:
        return False
    return len(wa & wb) / min(len(wa), len(wb)) > 0.7


def one_line(title: str, facts: list[str], limit: int = 300) -> str:
    """The story in one line: its first fact when there is one, else its title."""
    line = facts[0] if facts else title
    return line if len(line) <= limit else line[: limit - 1].rsplit(" ", 1)[0] + "…"
