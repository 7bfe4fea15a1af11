"""People and organisations named in a story: spaCy's entities, corrected by general rules.

The small English model makes mistakes with a pattern: it tags companies as people ("OpenAI",
"Anthropic's"), keeps possessives and articles in names, cuts names short ("Jony" for Jony Ive,
where the tokenizer reads "Ive" as "I've"), labels one name differently in one story, misses
later mentions, and reads photo credits as news. Each rule below fixes one of those; none knows
any particular story.
"""

from __future__ import annotations

import bisect
import itertools
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.knowledge.gazetteer import (
    DAYS,
    HONORIFICS,
    KNOWN_ORGS,
    MONTHS,
    NAME_TITLES,
    NOT_NAMES,
    ORG_ALIASES,
    RANKS,
    TITLE_HEADS,
    camel_case,
    fold,
    org_key,
    words,
)
from bot.models import EntityKind

if TYPE_CHECKING:
    from spacy.tokens import Doc

LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "FAC"})
_ORG_WORDS = re.compile(
    r"\b(?:Inc|Corp|Corporation|Company|Co|Ltd|LLC|PBC|Systems|Technologies|Technology|Labs?|Industries|Group|"
    r"Department|Ministry|Agency|Army|Navy|Air Force|Space Force|Marines?|Corps|Command|Guard|University|"
    r"Institute|Observatory|Council|Committee|Commission|Office|Administration|Bureau|Foundation|Association|"
    r"Center|Centre|Bank|Fund|Capital|Partners|Ventures|Network|Alliance|Union|Parliament|Congress|Senate|"
    r"Pentagon|Times|Post|News|Journal|Dynamics|Aerospace|Robotics|Defense|Defence|AI|Analytics|Solutions|Software|"
    r"Security|Intelligence|Holdings|Machines|Networks|Electronics|Semiconductors?|Motors|Works|Research|Sciences|"
    r"Energy|Watch|International|Forum|Society|Trust|Authority|Service|Services|Force|Forces|College|School|Party|"
    r"Caucus|PAC|Church)\.?$")
_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")
_RANK_PREFIX = re.compile(
    r"^(?:(?:" + "|".join(re.escape(r) for r in sorted(RANKS, key=len, reverse=True)) + r")\s+|"
    r"(?:" + "|".join(re.escape(h) for h in sorted(HONORIFICS | NAME_TITLES, key=len, reverse=True)) + r")\s+)",
    re.IGNORECASE)
# A rank the model kept at the end of an organisation's name: "Air Force Lt" of "Air Force Lt. Gen. Jane Doe".
_RANK_SUFFIX = re.compile(r"\s+(?:Lt|Gen|Col|Maj|Sgt|Adm|Capt|Cmdr|Brig|Rear|Vice)\.?$")
_NEXT_NAME = re.compile(r"^ ([A-Z][a-z]+(?:-[A-Z][a-z]+)?)(?![\w’'])")
_PARTICLES = words("de da di van von der den bin al la le du del dos")
_AGENCIES = r"Getty Images|AFP|Reuters|AP|Bloomberg|EPA|Shutterstock|Alamy|Sipa|Anadolu|Pool"
_CREDIT = re.compile(
    r"\((?:AP |AFP |Reuters )?(?:Photo|Image|Picture|Illustration|Video|Photograph)[^)\n]{0,120}\)|"
    r"(?im:^\s*(?:Photo|Image|Picture|Credit|Photograph|Illustration|Caption)s?\s*(?:by\b|:|credit)[^\n]*)|"
    rf"(?:[A-Z][\w.'-]*\s){{0,3}}[A-Z][\w.'-]*\s?/\s?(?:{_AGENCIES})\b[^\n]{{0,40}}|(?:AP|AFP) Photo/[^\n)]{{2,60}}")
_PRONOUNS = words("she he they it we i you her his its their our")
_STOP = words("the a an and or but of in on at for to by with from as is was he she it they we i this that")


@dataclass(frozen=True, slots=True)
class Span:
    """One mention of a person or organisation: its cleaned text and where it stands in the story."""

    text: str
    kind: EntityKind
    start: int
    end: int


def clean_name(text: str, *, person: bool = False) -> str:
    """A name without possessive and article (and, for a person, rank or honorific), single-spaced."""
    text = re.sub(r"\s+", " ", text).strip(" \t\n,.;:—–-\"“”‘’'()[]")
    text = _POSSESSIVE.sub("", text)
    text = re.sub(r"^(?:the|a|an)\s+", "", text, flags=re.IGNORECASE)
    while person:
        stripped = _RANK_PREFIX.sub("", text, count=1)
        if stripped == text or not stripped:
            break
        text = stripped
    if not person:
        text = _RANK_SUFFIX.sub("", text)
    return text.strip()


def credit_regions(text: str) -> list[tuple[int, int]]:
    """Photo captions and credits: names there took the picture, they are not in the news."""
    if "/" not in text and not re.search(r"(?i)photo|image|picture|credit|illustration|caption", text):
        return []
    return [(m.start(), m.end()) for m in _CREDIT.finditer(text)]


def mentions(doc: Doc, text: str) -> list[Span]:
    """Every person and organisation mention in `text` (the string `doc` was made from)."""
    credits = credit_regions(text)
    raw: list[tuple[str, str, int, int]] = []
    for ent in doc.ents:
        start, end = _trim(text, ent.start_char, ent.end_char)
        label = "PERSON" if _titled_person(text[start:end]) else ent.label_
        if label not in LABELS:
            continue
        name = clean_name(text[start:end], person=label == "PERSON")
        if not _plausible(name) or _in_regions(credits, start):
            continue
        offset = text.find(name, start, end)
        start = offset if offset >= 0 else start
        raw.append((name, label, start, start + len(name)))
    raw = _known_orgs(text, _extend_short_names(text, raw), credits)
    kinds = _kinds(raw, text)
    found = [Span(name, kinds[name], s, e) for name, _, s, e in raw if name in kinds]
    return _refind(text, found, credits)


_COMMON_WORDS = words("fortune wired inflection oracle")  # names that are also words: only when the model says so
_KNOWN = re.compile(r"(?<![\w@])(" + "|".join(re.escape(o).replace("\\-", "[ -]")
                                              for o in sorted(KNOWN_ORGS - _COMMON_WORDS, key=len, reverse=True))
                    + r")(?:['’]s)?(?![\w-])", re.IGNORECASE)


def _known_orgs(text: str, raw: list[tuple[str, str, int, int]], credits: list[tuple[int, int]]
                ) -> list[tuple[str, str, int, int]]:
    """Well-known organisations, whole: the model misses "Anthropic" at a sentence's start and reads
    "Lockheed Martin" as a company and a man. A known name replaces what the model made of it."""
    known = []
    for match in _KNOWN.finditer(text):
        start, end = match.start(1), match.end(1)
        if text[start].isupper() and not _in_regions(credits, start):
            known.append((text[start:end], "ORG", start, end))
    known_spans = _Intervals((s, e) for _, _, s, e in known)
    kept = [r for r in raw if not any(e - s > r[3] - r[2] for s, e in known_spans.overlapping(r[2], r[3]))]
    taken = _Intervals((s, e) for _, _, s, e in kept)
    return sorted(kept + [k for k in known if not taken.overlaps(k[2], k[3])], key=lambda r: r[2])


class _Intervals:
    """Non-overlapping (start, end) spans, sorted, asked "what overlaps this?" by binary search, so that
    checking every mention of a name repeated ten thousand times is not ten thousand squared steps."""

    def __init__(self, spans: Iterable[tuple[int, int]] = ()) -> None:
        self.spans: list[tuple[int, int]] = []
        for start, end in sorted(spans):
            if not self.spans or start >= self.spans[-1][1]:
                self.spans.append((start, end))

    def overlapping(self, start: int, end: int) -> list[tuple[int, int]]:
        low = bisect.bisect_right(self.spans, (start, start))
        low = max(0, low - 1)  # the span that opens before `start` may still reach past it
        found = []
        for a, b in itertools.islice(self.spans, low, None):
            if a >= end:
                break
            if b > start:
                found.append((a, b))
        return found

    def overlaps(self, start: int, end: int) -> bool:
        return bool(self.overlapping(start, end))

    def add(self, start: int, end: int) -> None:
        bisect.insort(self.spans, (start, end))


def _in_regions(regions: Sequence[tuple[int, int]], offset: int) -> bool:
    """Is `offset` inside one of `regions` (sorted, as `credit_regions` returns them)?"""
    n = bisect.bisect_right(regions, (offset, math.inf))
    return n > 0 and regions[n - 1][0] <= offset < regions[n - 1][1]


_ABBREVIATED_RANK = re.compile(
    r"^(?:" + "|".join(re.escape(r) for r in sorted((r for r in {*RANKS, *HONORIFICS} if r.endswith(".")),
                                                       key=len, reverse=True)) + r")\s+", re.IGNORECASE)
_NAME_TITLE = re.compile(r"^(?:" + "|".join(re.escape(t) for t in sorted(NAME_TITLES, key=len, reverse=True))
                         + r")\s+", re.IGNORECASE)


def _titled_person(surface: str) -> bool:
    """"Rear Adm. Judith Carrow", "Col. Renata Voss", "Spokeswoman Jane Doe": an abbreviated rank or a
    title word before a name makes it a person, whatever the model called it (it reads some as an
    organisation or even a work of art)."""
    rank = _ABBREVIATED_RANK.match(surface) or _NAME_TITLE.match(surface)
    if rank is None:
        return False
    rest = surface[rank.end():].strip()
    return 1 <= len(rest.split()) <= 3 and _person_form(rest) and not _org_by_form(rest)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and not text[start].isalnum():
        start += 1
    return start, end


def _plausible(name: str) -> bool:
    if not name or len(name) > 80 or fold(name) in NOT_NAMES or not name[0].isupper():
        return False
    if fold(name) in RANKS or fold(name) + "." in RANKS or fold(name) in HONORIFICS:
        return False  # "Rear Adm." alone: a rank the model took for a name
    words = name.split()
    if len(words) > 7 or "@" in name or "http" in name or any(fold(w) in _PRONOUNS for w in words):
        return False
    return sum(ch.isalpha() for ch in name) >= 2


def _extend_short_names(text: str, raw: list[tuple[str, str, int, int]]) -> list[tuple[str, str, int, int]]:
    """"Jony" followed by a capitalised word that no other entity claims is "Jony Ive"; "Farid" after
    "said Hany" is "Hany Farid" (the model often leaves an unusual first name out)."""
    starts = {s for _, _, s, _ in raw}
    ends = {e for _, _, _, e in raw}
    result = []
    for name, label, start, end in raw:
        if label == "PERSON" and " " not in name:
            match = _NEXT_NAME.match(text[end:end + 30])
            if match and (end + 1) not in starts and fold(match.group(1)) not in NOT_NAMES | MONTHS | DAYS | _STOP:
                name, end = f"{name} {match.group(1)}", end + match.end()
            else:
                first = _PREVIOUS_NAME.search(text[max(0, start - 40):start])
                if first and (start - 1) not in ends and _first_name(first.group("first")):
                    name, start = f"{first.group('first')} {name}", start - len(first.group("first")) - 1
        result.append((name, label, start, end))
    return result


_PREVIOUS_NAME = re.compile(r"(?:^|[a-z,;:(“\"]\s|^\s)(?P<first>[A-Z][a-z]+(?:-[A-Z][a-z]+)?) $")


def _first_name(word: str) -> bool:
    """A capitalised word that can be a first name: not a title, rank, month or common opener."""
    key = fold(word)
    return not (key in NOT_NAMES | MONTHS | DAYS | _STOP | _OPENERS | HONORIFICS | NAME_TITLES or key in RANKS
                or key + "." in RANKS or key + "." in HONORIFICS or _org_by_form(word)
                or re.fullmatch(TITLE_HEADS, key, re.IGNORECASE))


_PERSON_CUE_AFTER = re.compile(rf"^,\s+(?:who\b|(?:an?|the)\s+(?:[\w-]+\s+){{0,3}}?(?:{TITLE_HEADS})\b|\d{{2}},)",
                               re.IGNORECASE)
_PERSON_CUE_BEFORE = re.compile(
    rf"(?:\b(?:{TITLE_HEADS})|\b(?:Dr|Mr|Mrs|Ms|Prof|Sen|Rep|Gov|Gen|Col|Adm|Lt|Capt)\.)\s+$", re.IGNORECASE)


def _person_context(text: str, mentions: Sequence[tuple[str, str, int, int]]) -> bool:
    """A name said the way people are: "X, who …", "X, a researcher at …", "Dr. X", "test director X"."""
    return any(_PERSON_CUE_AFTER.match(text[e:e + 80]) or _PERSON_CUE_BEFORE.search(text[max(0, s - 40):s])
               for _, _, s, e in mentions)


def _kinds(raw: Sequence[tuple[str, str, int, int]], text: str) -> dict[str, EntityKind]:
    """One kind per name in a story, by vote, with rules that overrule the model's habits."""
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    where: dict[str, list[tuple[str, str, int, int]]] = defaultdict(list)
    for item in raw:
        votes[item[0]][item[1]] += 1
        where[item[0]].append(item)
    person_parts = {part for name, v in votes.items() if v["PERSON"] and " " in name and not _org_by_form(name)
                    for part in name.split()}
    org_names = [name for name, v in votes.items() if v["ORG"]]
    # Longer names by their first word: "Stellwerk" -> ["Stellwerk Analytics"] (asked for every name).
    longer: dict[str, list[str]] = defaultdict(list)
    for other in votes:
        if " " in other:
            longer[other.split(" ", 1)[0]].append(other)
    org_longer = {name.split(" ", 1)[0] for name in org_names if " " in name}
    kinds: dict[str, EntityKind] = {}
    for name, vote in votes.items():
        if _org_by_form(name):
            kinds[name] = EntityKind.org
        elif name in person_parts:
            kinds[name] = EntityKind.person  # "Reyes" of "Alan Reyes", whatever the model said once
        elif " " not in name and any(_org_by_form(other) for other in longer.get(name, ())):
            kinds[name] = EntityKind.org  # "Stellwerk" of "Stellwerk Analytics"
        elif vote["ORG"] and " and " in name and len(name.split()) <= 3:
            continue  # "Pro and Air": a list of products, not a body
        elif vote["ORG"] or (vote["FAC"] and _ORG_WORDS.search(name)):
            # "Voss, the former chief executive, …" introduces "Dana Voss" as much as her full name would.
            person = _person_form(name) and (vote["PERSON"] > 2 * vote["ORG"] or (
                " " in name and len(name.split()) <= 3
                and _person_context(text, [*where[name], *where.get(name.split()[-1], [])])))
            kinds[name] = EntityKind.person if person else EntityKind.org
        elif vote["PERSON"] and _person_form(name):
            kinds[name] = EntityKind.person
        elif not vote["GPE"] and " " not in name and name in org_longer:
            kinds[name] = EntityKind.org  # "Helix" (tagged a nationality) of "Helix Defense Systems"
        # GPE and NORP alone are places and peoples: left out, unless the form says organisation.
    # "Marsh" of "Helena Marsh", once "Helena Marsh" is known to be a person (from the way she is
    # introduced) even though the model called both an organisation.
    people_parts = {part for name, kind in kinds.items() if kind is EntityKind.person and " " in name
                    for part in (name.split()[0], name.split()[-1])}
    for name, kind in kinds.items():
        if kind is EntityKind.org and name in people_parts and not _org_by_form(name):
            kinds[name] = EntityKind.person
    return kinds


def _org_by_form(name: str) -> bool:
    key = fold(name)
    return (key in KNOWN_ORGS or key.replace(" ", "-") in KNOWN_ORGS or org_key(name) in ORG_ALIASES
            or camel_case(name) or bool(_ORG_WORDS.search(name)))


def org_by_form(name: str) -> bool:
    """Whether a name's form alone says organisation (known body, camel case, an organisation word)."""
    return _org_by_form(name)


def _person_form(name: str) -> bool:
    """Capitalised words (particles aside), no digits: how people's names look."""
    words = name.split()
    return all(w[0].isupper() or w.lower() in _PARTICLES for w in words) and not any(ch.isdigit() for ch in name)


def _refind(text: str, found: list[Span], credits: list[tuple[int, int]]) -> list[Span]:
    """Later mentions the model missed: every name it found once is a name wherever it appears."""
    surfaces: dict[str, EntityKind] = {s.text: s.kind for s in found}
    for span in found:
        if span.kind is EntityKind.person and " " in span.text:
            last = span.text.split()[-1]
            if len(last) > 2 and last not in surfaces:
                surfaces[last] = EntityKind.person
    if not surfaces:
        return found
    taken = _Intervals((s.start, s.end) for s in found)
    extra = []
    for surface in sorted(surfaces, key=len, reverse=True):  # longest first, so "Alan Reyes" before "Reyes"
        start = text.find(surface)
        while start >= 0:
            end = start + len(surface)
            bounded = (start == 0 or not (text[start - 1].isalnum() or text[start - 1] in "_@")) and (
                end == len(text) or not (text[end].isalnum() or text[end] == "_"))
            if bounded and not taken.overlaps(start, end) and not _in_regions(credits, start):
                extra.append(Span(surface, surfaces[surface], start, end))
                taken.add(start, end)
            start = text.find(surface, start + 1)
    return sorted(found + extra, key=lambda s: s.start)


# --- without a model: names by their shape, for stories that get the cheap treatment ------------

_CAPITALISED = re.compile(
    r"(?<![\w.’'])(?:(?P<rank>(?:Dr|Mr|Mrs|Ms|Prof|Gen|Col|Lt|Maj|Capt|Sgt|Adm|Sen|Rep|Gov)\.)\s+)?"
    r"(?P<name>[A-Z][a-z]+(?:[-’'][A-Z]?[a-z]+)?(?:\s+(?:[A-Z]\.\s+)?[A-Z][a-z]+(?:-[A-Z][a-z]+)?){0,2})(?![\w])")
_OPENERS = words("""the a an in on at but and for if when while after before as this that these those it its
he she they we our his her their there here what who how why where yet so still also meanwhile however later
critics officials analysts""") | MONTHS | DAYS


def shape_mentions(text: str) -> list[Span]:
    """People and organisations found by capitalisation alone: good enough to name who said a quote."""
    found: list[Span] = []
    for match in _CAPITALISED.finditer(text):
        words = match.group("name").split()
        start = match.start("name")
        while words and fold(words[0]) in _OPENERS | NOT_NAMES:
            start += len(words[0]) + 1
            words = words[1:]
        name = " ".join(words)
        if not name or (len(words) < 2 and not match.group("rank")) or not _plausible(name):
            continue
        kind = EntityKind.org if _org_by_form(name) else EntityKind.person
        found.append(Span(name, kind, start, start + len(name)))
    return _refind(text, found, credit_regions(text))
