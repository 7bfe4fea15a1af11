"""Direct quotations and who said them.

A quote is a span in double quotes (curly or straight). Its speaker is found from the attribution
next to it ("…," Kalinowski wrote / said Col. Voss / X said: "…" / according to X), a pronoun
resolved to the person last named, or a spokesperson standing for their organisation. A short
quoted phrase counts only when its sentence names who said it; otherwise it is a scare quote or a
title and not a statement.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.entities import Span
from bot.models import EntityKind, Quote

SPEECH_VERBS = (
    r"said|says|say|wrote|writes|added|adds|told|tells|warned|warns|noted|notes|explained|explains|stated|"
    r"states|argued|argues|acknowledged|acknowledges|asked|asks|replied|replies|continued|insisted|insists|"
    r"claimed|claims|posted|tweeted|announced|emphasized|emphasised|stressed|recalled|concluded|admitted|"
    r"conceded|cautioned|predicted|declared|remarked|observed|responded|answered|commented|quipped|"
    r"was quoted as saying|quoted as saying|said in a statement|according to"
)
_VERB = re.compile(rf"\b(?:{SPEECH_VERBS})\b", re.IGNORECASE)
_PAIR = re.compile(r"“([^“”]{1,3000})”|\"([^\"\n]{1,3000})\"")
_PRONOUN = re.compile(r"\b(she|he|they)\b", re.IGNORECASE)
_SPOKES = re.compile(r"\b(spokesperson|spokesman|spokeswoman|representative|statement|official)\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")


@dataclass(frozen=True, slots=True)
class _Found:
    start: int
    end: int
    text: str


def extract(text: str, found: Sequence[Span], canonical: Callable[[str], str]) -> list[Quote]:
    """Quotes of a text whose entity spans (character offsets into `text`) are given."""
    people = [s for s in found if s.kind is EntityKind.person]
    orgs = [s for s in found if s.kind is EntityKind.org]
    result: list[Quote] = []
    previous: tuple[int, str | None, EntityKind | None] | None = None  # (end offset, speaker, kind)
    for match in _PAIR.finditer(text):
        body = (match.group(1) or match.group(2) or "").strip()
        start, end = match.start(), match.end()
        words = body.split()
        partial = len(words) <= 5 and not re.search(r"[.!?,]$", body)
        speaker, kind = _attribution(text, start, end, people, orgs, canonical)
        if speaker is None and previous is not None and not partial:
            gap = text[previous[0]:start]
            # "…," she added. "…": a quote right after an attributed one continues it.
            if len(gap) < 120 and "\n\n" not in gap and not _has_name(gap, people, previous[0], start):
                speaker, kind = previous[1], previous[2]
        if partial:
            speaker, kind = _sentence_speaker(text, start, end, people, canonical)
            if speaker is None:
                continue  # a scare quote or a title: not a statement
        body = body.rstrip(",").strip()
        if len(body) < 2:
            continue
        result.append(Quote(body, speaker, kind, partial))
        if not partial:
            previous = (end, speaker, kind)
    return result


def _has_name(gap: str, people: Sequence[Span], start: int, end: int) -> bool:
    return any(start <= p.start < end for p in people)


def _bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence (within its paragraph) around a quote."""
    para_start = text.rfind("\n", 0, start) + 1
    para_end = text.find("\n", end)
    para_end = len(text) if para_end < 0 else para_end
    before = [m.end() for m in _SENTENCE_END.finditer(text, para_start, start)]
    sentence_start = before[-1] if before else para_start
    after = _SENTENCE_END.search(text, end, para_end)
    sentence_end = after.end() if after else para_end
    return sentence_start, sentence_end


def _attribution(text: str, start: int, end: int, people: Sequence[Span], orgs: Sequence[Span],
                 canonical: Callable[[str], str]) -> tuple[str | None, EntityKind | None]:
    sentence_start, sentence_end = _bounds(text, start, end)
    after = text[end:sentence_end]
    before = text[sentence_start:start]
    # "…," Kalinowski wrote.  /  "…," said Col. Renata Voss, who …  /  "…," an OpenAI spokesperson said.
    if _VERB.search(after[:160]):
        window = (end, end + min(len(after), 160))
        who = _who(text, window, start, people, orgs, canonical)
        if who[0]:
            return who
    # X said: "…"  /  X warned that "…"  /  according to X, "…"
    if _VERB.search(before[-200:]):
        window = (max(sentence_start, start - 200), start)
        who = _who(text, window, start, people, orgs, canonical)
        if who[0]:
            return who
    return None, None


def _who(text: str, window: tuple[int, int], quote_start: int, people: Sequence[Span], orgs: Sequence[Span],
         canonical: Callable[[str], str]) -> tuple[str | None, EntityKind | None]:
    lo, hi = window
    segment = text[lo:hi]
    inside = [p for p in people if lo <= p.start < hi]
    if _SPOKES.search(segment):
        org = [o for o in orgs if lo <= o.start < hi]
        if org and not inside:
            return canonical(org[0].text), EntityKind.org
    if inside:
        person = inside[-1] if hi <= quote_start else inside[0]
        return canonical(person.text), EntityKind.person
    if _PRONOUN.search(segment):
        earlier = [p for p in people if p.end <= quote_start]
        if earlier:
            return canonical(earlier[-1].text), EntityKind.person
    org = [o for o in orgs if lo <= o.start < hi]
    if org:
        return canonical(org[0].text), EntityKind.org
    return None, None


def _sentence_speaker(text: str, start: int, end: int, people: Sequence[Span],
                      canonical: Callable[[str], str]) -> tuple[str | None, EntityKind | None]:
    """Who a quoted phrase belongs to: the person the sentence says said, wrote or called it."""
    sentence_start, sentence_end = _bounds(text, start, end)
    sentence = text[sentence_start:sentence_end]
    if not re.search(rf"{_VERB.pattern}|\b(?:call(?:ed|s)?|describ(?:ed|es)|dismiss(?:ed|es)|looked|"
                     r"branded|termed|labelled|labeled)\b", sentence, re.IGNORECASE):
        return None, None
    inside = [p for p in people if sentence_start <= p.start < start]
    if inside:
        return canonical(inside[0].text), EntityKind.person
    return None, None
