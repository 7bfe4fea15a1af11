"""/whois: who is this person or organisation, according to the news read so far.

Lookups read only stored data (aliases, roles, quotes, mentions): a lookup never re-parses a
story. Names are found by full name, surname or any alias, then by a unique prefix, then by a
small typo (rapidfuzz); several equally good answers are listed as candidates instead of guessed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.cards import Candidate, EntityLine, MentionLine, Profile, QuoteLine, RoleLine, WhoisCard
from bot.models import EntityKind
from bot.store import Store, name_key
from bot.store.knowledge import EntityRow, RoleRow

FUZZY_MATCH = 88  # score (0-100) above which a single close name is taken as meant
FUZZY_SUGGEST = 70
MAX_DESCRIPTION = 300


@dataclass(frozen=True, slots=True)
class Lookup:
    entities: list[EntityRow]
    how: str  # exact | prefix | fuzzy | none


def find(store: Store, query: str) -> Lookup:
    key = name_key(query)
    if not key:
        return Lookup([], "none")
    exact = store.knowledge.by_alias(key)
    if exact:
        return Lookup(_prefer_people(exact), "exact")
    prefixed = store.knowledge.by_prefix(key) if len(key) >= 3 else []
    if prefixed:
        return Lookup(_prefer_people(prefixed), "prefix")
    choices = store.knowledge.all_aliases()
    if not choices:
        return Lookup([], "none")
    scored = process.extract(key, [alias for alias, _ in choices], scorer=fuzz.WRatio, limit=8,
                             score_cutoff=FUZZY_SUGGEST)
    ids: dict[int, float] = {}
    for _, score, index in scored:
        entity_id = choices[index][1]
        ids[entity_id] = max(ids.get(entity_id, 0.0), score)
    ranked = sorted(ids.items(), key=lambda kv: -kv[1])
    rows = [row for entity_id, _ in ranked if (row := store.knowledge.entity(entity_id)) is not None]
    if ranked and ranked[0][1] >= FUZZY_MATCH and (len(ranked) == 1 or ranked[1][1] < ranked[0][1]):
        return Lookup(rows[:1], "fuzzy")
    return Lookup(rows, "suggest")


def _prefer_people(rows: list[EntityRow]) -> list[EntityRow]:
    """A name shared by a person and an organisation is usually asked about as the person."""
    people = [r for r in rows if r.kind is EntityKind.person]
    return people or rows


def whois(store: Store, query: str) -> WhoisCard:
    query = query.strip()
    lookup = find(store, query)
    if lookup.how in ("exact", "prefix", "fuzzy") and len(lookup.entities) == 1:
        return WhoisCard(query, profile(store, lookup.entities[0]))
    if lookup.how in ("exact", "prefix") and len(lookup.entities) > 1:
        top, second = lookup.entities[0], lookup.entities[1]
        if top.story_count >= 3 * max(second.story_count, 1):
            return WhoisCard(query, profile(store, top))  # one name dominates the news: take it
        return WhoisCard(query, None, [_candidate(store, e) for e in lookup.entities[:8]],
                         message=f"Several people or organisations match “{query}”; which one?")
    suggestions = [_candidate(store, e) for e in lookup.entities[:5]]
    message = f"Nobody called “{query}” appears in the news read so far."
    if suggestions:
        message += " Did you mean " + ", ".join(c.name for c in suggestions) + "?"
    return WhoisCard(query, None, suggestions, message=message)


def _candidate(store: Store, entity: EntityRow) -> Candidate:
    return Candidate(entity.name, entity.kind.value, describe(entity, store.knowledge.roles(entity.id), None))


def profile(store: Store, entity: EntityRow) -> Profile:
    knowledge = store.knowledge
    role_rows = knowledge.roles(entity.id)
    mentions = knowledge.mentions(entity.id, limit=5)
    latest = mentions[0].title if mentions else None
    return Profile(
        name=entity.name, kind=entity.kind.value,
        aliases=sorted({a for a in knowledge.aliases(entity.id) if a != entity.name}),
        description=describe(entity, role_rows, latest),
        roles=_roles(role_rows),
        quotes=[QuoteLine(q.text, q.story_url, q.story_title, q.published_at) for q in knowledge.quotes(entity.id)],
        mentions=[MentionLine(m.story_url, m.title, m.published_at) for m in mentions],
        related=[EntityLine(e.name, e.kind.value) for e, _ in knowledge.related(entity.id)],
        story_count=entity.story_count,
    )


def _roles(rows: list[RoleRow]) -> list[RoleLine]:
    """One line per distinct role, newest report first."""
    seen: set[tuple[str, str | None]] = set()
    lines = []
    for row in rows:
        key = (row.title.lower(), (row.org or "").lower() or None)
        if key in seen:
            continue
        seen.add(key)
        lines.append(RoleLine(row.title, row.org, row.former, row.published_at))
    return lines


def describe(entity: EntityRow, roles: list[RoleRow], latest: str | None) -> str:
    current = [r for r in roles if not r.former]
    former = [r for r in roles if r.former]
    parts = []
    if current:
        counts = Counter((r.title, r.org) for r in current)
        (title, org), _ = counts.most_common(1)[0]
        parts.append(f"{org}'s {title}" if org and not title.lower().startswith(org.lower()) else title)
    elif entity.kind is EntityKind.org:
        parts.append("organisation")
    if latest:
        parts.append(f"in the news: {latest}")
    if former:
        orgs = list(dict.fromkeys(r.org for r in former if r.org))
        if orgs:
            parts.append("previously " + ", ".join(orgs))
    text = f"{entity.name} — " + "; ".join(parts) if parts else entity.name
    return text if len(text) <= MAX_DESCRIPTION else text[: MAX_DESCRIPTION - 1].rsplit(" ", 1)[0] + "…"
