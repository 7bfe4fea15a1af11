"""A state machine saves random stories full of overlapping names; the knowledge store must stay whole.

Names are drawn from a handful of made-up people so that they collide the way real news makes them
collide: full names, bare surnames, titles glued on ("Chairperson Tamsin Okoro"), the same word as a
person and as an organisation, case and accent variants, possessives. Stories are published, read
again with different knowledge (a fuller text arrived), and retired by retention, in any order.
After every step the invariants of `knowledge_invariants` are checked: every alias, mention, role,
quote and event points at an entity and story that exist, story counts equal their mentions, nothing
unreferenced is kept, and the name index (brought up to date by patches, not reloads) holds exactly
what the tables hold. A second instance on the same database looks names up now and then, so its
index must follow several writes at once, retention's among them.

Runs on SQLite and PostgreSQL; the quick run is part of every test run, the thorough one is slow.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from sqlalchemy import delete, func, select

from bot.models import Enrichment, EntityKind, Event, ExtractedEntity, Quote, Role
from bot.ops.retention import prune
from bot.store import NewStory, Store, knowledge_changes, name_key
from bot.store.schema import (
    clusters,
    entities,
    entity_aliases,
    events,
    facts,
    feeds,
    mentions,
    pruned_stories,
    quotes,
    roles,
    stories,
    story_sources,
)
from tests.store.knowledge_invariants import check_index, check_invariants

BASE = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
FIRST = ["Tamsin", "Ilona", "Lena"]
SURNAMES = ["Okoro", "Varga", "Núñez", "Brandt", "Sollberg", "Achterberg", "Quist", "Mbeki-Lund"]
TITLES = ["Chairperson", "Senator", "Dr.", "General"]
ORG_WORDS = ["", " Group", " Labs", " Institute"]  # "" makes an organisation of the bare surname


def vary(name: str, how: str) -> str:
    """The same name as news spells it differently."""
    if how == "upper":
        return name.upper()
    if how == "lower":
        return name.lower()
    if how == "plain":
        return name.replace("ú", "u").replace("ñ", "n").replace("Ú", "U").replace("Ñ", "N")
    if how == "possessive":
        return name + "'s"
    if how == "curly":
        return name + "’s"
    return name


VARIANTS = st.sampled_from(["same", "same", "same", "upper", "lower", "plain", "possessive", "curly"])


@st.composite
def person_name(draw: st.DrawFn, surnames: list[str] = SURNAMES) -> str:
    first, surname = draw(st.sampled_from(FIRST)), draw(st.sampled_from(surnames))
    form = draw(st.sampled_from(["full", "full", "surname", "surname", "titled", "titled surname", "first"]))
    name = {"full": f"{first} {surname}", "surname": surname, "first": first,
            "titled": f"{draw(st.sampled_from(TITLES))} {first} {surname}",
            "titled surname": f"{draw(st.sampled_from(TITLES))} {surname}"}[form]
    return vary(name, draw(VARIANTS))


@st.composite
def org_name(draw: st.DrawFn, surnames: list[str] = SURNAMES) -> str:
    return vary(draw(st.sampled_from(surnames)) + draw(st.sampled_from(ORG_WORDS)), draw(VARIANTS))


@st.composite
def entity(draw: st.DrawFn, orgs: list[str], surnames: list[str]) -> ExtractedEntity:
    kind = draw(st.sampled_from([EntityKind.person, EntityKind.person, EntityKind.org]))
    names = person_name(surnames) if kind is EntityKind.person else org_name(surnames)
    name = draw(names)
    aliases = set(draw(st.lists(names, max_size=2)))
    if kind is EntityKind.person and " " in name and draw(st.booleans()):
        aliases.add(name.split()[-1])  # the surname, as the NLP stage reports it
    org = st.one_of(st.none(), st.sampled_from(orgs), org_name()) if orgs else st.one_of(st.none(), org_name())
    role_list = draw(st.lists(st.builds(Role, st.sampled_from(["director", "analyst", "chair"]), org,
                                        st.booleans()), max_size=2)) if kind is EntityKind.person else []
    event_list = draw(st.lists(st.builds(Event, st.sampled_from(["resigned", "joined the board"]),
                                         st.sampled_from(["departure", "arrival", "action"]), org, st.booleans()),
                               max_size=1)) if kind is EntityKind.person else []
    return ExtractedEntity(name, kind, aliases=aliases, count=draw(st.integers(1, 3)), roles=role_list,
                           events=event_list)


@st.composite
def enrichment(draw: st.DrawFn) -> Enrichment:
    # A story is about a few people, often of one family name: the names in it collide with each other.
    surnames = draw(st.lists(st.sampled_from(SURNAMES), min_size=1, max_size=2, unique=True))
    orgs = draw(st.lists(org_name(surnames), max_size=2))
    found = [ExtractedEntity(o, EntityKind.org) for o in orgs]
    found += draw(st.lists(entity(orgs, surnames), max_size=6))
    found = draw(st.permutations(found))  # the order names are met in a story matters to merges
    speakers = [(e.name, e.kind) for e in found] + [(draw(person_name()), EntityKind.person)]
    quote_list = [Quote(f"Quote {i}.", *draw(st.sampled_from(speakers)), partial=draw(st.booleans()))
                  for i in range(draw(st.integers(0, 3)))]
    if draw(st.booleans()):
        quote_list.append(Quote("Unattributed.", None))
    return Enrichment("Summary.", ["A fact."], quote_list, list(found))


class KnowledgeMachine(RuleBasedStateMachine):
    store: Store
    other: Store  # another instance on the same database

    def __init__(self) -> None:
        super().__init__()
        self.published: list[str] = []  # stories stored, in age order
        self.retired = 0  # the oldest this many were deleted by retention
        self.outlived = (0, 0)  # roles and events whose story retention deleted: nothing may lose them

    @initialize()
    def empty(self) -> None:
        with self.store.engine.begin() as c:
            for table in (mentions, quotes, roles, events, entity_aliases, facts, story_sources, entities, stories,
                          clusters, feeds, pruned_stories):
                c.execute(delete(table))
            knowledge_changes.record(c, None, BASE)  # emptied behind the store's back: readers reload
        self.feed = self.store.feeds.add(name="f", url="https://example.org/f", topics=None, added_by="t",
                                         now=BASE)

    def when(self, n: int) -> datetime:
        return BASE + timedelta(hours=n)

    @rule(learned=enrichment())
    def publish(self, learned: Enrichment) -> None:
        n = len(self.published)
        story_id = f"s{n}"
        self.store.stories.store(NewStory(id=story_id, title=story_id, url=f"https://example.org/{n}",
                                          canonical_url=None, guid=None, title_key=None, published_at=self.when(n),
                                          feed_summary="", text="text", relevant=True),
                                 feed_id=self.feed.id, source_name="Example", now=self.when(n))
        self.store.knowledge.save(story_id, learned, published=self.when(n), now=self.when(n))
        self.published.append(story_id)

    @precondition(lambda self: len(self.published) > self.retired)
    @rule(pick=st.integers(0, 1000), learned=enrichment())
    def read_again(self, pick: int, learned: Enrichment) -> None:
        n = self.retired + pick % (len(self.published) - self.retired)
        self.store.knowledge.save(self.published[n], learned, published=self.when(n),
                                  now=self.when(len(self.published)))

    @precondition(lambda self: len(self.published) > self.retired)
    @rule(keep=st.integers(0, 3))
    def retention(self, keep: int) -> None:
        """Retention deletes all but the newest `keep` stories (their roles and events stay)."""
        cut = max(self.retired, len(self.published) - keep)
        report = prune(self.store, now=self.when(cut) + timedelta(days=1), retention=timedelta(days=1))
        assert report.stories == cut - self.retired
        self.retired = cut

    @rule(name=st.one_of(person_name(), org_name()))
    def another_instance_looks_up(self, name: str) -> None:
        self.other.knowledge.name_index.exact(name_key(name))
        with self.store.engine.connect() as c:
            check_index(c, self.other.knowledge.name_index, self.store.knowledge.version())

    @invariant()
    def whole(self) -> None:
        check_invariants(self.store)

    @invariant()
    def nothing_outlived_is_lost(self) -> None:
        with self.store.engine.connect() as c:
            row = c.execute(select(*(select(func.count()).select_from(table).where(table.c.story_id.is_(None))
                                     .scalar_subquery() for table in (roles, events)))).one()
            now = (int(row[0]), int(row[1]))
        assert now >= self.outlived, f"roles and events that outlived their stories went: {self.outlived} -> {now}"
        self.outlived = now


def run_machine(store_url: str, *, examples: int, steps: int, shrink: bool) -> None:
    """Run the machine on one database (emptied between examples: a new one each time costs seconds).

    Without `shrink` a failure is reported as found, not reduced to its smallest form: shrinking
    replays hundreds of database sessions, minutes the quick run cannot spend.
    """
    store, other = Store.open(store_url), Store.open(store_url)
    try:
        class Machine(KnowledgeMachine):
            pass

        Machine.store, Machine.other = store, other
        machine = Machine
        phases = [Phase.explicit, Phase.generate, *([Phase.shrink] if shrink else [])]
        machine.TestCase.settings = settings(max_examples=examples, stateful_step_count=steps, deadline=None,
                                             suppress_health_check=list(HealthCheck), database=None,
                                             phases=phases, derandomize=not shrink)
        machine.TestCase().runTest()
        # The patches did the work: one full read per example (each starts from an emptied store), not per save.
        index = store.knowledge.name_index
        assert index.patches > index.full_loads
    finally:
        store.close()
        other.close()


def test_knowledge_stays_whole_quick(store_url: str) -> None:
    # Fewer on PostgreSQL: each step is some fifty round trips to a server the whole machine shares.
    examples = 12 if store_url.startswith("sqlite") else 6
    run_machine(store_url, examples=examples, steps=10, shrink=False)


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_knowledge_stays_whole_thorough(store_url: str) -> None:
    examples = 150 if store_url.startswith("sqlite") else 40
    run_machine(store_url, examples=examples, steps=30, shrink=True)
