"""People and organisations named in a story, from spaCy's NER with fixes for its known mistakes.

spaCy's small English model tags some companies as people ("OpenAI"), keeps possessives in names
("Anthropic's"), and cuts names short. We correct what general rules can: possessives are
stripped, names of one word are folded into the full name they abbreviate, and a name that appears
as an organisation elsewhere in the story is an organisation.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.models import EntityKind, ExtractedEntity

if TYPE_CHECKING:
    from spacy.tokens import Doc

_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")
_TITLES = re.compile(r"^(?:mr|mrs|ms|dr|prof|col|gen|lt|maj|capt|sgt|adm|sen|rep|gov|president|ceo)\.?\s+",
                     re.IGNORECASE)
# Words spaCy sometimes includes in or mistakes for names.
_NOT_NAMES = frozenset({"ai", "x", "chatgpt", "saturday", "sunday", "monday", "tuesday", "wednesday",
                        "thursday", "friday", "the", "ceo", "cto"})
# Organisations the small model often tags as people; matched on the whole name only.
KNOWN_ORGS = frozenset({"openai", "anthropic", "deepmind", "google", "meta", "apple", "microsoft", "nvidia",
                        "palantir", "anduril", "amazon", "pentagon", "nato", "darpa", "spacex", "xai"})


@dataclass(frozen=True, slots=True)
class Span:
    text: str
    kind: EntityKind
    start: int  # character offsets in the text given to spaCy
    end: int


def clean_name(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip(" \t\n,.;:—–-\"“”‘’'()")
    text = _POSSESSIVE.sub("", text)
    return _TITLES.sub("", text).strip()


def spans(doc: Doc) -> list[Span]:
    found = []
    for ent in doc.ents:
        if ent.label_ not in ("PERSON", "ORG"):
            continue
        name = clean_name(ent.text)
        if not name or name.lower() in _NOT_NAMES or not any(ch.isalpha() for ch in name):
            continue
        kind = EntityKind.person if ent.label_ == "PERSON" else EntityKind.org
        if kind is EntityKind.person and name.lower() in KNOWN_ORGS:
            kind = EntityKind.org
        found.append(Span(name, kind, ent.start_char, ent.end_char))
    return found


def resolve(found: list[Span]) -> tuple[list[ExtractedEntity], dict[str, str]]:
    """Merge mentions into entities; returns them and a map from every alias to its canonical name."""
    org_names = {s.text.lower() for s in found if s.kind is EntityKind.org}
    people: dict[str, ExtractedEntity] = {}
    orgs: dict[str, ExtractedEntity] = {}
    counts: Counter[str] = Counter()
    full_names = sorted({s.text for s in found if s.kind is EntityKind.person and " " in s.text}, key=len,
                        reverse=True)
    by_part: dict[str, set[str]] = defaultdict(set)
    for name in full_names:
        parts = name.split()
        by_part[parts[-1].lower()].add(name)
        by_part[parts[0].lower()].add(name)
    alias_of: dict[str, str] = {}
    for span in found:
        kind = span.kind
        if kind is EntityKind.person and span.text.lower() in org_names:
            kind = EntityKind.org
        name = span.text
        if kind is EntityKind.person:
            if " " not in name:
                owners = by_part.get(name.lower(), set())
                if len(owners) == 1:
                    name = next(iter(owners))
            else:
                longer = [f for f in full_names if f != name and f.endswith(" " + name.split()[-1])
                          and f.startswith(name.split()[0])]
                if longer:
                    name = longer[0]
            alias_of[span.text] = name
            entity = people.setdefault(name, ExtractedEntity(name, EntityKind.person))
        else:
            alias_of[span.text] = name
            entity = orgs.setdefault(name.lower(), ExtractedEntity(name, EntityKind.org))
        entity.aliases.add(span.text)
        counts[f"{kind}:{entity.name}"] += 1
    result = []
    for entity in [*people.values(), *orgs.values()]:
        if entity.kind is EntityKind.person and " " in entity.name:
            entity.aliases.add(entity.name.split()[-1])
        entity.count = counts[f"{entity.kind}:{entity.name}"]
        result.append(entity)
    return result, alias_of
