"""Enrichment: one story's text in, its summary, key facts, quotes and entities out.

Runs in a worker thread (it is CPU-bound and spaCy releases the GIL in parts); stories are
processed in batches through `nlp.pipe`, with the model loaded once per process.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from bot import entities as ents
from bot import quotes as quote_finder
from bot.config.models import NlpConfig
from bot.models import Enrichment
from bot.nlp import sentences, spacy_model
from bot.roles import find_roles
from bot.summarize import FactPicker, one_line

log = logging.getLogger(__name__)
MAX_CHARS = 100_000  # a story longer than this is read up to here: enough for any news article


@dataclass(frozen=True, slots=True)
class StoryText:
    title: str
    text: str  # paragraphs separated by newlines


class Enricher:
    def __init__(self, config: NlpConfig) -> None:
        self.config = config
        self.facts = FactPicker(config.summarizer, max_facts=config.max_facts)

    def enrich(self, batch: Sequence[StoryText]) -> list[Enrichment]:
        nlp = spacy_model(self.config.model)
        texts = [_body(s) for s in batch]
        results = []
        for story, text, doc in zip(batch, texts, nlp.pipe(texts, batch_size=32), strict=True):
            results.append(self._one(story, text, doc))
        return results

    def _one(self, story: StoryText, text: str, doc: object) -> Enrichment:
        paragraphs = [p for p in text.split("\n") if p.strip()]
        story_sentences = [s for p in paragraphs for s in sentences(p)]
        facts = self.facts.pick(story_sentences)
        found = ents.spans(doc)  # type: ignore[arg-type]
        entities, alias_of = ents.resolve(found)
        quotes = quote_finder.extract(text, found, lambda name: alias_of.get(name, name))
        find_roles(text, found, entities, alias_of)
        return Enrichment(summary=one_line(story.title, facts), facts=facts, quotes=quotes, entities=entities)


def _body(story: StoryText) -> str:
    return story.text[:MAX_CHARS]
