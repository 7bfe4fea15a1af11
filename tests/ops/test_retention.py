"""Retention on both backends: old stories go with their quotes and mentions; profiles and roles stay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.app import Sitrep
from bot.clock import FakeClock
from bot.delivery.schedule import build, retention_job
from bot.models import Enrichment, EntityKind, Event, ExtractedEntity, Quote, Role
from bot.ops import metrics
from bot.ops.retention import prune
from bot.store import NewStory, Store, name_key
from bot.store.db import new_id
from bot.store.schema import clusters, digests, entities, entity_aliases, facts, quotes, roles, stories, story_sources
from tests.conftest import make_config
from tests.store.knowledge_invariants import check_invariants

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def add(store: Store, story_id: str, *, seen: datetime, published: datetime | None, feed_id: int,
        enrichment: Enrichment | None = None, cluster: int | None = None) -> None:
    store.stories.store(NewStory(id=story_id, title=f"Story {story_id}", url=f"https://example.org/{story_id}",
                                 canonical_url=None, guid=None, title_key=None, published_at=published,
                                 feed_summary="", text=f"Text of {story_id} about drones.", relevant=True),
                        feed_id=feed_id, source_name="Example", now=seen)
    if enrichment:
        store.knowledge.save(story_id, enrichment, published=published, now=seen)
    if cluster is not None:
        with store.engine.begin() as c:
            c.execute(stories.update().where(stories.c.id == story_id).values(cluster_id=cluster))


def jane(role: str, quote: str) -> Enrichment:
    person = ExtractedEntity("Jane Roe", EntityKind.person, aliases={"Roe"}, roles=[Role(role, "Acme AI")])
    return Enrichment("Summary.", ["A fact."], [Quote(quote, "Jane Roe", EntityKind.person)],
                      [person, ExtractedEntity("Acme AI", EntityKind.org)])


@pytest.fixture
def history(store: Store) -> Store:
    """Jane Roe in an old story (a former role) and a recent one; an undated old story; an old article seen lately."""
    feed = store.feeds.add(name="f", url="https://example.org/f", topics=None, added_by="t", now=NOW - 400 * DAY)
    with store.engine.begin() as c:
        old_cluster, new_cluster = (
            new_id(c.execute(clusters.insert().values(created_at=at, updated_at=at, size=1)))
            for at in (NOW - 100 * DAY, NOW))
    add(store, "old", seen=NOW - 100 * DAY, published=NOW - 100 * DAY, feed_id=feed.id,
        enrichment=jane("chief of robotics", "We will field it."), cluster=old_cluster)
    add(store, "undated", seen=NOW - 100 * DAY, published=None, feed_id=feed.id)
    add(store, "late-find", seen=NOW - 2 * DAY, published=NOW - 300 * DAY, feed_id=feed.id)
    add(store, "recent", seen=NOW - 2 * DAY, published=NOW - 2 * DAY, feed_id=feed.id,
        enrichment=jane("head of policy", "Autonomy needs rules."), cluster=new_cluster)
    return store


def count(store: Store, table: object) -> int:
    with store.engine.connect() as c:
        return int(c.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def test_old_stories_go_and_profiles_stay(history: Store) -> None:
    store = history
    [entity] = store.knowledge.by_alias(name_key("Jane Roe"))
    assert entity.story_count == 2
    pruned = metrics.sample("sitrep_retention_pruned_stories_total")

    report = prune(store, now=NOW, retention=30 * DAY)

    assert (report.stories, report.clusters, report.cutoff) == (2, 1, NOW - 30 * DAY)
    assert metrics.sample("sitrep_retention_pruned_stories_total") - pruned == 2
    assert sorted(v.id for v in store.stories.views()) == ["late-find", "recent"]  # seen lately: kept
    assert count(store, story_sources) == 2
    assert count(store, facts) == 1
    assert count(store, clusters) == 1
    assert {h.story_id for h in store.search("drones")} == {"late-find", "recent"}  # the index forgot them too
    # The profile: still found by name and alias, with both roles, the old one's story link gone.
    [entity] = store.knowledge.by_alias(name_key("Roe"))
    assert entity.story_count == 1  # mentions still held
    assert [(r.title, r.org) for r in store.knowledge.roles(entity.id)] == [
        ("head of policy", "Acme AI"), ("chief of robotics", "Acme AI")]
    with store.engine.connect() as c:
        assert sorted(c.execute(select(roles.c.story_id)).scalars(), key=str) == [None, "recent"]
    # Quotes and mentions went with their story: a quote must link to something that exists.
    assert [q.text for q in store.knowledge.quotes(entity.id)] == ["Autonomy needs rules."]
    assert [m.story_id for m in store.knowledge.mentions(entity.id)] == ["recent"]
    assert count(store, quotes) == 1


def test_roles_keep_their_evidence_and_date(history: Store) -> None:
    prune(history, now=NOW, retention=30 * DAY)
    [entity] = history.knowledge.by_alias("jane roe")
    old = [r for r in history.knowledge.roles(entity.id) if r.title == "chief of robotics"]
    assert len(old) == 1 and old[0].published_at == NOW - 100 * DAY and old[0].story_id is None


def test_pruning_twice_changes_nothing_more(history: Store) -> None:
    prune(history, now=NOW, retention=30 * DAY)
    again = prune(history, now=NOW, retention=30 * DAY)
    assert (again.stories, again.clusters) == (0, 0)
    [entity] = history.knowledge.by_alias("jane roe")
    assert entity.story_count == 1


def test_re_enriching_after_pruning_keeps_counts_right(history: Store) -> None:
    prune(history, now=NOW, retention=30 * DAY)
    history.knowledge.save("recent", jane("head of policy", "Autonomy needs rules."), published=NOW - 2 * DAY,
                           now=NOW)
    [entity] = history.knowledge.by_alias("jane roe")
    assert entity.story_count == 1


def test_batches(history: Store) -> None:
    report = prune(history, now=NOW, retention=30 * DAY, batch=1)
    assert report.stories == 2
    assert history.stories.count() == 2


def test_a_retention_shorter_than_a_day_is_a_day(history: Store) -> None:
    feed = history.feeds.get("f")
    assert feed is not None
    add(history, "this-morning", seen=NOW - timedelta(hours=3), published=NOW - timedelta(hours=3), feed_id=feed.id)
    report = prune(history, now=NOW, retention=timedelta(minutes=5))
    assert report.cutoff == NOW - DAY
    assert [v.id for v in history.stories.views()] == ["this-morning"]


def test_nothing_is_pruned_within_retention(history: Store) -> None:
    report = prune(history, now=NOW, retention=365 * DAY)
    assert (report.stories, report.clusters) == (0, 0)
    assert history.stories.count() == 4


async def test_the_retention_job_is_scheduled_and_runs(tmp_path: Path, store_url: str) -> None:
    config = make_config(f'storage:\n  url: "{store_url}"\n  retention: 30d\n', tmp_path)
    core = Sitrep(config=config, store=Store.open(store_url), clock=FakeClock(NOW))
    try:
        scheduler = build(core)
        job = scheduler.get_job("retention")
        assert job is not None and job.trigger.interval == timedelta(hours=6)
        feed = core.store.feeds.add(name="f", url="https://example.org/f", topics=None, added_by="t",
                                    now=NOW - 400 * DAY)
        add(core.store, "old", seen=NOW - 100 * DAY, published=NOW - 100 * DAY, feed_id=feed.id)
        await retention_job(core)
        assert core.store.stories.count() == 0
    finally:
        core.store.close()


def test_no_retention_no_job(tmp_path: Path) -> None:
    config = make_config("storage: {}\n", tmp_path)
    core = Sitrep(config=config, store=Store.open(f"sqlite:///{tmp_path / 'x.db'}"), clock=FakeClock(NOW))
    try:
        assert build(core).get_job("retention") is None
    finally:
        core.store.close()


def test_finished_old_digests_go_and_each_channels_latest_stays(store: Store) -> None:
    def digest(channel: str, days_ago: int, *, kind: str = "digest") -> int:
        made = store.outbox.create_digest(channel=channel, platform="slack", body={}, story_ids=[], since=None,
                                          until=NOW - days_ago * DAY, payloads=[{"n": days_ago}],
                                          now=NOW - days_ago * DAY, slot=f"{kind}-{days_ago}", kind=kind)
        assert made is not None
        return made

    def send(digest_id: int) -> None:
        for row in store.outbox.deliveries_for(digest_id):
            assert store.outbox.claim(row.id, owner="sender", now=NOW, lease=DAY)
            assert store.outbox.mark_sent(row.id, owner="sender", message_id="1", now=NOW)

    sent_old, unsent_old, latest_old = digest("team", 90), digest("team", 80), digest("team", 70)
    old_alert, recent = digest("team", 85, kind="alert"), digest("team", 1, kind="alert")
    for finished in (sent_old, latest_old, old_alert, recent):
        send(finished)
    report = prune(store, now=NOW, retention=30 * DAY)
    assert report.digests == 2
    with store.engine.connect() as c:
        left = {r.id for r in c.execute(select(digests.c.id))}
    # Unsent digests wait to be sent; the newest digest of a channel stays (the next digest starts from it).
    assert left == {unsent_old, latest_old, recent}
    assert store.outbox.deliveries_for(sent_old) == [] and store.outbox.deliveries_for(old_alert) == []


def test_people_and_organisations_nothing_refers_to_any_more_go(history: Store) -> None:
    store = history
    feed = store.feeds.get("f")
    assert feed is not None
    old = NOW - 100 * DAY
    # Named only in old stories: one with nothing else to their name, one with a role at a company, one
    # with an event. The role and the event outlive the story, and keep who they are about (and where).
    add(store, "old-2", seen=old, published=old, feed_id=feed.id, enrichment=Enrichment("S.", [], [
        Quote("Nothing to add.", "Kip Lorne", EntityKind.person)], [
        ExtractedEntity("Kip Lorne", EntityKind.person), ExtractedEntity("Dunmore Labs", EntityKind.org),
        ExtractedEntity("Ada Quint", EntityKind.person, roles=[Role("director", "Keel Systems")]),
        ExtractedEntity("Keel Systems", EntityKind.org),
        ExtractedEntity("Bo Tran", EntityKind.person, events=[Event("resigned", "departure")])]))
    index = store.knowledge.name_index
    assert index.exact("kip lorne") and index.exact("dunmore labs")
    loads = index.full_loads

    report = prune(store, now=NOW, retention=30 * DAY)

    assert report.entities == 2
    gone = [name for name in ("Kip Lorne", "Dunmore Labs", "Ada Quint", "Keel Systems", "Bo Tran", "Jane Roe",
                              "Acme AI") if not store.knowledge.by_alias(name_key(name))]
    assert gone == ["Kip Lorne", "Dunmore Labs"]
    [quint] = store.knowledge.by_alias("ada quint")
    assert quint.story_count == 0 and [(r.title, r.org) for r in store.knowledge.roles(quint.id)] == [
        ("director", "Keel Systems")]
    # The name index followed, by a patch.
    assert index.exact("kip lorne") == [] and index.prefix("dunmore") == []
    assert index.exact("keel systems") and index.full_loads == loads
    check_invariants(store)
    assert prune(store, now=NOW, retention=30 * DAY).entities == 0


def test_retention_sweeps_up_entities_left_unreferenced_by_older_versions(history: Store) -> None:
    with history.engine.begin() as c:  # what an older version could leave behind: a name with no story
        orphan = new_id(c.execute(entities.insert().values(kind="person", name="Lone Name", key="lone name",
                                                           story_count=0, first_seen_at=NOW, last_seen_at=NOW)))
        c.execute(entity_aliases.insert().values(entity_id=orphan, alias_key="lone name", alias="Lone Name"))
    assert prune(history, now=NOW, retention=365 * DAY).entities == 1
    assert history.knowledge.by_alias("lone name") == []
