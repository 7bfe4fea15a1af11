"""/whois: who is this person or organisation, according to the news read so far.

Lookups read only stored data (aliases, roles, events, quotes, mentions): a lookup never re-parses
a story. A name is found by any alias (full name, surname, organisation spelling), case- and
accent-insensitively; then by a unique prefix; then by a small typo (one or two edits, rapidfuzz).
Several equally good answers are listed as candidates instead of guessed, and a name nobody in the
news has gets a plain answer with the closest names as suggestions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.cards import Candidate, EntityLine, EventLine, MentionLine, Profile, QuoteLine, WhoisCard
from bot.knowledge.describe import describe, role_lines
from bot.knowledge.timeline import timeline, weekly
from bot.models import EntityKind
from bot.store import Store, name_key
from bot.store.knowledge_repo import EntityRow

DOMINANT = 3  # a name this many times as present in the news as the next one is the one meant
MAX_CANDIDATES = 6
DESCRIBED_EVENTS = 12  # the latest events the description and roles are read from
TIMELINE_EVENTS = 40  # and the timeline, which also shows older ones


@dataclass(frozen=True, slots=True)
class Lookup:
    entities: list[EntityRow]
    how: str  # exact | prefix | typo | suggest | none


def find(store: Store, query: str) -> Lookup:
    key = name_key(query)
    if not key:
        return Lookup([], "none")
    names = store.knowledge.name_index
    exact = names.exact(key)
    if exact:
        return Lookup(_ranked(store, exact), "exact")
    if len(key) >= 3:
        prefixed = names.prefix(key)
        if prefixed:
            return Lookup(_ranked(store, prefixed), "prefix")
    typos = names.typo(key)
    if typos:
        best = min(distance for _, distance in typos)
        return Lookup(_ranked(store, [i for i, d in typos if d == best]), "typo")
    return Lookup(_ranked(store, names.similar(key), by_likeness=True), "suggest")


def _ranked(store: Store, ids: list[int], *, by_likeness: bool = False) -> list[EntityRow]:
    """People before organisations (a shared name is usually asked about as the person), then by coverage;
    suggestions stay in order of likeness to what was typed."""
    rows = [EntityRow(n.id, EntityKind(n.kind), n.name, n.story_count, None)
            for n in store.knowledge.name_index.entities(ids)]
    if by_likeness:
        return rows
    return sorted(rows, key=lambda r: (r.kind is not EntityKind.person, -r.story_count, r.name))


def pick(lookup: Lookup) -> EntityRow | None:
    """The one entity a lookup found, when there is one: alone of its kind, or far more in the news
    than the next of its kind. None when it found nobody or several equally likely."""
    if lookup.how not in ("exact", "prefix", "typo") or not lookup.entities:
        return None
    top = lookup.entities[0]
    # "Paul Ryan" and "Paul D. Ryan" are one person written two ways, not two candidates.
    same_kind = [e for e in lookup.entities[1:] if e.kind is top.kind and not same_name(top, e)]
    if not same_kind or top.story_count >= DOMINANT * max(same_kind[0].story_count, 1):
        return top
    return None


def whois(store: Store, query: str, *, now: datetime | None = None) -> WhoisCard:
    """The card /whois answers with; `now` ends the weekly mentions (default: the newest story read)."""
    query = " ".join(query.split())
    lookup = find(store, query)
    if lookup.how in ("exact", "prefix", "typo") and lookup.entities:
        top = pick(lookup)
        if top is not None:
            also = [e for e in lookup.entities[1:] if same_name(top, e)]
            also += [e for e in _short_forms(store, top) if e.id != top.id and e not in also]
            return WhoisCard(query, profile(store, top, also=also, now=now))
        return WhoisCard(query, None, _candidates(store, lookup.entities[:MAX_CANDIDATES]),
                         message=f"Several people or organisations match “{query}”; which one?")
    suggestions = _candidates(store, lookup.entities[:MAX_CANDIDATES])
    message = f"Nobody called “{query}” appears in the news read so far."
    if suggestions:
        message += " Did you mean " + ", ".join(c.name for c in suggestions) + "?"
    return WhoisCard(query, None, suggestions, message=message)


def candidates(store: Store, rows: list[EntityRow]) -> list[Candidate]:
    """Rows as candidates with their one-line descriptions (for "which one?" answers)."""
    return _candidates(store, rows)


def _candidates(store: Store, rows: list[EntityRow]) -> list[Candidate]:
    known = store.knowledge.roles_and_events_of([r.id for r in rows])
    return [Candidate(r.name, r.kind.value, describe(r, *known[r.id], None)) for r in rows]


_SUFFIX = frozenset({"jr", "sr", "ii", "iii", "iv"})


def same_name(a: EntityRow, b: EntityRow) -> bool:
    """Two stored people whose names differ only by middle initials or a suffix ("Paul Ryan", "Paul D.
    Ryan", "James B. Comey Jr."): stories write one person's name these ways, and each story's reading
    stores the form it saw. Different middle names ("John Paul Smith", "John Peter Smith") stay apart."""
    if a.kind is not EntityKind.person or b.kind is not EntityKind.person:
        return False
    x, y = _name_parts(a.name), _name_parts(b.name)
    if len(x) < 2 or len(y) < 2 or x[0] != y[0] or x[-1] != y[-1]:
        return False
    middle_x, middle_y = x[1:-1], y[1:-1]
    if not middle_x or not middle_y:
        return True
    return [m[0] for m in middle_x] == [m[0] for m in middle_y]


def _short_forms(store: Store, entity: EntityRow) -> list[EntityRow]:
    """The same person stored under the name without its middle initials or suffix ("James B. Comey Jr."
    is also "James Comey")."""
    parts = _name_parts(entity.name)
    if entity.kind is not EntityKind.person or len(parts) < 2 or name_key(entity.name).split() == [parts[0], parts[-1]]:
        return []
    ids = store.knowledge.name_index.exact(f"{parts[0]} {parts[-1]}")
    return [e for e in _ranked(store, ids) if same_name(entity, e)]


def _name_parts(name: str) -> list[str]:
    return [p for p in name_key(name).split() if p not in _SUFFIX]


def profile(store: Store, entity: EntityRow, *, also: list[EntityRow] | None = None,
            now: datetime | None = None) -> Profile:
    """The card for one entity; `also` are stored entities that are the same person under another
    spelling of the name, whose roles, events, quotes and mentions join the card."""
    knowledge = store.knowledge
    ids = [entity.id, *(e.id for e in also or [])]
    role_rows = sorted((r for i in ids for r in knowledge.roles(i)), key=_newest)
    timeline_events = sorted((e for i in ids for e in knowledge.events(i, limit=TIMELINE_EVENTS)),
                             key=_newest)[:TIMELINE_EVENTS]
    event_rows = timeline_events[:DESCRIBED_EVENTS]
    mentions = sorted((m for i in ids for m in knowledge.mentions(i, limit=5)), key=_newest)[:5]
    quote_rows = sorted((q for i in ids for q in knowledge.quotes(i)), key=_newest)[:5]
    # The weeks end with the newest story read: now, for a bot that is reading.
    newest = store.trends.latest(before=now)
    until = newest + timedelta(seconds=1) if newest else now or datetime.now(UTC)
    by_week, weeks_from = weekly(store, entity.id, until)
    latest = mentions[0].title if mentions else None
    people = knowledge.people_at(entity.id) if entity.kind is EntityKind.org else None
    names = {entity.name, *(e.name for e in also or [])}
    roles = role_lines(role_rows, event_rows)
    return Profile(
        name=entity.name, kind=entity.kind.value,
        aliases=sorted({a for i in ids for a in knowledge.aliases(i)} | names - {entity.name}),
        description=describe(entity, role_rows, event_rows, latest, people),
        roles=roles,
        quotes=[QuoteLine(q.text, q.story_url, q.story_title, q.published_at, entity.name) for q in quote_rows],
        mentions=[MentionLine(m.story_url, m.title, m.published_at) for m in mentions],
        related=[EntityLine(e.name, e.kind.value) for e, _ in knowledge.related(entity.id)],
        story_count=entity.story_count + sum(e.story_count for e in also or []),
        events=[EventLine(e.text, e.kind, e.published_at, e.story_url) for e in event_rows[:5]],
        timeline=timeline(roles, timeline_events, quote_rows),
        mentions_by_week=by_week, weeks_from=weeks_from,
    )


def _newest(row: Any) -> float:
    """Newest first; undated rows last."""
    when = getattr(row, "published_at", None) or getattr(row, "published", None)
    return -when.timestamp() if when else float("inf")
