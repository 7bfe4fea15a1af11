"""Enrichment: a story's text in; its summary, key facts, quotes, people and organisations out.

The work is CPU-bound, so it runs on one dedicated worker thread: the event loop keeps answering
commands meanwhile, the spaCy model is loaded once and only ever used from that thread, and
stories go through `nlp.pipe` in batches. (A process pool would use the second core, but would load
the model again in each process and copy every batch across; NER in spaCy releases the GIL for
its matrix work, so a thread already leaves the loop responsive.)

Every story gets the full treatment by default (`nlp.full_for: all`): /whois answers from everything
read, a person first named in a story the topics dropped may be in tomorrow's relevant one, and at
news volumes (thousands of stories a day at most) NER costs minutes of CPU a day. `nlp.full_for:
relevant` runs the model only on the stories the topics keep, for operators with very large, mostly
off-topic feeds: the others still get key facts, a summary and their quotes, with speakers found by
the shape of names, but add nobody to the knowledge base.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.config.settings import NlpConfig
from bot.knowledge import entities as ents
from bot.knowledge import quotemarks
from bot.knowledge import quotes as quote_finder
from bot.knowledge.aliases import resolve
from bot.knowledge.coref import Story
from bot.knowledge.events import find_events
from bot.knowledge.nlp import defuse, sentences, spacy_model, token_prefix
from bot.knowledge.roles import find_roles
from bot.knowledge.summarize import FactPicker, one_line
from bot.models import Enrichment, ExtractedEntity

if TYPE_CHECKING:
    from spacy.tokens import Doc

log = logging.getLogger(__name__)
MAX_CHARS = 100_000  # a story longer than this is read up to here: enough for any news article
MAX_TOKENS = 10_000  # and no further than this many words and marks (~7,000 words: longer than nearly all news)
BATCH = 32


@dataclass(frozen=True, slots=True)
class StoryText:
    title: str
    text: str  # paragraphs separated by newlines
    relevant: bool = True  # kept by the topic rules: gets entities, roles and events too


class Enricher:
    def __init__(self, config: NlpConfig) -> None:
        self.config = config
        self.facts = FactPicker(config.summarizer, max_facts=config.max_facts)
        self._worker: ThreadPoolExecutor | None = None

    async def run(self, batch: Sequence[StoryText]) -> list[Enrichment]:
        """`enrich` on the NLP worker thread, so the event loop is never blocked by it."""
        if self._worker is None:
            self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sitrep-nlp")
        return await asyncio.get_running_loop().run_in_executor(self._worker, self.enrich, list(batch))

    def close(self) -> None:
        if self._worker is not None:
            self._worker.shutdown(wait=True)
            self._worker = None

    def enrich(self, batch: Sequence[StoryText]) -> list[Enrichment]:
        texts = [token_prefix(s.text[:MAX_CHARS], MAX_TOKENS) for s in batch]
        full = [i for i, s in enumerate(batch) if s.relevant or self.config.full_for == "all"]
        docs: dict[int, Doc] = {}
        if full:
            nlp = spacy_model(self.config.model)
            docs = dict(zip(full, nlp.pipe((defuse(texts[i]) for i in full), batch_size=BATCH), strict=True))
        return [self._one(story, text, docs.get(i)) for i, (story, text) in enumerate(zip(batch, texts, strict=True))]

    def _one(self, story: StoryText, text: str, doc: Doc | None) -> Enrichment:
        facts = self.facts.pick([s for p in text.split("\n") if p.strip() for s in sentences(p)], title=story.title)
        found = ents.mentions(doc, text) if doc is not None else ents.shape_mentions(text)
        entities, alias_of = resolve(found)
        context = Story(text, found, quotemarks.find(text), alias_of)
        quotes = quote_finder.extract(context)
        if doc is None:
            return Enrichment(summary=one_line(story.title, facts), facts=facts, quotes=quotes, entities=[])
        known = {(e.kind, e.name) for e in entities}
        for quote in quotes:  # a speaker the model missed, named by the shape of the name ("Human Rights Watch")
            if quote.speaker and quote.speaker_kind and (quote.speaker_kind, quote.speaker) not in known:
                entities.append(ExtractedEntity(quote.speaker, quote.speaker_kind))
                known.add((quote.speaker_kind, quote.speaker))
        find_roles(context, entities)
        find_events(context, story.title, entities)
        return Enrichment(summary=one_line(story.title, facts), facts=facts, quotes=quotes, entities=entities)
