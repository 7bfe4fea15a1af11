"""The digest's people section: who its stories named most, with the one line /whois would say."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from bot.cards import PersonLine
from bot.knowledge.gazetteer import DAYS, MONTHS
from bot.knowledge.whois import candidates
from bot.models import EntityKind, StoryView
from bot.store import Store, name_key

MAX_PEOPLE = 5


def people_of(store: Store, stories: Iterable[StoryView], *, limit: int = MAX_PEOPLE) -> list[PersonLine]:
    """The people named by the most of these stories (each story counts once per person)."""
    counts: Counter[str] = Counter()
    for story in stories:
        counts.update({name for name, kind in story.entities if kind is EntityKind.person})
    ranked = [n for n in sorted(counts, key=lambda n: (-counts[n], n))
              if not set(name_key(n).split()) <= DAYS | MONTHS][:limit]
    rows = {name: store.knowledge.find(name, EntityKind.person) for name in ranked}
    found = [row for row in rows.values() if row is not None]
    described = {row.id: c.description for row, c in zip(found, candidates(store, found), strict=True)}
    return [PersonLine(name, counts[name], described.get(row.id, "") if (row := rows[name]) else "")
            for name in ranked]
