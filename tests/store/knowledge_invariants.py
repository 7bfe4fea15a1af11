"""What must hold of the knowledge tables after every write, checked with plain SQL.

Shared by the merge tests and the state machine: every reference points at a row that exists,
counts agree with the rows they count, nothing unreferenced is kept, the copies of a name held
beside an id (a quote's speaker, a role's organisation) are that entity's name, and every name
index (this instance's, and any other's on the same database) holds exactly what the tables do.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Connection, text

from bot.store import Store, name_key
from bot.store.knowledge_write import unreferenced
from bot.store.name_index import Named, NameIndex

# (what, SQL counting the rows that break it)
BROKEN = [
    ("alias of a missing entity", "SELECT count(*) FROM entity_aliases a WHERE NOT EXISTS "
                                  "(SELECT 1 FROM entities e WHERE e.id = a.entity_id)"),
    ("mention of a missing entity", "SELECT count(*) FROM mentions m WHERE NOT EXISTS "
                                    "(SELECT 1 FROM entities e WHERE e.id = m.entity_id)"),
    ("mention in a missing story", "SELECT count(*) FROM mentions m WHERE NOT EXISTS "
                                   "(SELECT 1 FROM stories s WHERE s.id = m.story_id)"),
    ("quote by a missing entity", "SELECT count(*) FROM quotes q WHERE q.entity_id IS NOT NULL AND NOT EXISTS "
                                  "(SELECT 1 FROM entities e WHERE e.id = q.entity_id)"),
    ("quote in a missing story", "SELECT count(*) FROM quotes q WHERE NOT EXISTS "
                                 "(SELECT 1 FROM stories s WHERE s.id = q.story_id)"),
    ("role of a missing entity", "SELECT count(*) FROM roles r WHERE NOT EXISTS "
                                 "(SELECT 1 FROM entities e WHERE e.id = r.entity_id)"),
    ("role at a missing organisation", "SELECT count(*) FROM roles r WHERE r.org_entity_id IS NOT NULL AND NOT "
                                       "EXISTS (SELECT 1 FROM entities e WHERE e.id = r.org_entity_id)"),
    ("role from a missing story", "SELECT count(*) FROM roles r WHERE r.story_id IS NOT NULL AND NOT EXISTS "
                                  "(SELECT 1 FROM stories s WHERE s.id = r.story_id)"),
    ("event of a missing entity", "SELECT count(*) FROM events v WHERE NOT EXISTS "
                                  "(SELECT 1 FROM entities e WHERE e.id = v.entity_id)"),
    ("event from a missing story", "SELECT count(*) FROM events v WHERE v.story_id IS NOT NULL AND NOT EXISTS "
                                   "(SELECT 1 FROM stories s WHERE s.id = v.story_id)"),
    ("story count that is not its mentions", "SELECT count(*) FROM entities e WHERE e.story_count <> "
                                             "(SELECT count(*) FROM mentions m WHERE m.entity_id = e.id)"),
    ("first seen after last seen", "SELECT count(*) FROM entities WHERE first_seen_at > last_seen_at"),
    ("quote speaker not its entity's name", "SELECT count(*) FROM quotes q JOIN entities e ON e.id = q.entity_id "
                                            "WHERE q.speaker <> e.name OR q.speaker_kind <> e.kind"),
    ("role organisation not its entity's name", "SELECT count(*) FROM roles r JOIN entities e "
                                                "ON e.id = r.org_entity_id WHERE r.org <> e.name"),
    ("mention counted less than once", "SELECT count(*) FROM mentions m JOIN stories s "
                                                  "ON s.id = m.story_id WHERE m.count < 1"),
]


def check_invariants(store: Store, *others: NameIndex) -> None:
    with store.engine.connect() as c:
        # One round trip for every check: the state machine runs this after each of hundreds of steps.
        counts = c.execute(text("SELECT " + ", ".join(f"({sql})" for _, sql in BROKEN))).one()
        problems = {what: n for (what, _), n in zip(BROKEN, counts, strict=True) if n}
        assert not problems, problems
        kept = unreferenced(c)
        assert not kept, f"entities nothing refers to were kept: {kept}"
        named = {int(r.id): (r.kind, r.name) for r in c.execute(text("SELECT id, kind, name FROM entities"))}
        keys = {(int(r.entity_id), r.alias_key) for r in c.execute(text(
            "SELECT entity_id, alias_key FROM entity_aliases"))}
        missing = [(i, name) for i, (_, name) in named.items() if (i, name_key(name)) not in keys]
        assert not missing, f"entities not findable by their own name: {missing}"
        version = int(c.execute(text("SELECT coalesce(max(version), 0) FROM knowledge_changes")).scalar_one())
        assert store.knowledge.version() == version
        for index in (store.knowledge.name_index, *others):
            check_index(c, index, version)


def check_index(c: Connection, index: NameIndex, version: int) -> None:
    """The index, brought up to date, holds exactly the entities and aliases in the tables."""
    held = index.contents()
    assert held.version == version
    assert held.sorted_keys and held.lengths_agree
    entities = {int(r.id): Named(int(r.id), r.kind, r.name, int(r.story_count)) for r in c.execute(text(
        "SELECT id, kind, name, story_count FROM entities"))}
    assert held.entities == entities
    ids_by_key: dict[str, list[int]] = defaultdict(list)
    aliases: dict[int, list[str]] = defaultdict(list)
    for r in c.execute(text("SELECT entity_id, alias_key, alias FROM entity_aliases")):
        ids_by_key[r.alias_key].append(int(r.entity_id))
        aliases[int(r.entity_id)].append(r.alias)
    assert held.ids_by_key == {k: sorted(v) for k, v in ids_by_key.items()}
    assert {k: sorted(v) for k, v in held.aliases.items()} == {k: sorted(v) for k, v in aliases.items()}
