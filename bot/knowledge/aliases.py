"""One story's mentions grouped into entities: which surface forms name the same person or body.

"Altman" is Sam Altman when the story names one Sam Altman; "Sam H. Altman" and "Sam Altman" are one
person; "Helix" and "HD" stand for Helix Dynamics when it is the one longer name they shorten. What
is true across stories is decided later, by the store (bot/store/knowledge_write.py).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence

from bot.knowledge.entities import Span
from bot.knowledge.gazetteer import org_display, org_key
from bot.models import EntityKind, ExtractedEntity


def resolve(found: Sequence[Span]) -> tuple[list[ExtractedEntity], dict[str, str]]:
    """Merge mentions into entities; returns them and a map from every surface form to its canonical name.

    A surname stands for the one full name that ends with it; a first name alone only when one full
    name starts with it and no one is called that by surname; an organisation's short form ("Helix")
    or initials stand for the one longer name they abbreviate.
    """
    alias_of = _person_aliases([s.text for s in found if s.kind is EntityKind.person])
    alias_of.update(_org_aliases([s.text for s in found if s.kind is EntityKind.org]))
    entities: dict[tuple[EntityKind, str], ExtractedEntity] = {}
    for span in found:
        name = alias_of[span.text]
        entity = entities.setdefault((span.kind, name), ExtractedEntity(name, span.kind, count=0))
        entity.aliases.add(span.text)
        entity.count += 1
    for entity in entities.values():
        if entity.kind is EntityKind.person and " " in entity.name:
            entity.aliases.add(_surname(entity.name))
            parts = entity.name.split()
            if len(parts) == 3 and all(len(w) > 2 and w[0].isupper() and not w.endswith(".") for w in parts[1:]) \
                    and not re.fullmatch(r"(?:Jr|Sr|II|III|IV)\.?", parts[2]):
                entity.aliases.add(" ".join(parts[1:]))  # "Myers West" of "Sarah Myers West": a two-word surname
        entity.aliases.discard(entity.name)
    return list(entities.values()), alias_of


def _surname(name: str) -> str:
    words = [w for w in name.split() if not re.fullmatch(r"(?:Jr|Sr|II|III|IV)\.?", w)]
    return words[-1] if words else name


def _person_aliases(names: Iterable[str]) -> dict[str, str]:
    unique = sorted(set(names), key=lambda n: (-len(n.split()), -len(n)))
    full = [n for n in unique if " " in n]
    alias_of: dict[str, str] = {}
    same_ends: dict[tuple[str, str], list[str]] = defaultdict(list)
    for name in full:
        same_ends[(name.split()[0], _surname(name))].append(name)
    for name in full:
        # "Sam H. Altman" and "Sam Altman" are one person: same first and last word.
        longer = [f for f in same_ends[(name.split()[0], _surname(name))] if f != name and len(f) > len(name)]
        alias_of[name] = alias_of.get(longer[0], longer[0]) if longer else name
    by_surname: dict[str, set[str]] = defaultdict(set)
    by_first: dict[str, set[str]] = defaultdict(set)
    for name in full:
        by_surname[_surname(name)].add(alias_of[name])
        by_first[name.split()[0]].add(alias_of[name])
    for name in unique:
        if " " in name:
            continue
        owners = by_surname.get(name) or (by_first.get(name) if name not in by_surname else None) or set()
        alias_of[name] = next(iter(owners)) if len(owners) == 1 else name
    return alias_of


def _org_aliases(names: Iterable[str]) -> dict[str, str]:
    groups: dict[str, list[str]] = defaultdict(list)
    for name in set(names):
        groups[org_key(name)].append(name)
    display = {key: org_display(max(group, key=lambda n: (len(n.split()), len(n)))) for key, group in groups.items()}
    keys = sorted(groups, key=len, reverse=True)
    # What each key may abbreviate, by its leading words or its initials, in the order of `keys`.
    expands: dict[str, list[str]] = defaultdict(list)
    for k in keys:
        parts = k.split(" ")
        shorter = {" ".join(parts[:n]) for n in range(1, len(parts))}
        if _initials(k):
            shorter.add(_initials(k))
        for short in shorter:
            expands[short].append(k)
    target: dict[str, str] = {}
    for key in keys:
        longer = [k for k in expands.get(key, ()) if len(k) > len(key)]
        target[key] = longer[0] if len(longer) == 1 else key
    return {name: display[target[key]] for key, group in groups.items() for name in group}


def _initials(key: str) -> str:
    words = [w for w in key.split() if w not in ("of", "and", "for", "the", "&")]
    return "".join(w[0] for w in words) if len(words) > 1 else ""
