"""Key facts: a few whole sentences of the story, chosen by sumy with a bias toward the lead.

News is written lead-first, so plain LexRank/TextRank underrate the opening; the algorithm's
ranking is blended with a position prior, near-duplicates are dropped, document order is kept, and
the total is capped so a digest entry stays readable. Every fact is a sentence of the story as
written (quotations are never cut in two), so it can be traced to its source.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy
from sumy.nlp.stemmers import Stemmer
from sumy.summarizers.lex_rank import LexRankSummarizer
from sumy.summarizers.lsa import LsaSummarizer
from sumy.summarizers.luhn import LuhnSummarizer
from sumy.summarizers.text_rank import TextRankSummarizer
from sumy.utils import get_stop_words

from bot.config.settings import Summarizer
from bot.knowledge.nlp import sentences

MAX_TOTAL = 900
MAX_SENTENCE = 400
MAX_CANDIDATES = 30  # the lead carries the news; ranking the whole of a long feature costs without helping
MIN_FACTS = 2
HEADLINE_WEIGHT = 0.3  # beside the algorithm's rank and the lead prior, both on a 0..1 scale
_STOP_WORDS = frozenset(get_stop_words("english"))
_stem = functools.lru_cache(maxsize=100_000)(Stemmer("english"))
_WORD = re.compile(r"[\w’']+")
_NOT_PROSE = re.compile(
    r"^(?:[—–-]|\(|Photo|Image|Picture|Credit|Caption|Video|Watch|Read more|Related|Sign up|Subscribe|"
    r"Advertisement|Follow|Share|Click|Listen|Editor'?s note|Copyright|©|@)|pic\.twitter\.com|https?://|"
    r"\(@\w+\)\s+\w+ \d{1,2}, \d{4}",
    re.IGNORECASE)


class _Tokenizer:
    """sumy's tokenizer interface backed by offline Punkt (sumy's default would download NLTK data)."""

    language = "english"

    def to_sentences(self, paragraph: str) -> list[str]:
        return sentences(paragraph)

    def to_words(self, sentence: str) -> list[str]:
        return _WORD.findall(sentence)


class _Sentence:
    """The part of sumy's Sentence that its summarizers use."""

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


class _LexRank(LexRankSummarizer):  # type: ignore[misc]
    """sumy's LexRank (same tf, idf, threshold and power method) with the similarity matrix computed
    by numpy at once: sumy builds it one cosine at a time, which dominated the cost of a story.
    Stems are memoised: news repeats its words, and the Snowball stemmer was the next largest cost."""

    def __init__(self, stemmer: Any) -> None:
        super().__init__(stemmer)
        self._stem_cached = functools.lru_cache(maxsize=100_000)(stemmer)

    def stem_word(self, word: str) -> str:
        stem: str = self._stem_cached(self.normalize_word(word))
        return stem

    def rate(self, words: list[tuple[str, ...]]) -> list[float]:
        terms = [self._to_words_set(_Words(w)) for w in words]
        n = len(terms)
        document_frequency = Counter(t for sentence in terms for t in set(sentence))
        vocabulary = {t: i for i, t in enumerate(document_frequency)}
        if not vocabulary:
            return [0.0] * n
        idf = numpy.array([math.log(n / (1 + document_frequency[t])) for t in vocabulary])
        weights = numpy.zeros((n, len(vocabulary)))
        for row, sentence in enumerate(terms):
            counts = Counter(sentence)
            top = max(counts.values(), default=1)
            for term, count in counts.items():
                weights[row, vocabulary[term]] = count / top
        weights *= idf
        norms = numpy.linalg.norm(weights, axis=1)
        norms[norms == 0] = 1.0
        cosine = (weights @ weights.T) / numpy.outer(norms, norms)
        matrix = (cosine > self.threshold).astype(float)
        degrees = matrix.sum(axis=1)
        degrees[degrees == 0] = 1.0
        matrix = matrix / degrees[:, None]
        return [float(x) for x in self.power_method(matrix, self.epsilon)]


class _Words:
    def __init__(self, words: tuple[str, ...]) -> None:
        self.words = words


_ALGORITHMS: dict[Summarizer, Any] = {
    Summarizer.lexrank: _LexRank,
    Summarizer.textrank: TextRankSummarizer,
    Summarizer.lsa: LsaSummarizer,
    Summarizer.luhn: LuhnSummarizer,
}


class FactPicker:
    """Picks 2-5 key facts of a story (`max_facts`, at most 900 characters in all)."""

    def __init__(self, algorithm: Summarizer = Summarizer.lexrank, *, max_facts: int = 4, lead_weight: float = 0.5
                 ) -> None:
        self.algorithm = algorithm
        self.max_facts = max(MIN_FACTS, min(5, max_facts))
        self.lead_weight = lead_weight
        self.tokenizer = _Tokenizer()
        self._summarizer: Any = None
        if algorithm in _ALGORITHMS:
            self._summarizer = _ALGORITHMS[algorithm](Stemmer("english"))
            self._summarizer.stop_words = get_stop_words("english")

    def pick(self, story_sentences: Sequence[str], *, title: str = "") -> list[str]:
        candidates = [s for s in story_sentences if usable(s)][:MAX_CANDIDATES]
        if not candidates:
            return []
        scores = self._scores(candidates)
        echoes = self._headline_echoes(title, candidates)
        blended = []
        for i, sentence in enumerate(candidates):
            score = (1 - self.lead_weight) * scores[i] + self.lead_weight * _lead_prior(i) + HEADLINE_WEIGHT * echoes[i]
            if sentence[:1] in "“\"‘'":
                score *= 0.8  # a quotation is shown with its speaker; a fact should be the reporter's
            blended.append((score, i, sentence))
        chosen: list[tuple[int, str]] = []
        total = 0
        for _, i, sentence in sorted(blended, key=lambda t: (-t[0], t[1])):
            if len(chosen) >= self.max_facts:
                break
            if any(similar(sentence, other) for _, other in chosen) or total + len(sentence) + 1 > MAX_TOTAL:
                continue
            chosen.append((i, sentence))
            total += len(sentence) + 1
        return [sentence for _, sentence in sorted(chosen)]

    def _headline_echoes(self, title: str, candidates: list[str]) -> list[float]:
        """How much of the headline each sentence restates: the share of its content words (stemmed)
        the sentence has. The sentence that tells the headline's news is a key fact wherever it
        stands; features often reach it only after paragraphs of background."""
        wanted = self._stems(title)
        if not wanted:
            return [0.0] * len(candidates)
        return [len(wanted & self._stems(sentence)) / len(wanted) for sentence in candidates]

    def _stems(self, text: str) -> set[str]:
        return {_stem(w.lower()) for w in _WORD.findall(text) if w.lower() not in _STOP_WORDS and len(w) > 1}

    def _scores(self, candidates: list[str]) -> list[float]:
        n = len(candidates)
        if self._summarizer is None or n < 3:
            return [_lead_prior(i) for i in range(n)]
        try:
            values = self._rate(candidates)
        except (ValueError, ZeroDivisionError, ArithmeticError, numpy.linalg.LinAlgError):
            return [_lead_prior(i) for i in range(n)]
        top = max(values) or 1.0
        return [max(v, 0.0) / top for v in values]

    def _rate(self, candidates: list[str]) -> list[float]:
        if isinstance(self._summarizer, _LexRank):
            rated: list[float] = self._summarizer.rate([tuple(self.tokenizer.to_words(s)) for s in candidates])
            return rated
        document = _Document([_Sentence(s, self.tokenizer) for s in candidates])
        if isinstance(self._summarizer, TextRankSummarizer):
            rating = self._summarizer.rate_sentences(document)
            return [float(rating.get(s, 0.0)) for s in document.sentences]
        picked = self._summarizer(document, len(candidates))  # LSA, Luhn: an order, turned into scores
        order = {str(s): rank for rank, s in enumerate(picked)}
        return [1.0 - order.get(s, len(candidates)) / len(candidates) for s in candidates]


def _lead_prior(index: int) -> float:
    """How much a sentence's place says about its importance: the lead most, then quickly less."""
    return 1.0 / (1 + index) if index < 3 else 0.2 / (1 + index)


def usable(sentence: str) -> bool:
    """A sentence of prose that can stand alone as a fact (not a caption, credit, embed or link)."""
    words = _WORD.findall(sentence)
    if len(words) < 6 or len(sentence) > MAX_SENTENCE or _NOT_PROSE.search(sentence):
        return False
    if sentence.count("“") > sentence.count("”") + sentence.count('"'):
        return False  # the start of a quotation that runs on (some outlets close “ with a straight ")
    return sentence.rstrip()[-1:] in ".!?\"”’'" or len(words) > 12


def similar(a: str, b: str) -> bool:
    """Near-duplicates: most of the shorter sentence's words are in the longer one."""
    wa, wb = set(_WORD.findall(a.lower())), set(_WORD.findall(b.lower()))
    if not wa or not wb:
        return False
    return len(wa & wb) / min(len(wa), len(wb)) > 0.7


def one_line(title: str, facts: list[str], limit: int = 300) -> str:
    """The story in one line: its first fact when there is one, else its title."""
    line = facts[0] if facts else title
    if len(line) <= limit:
        return line
    clause = line[:limit - 1].rsplit(", ", 1)[0]
    cut = clause if limit // 2 < len(clause) < limit - 1 else line[: limit - 1].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + "…"
