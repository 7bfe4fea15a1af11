"""Retention: delete stories older than `storage.retention`, keep the people and organisations.

What goes, with each pruned story (by the foreign keys' ON DELETE CASCADE): its text, sources,
facts, mentions and quotes (a quote without the story it came from cannot be checked, and its
link would be dead), and whatever else hangs off a story. Clusters left without stories go too.

What stays: entities, their aliases, their roles and events (the story link becomes NULL; their
title, organisation, evidence sentence and report date remain). That is what /whois needs to
say who someone is: the name and every way it was written, and the jobs the news reported, with
dates. Mentions and quotes then cover the retained window only, and `story_count` keeps meaning
"stories still held that name them", so rankings follow what is current. A person or organisation
nothing refers to any more (no mention, quote, role, event, nor a role at it) is deleted with its
aliases: keeping it would only make /whois answer with a name it knows nothing about.

Digests and alerts go too once older than the cutoff and finished (every message sent or failed
for good), with their deliveries; each channel's latest digest of each kind stays, whatever its age.

A story is old when it was both first seen and published before the cutoff, so an old article
stored yesterday is not deleted today.

Each pruned story's identity (its id and canonical link) is remembered in `pruned_stories`, so an
item its feed still carries, or another feed picks up, is recognised as read: not stored, fetched,
matched or announced again. Without that, an undated item (which the flood guard cannot call
stale) came back as news after every prune. An identity is kept while feeds still carry the item
and forgotten once none has for `forget_after` (at least REMEMBER). The config refuses a
retention shorter than `poll.backfill.max_age`, which would prune stories still new enough to
announce.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, and_, delete, func, not_, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.ops import metrics
from bot.store import Store
from bot.store.db import serialize
from bot.store.knowledge_write import Writer
from bot.store.schema import clusters, deliveries, digests, entities, mentions, pruned_stories, quotes, stories
from bot.store.writes import write_lock

log = logging.getLogger(__name__)
BATCH = 500  # stories per transaction: short transactions keep pollers and commands responsive
MINIMUM = timedelta(days=1)
# How long a pruned story's identity outlives the last poll that saw its item: long enough for a
# feed that was failing for weeks to come back with its old items without announcing them again.
REMEMBER = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class PruneReport:
    stories: int
    clusters: int
    cutoff: datetime
    digests: int = 0
    forgotten: int = 0  # identities of pruned stories no feed has carried for a long while
    entities: int = 0  # people and organisations nothing referred to any more


def cutoff(now: datetime, retention: timedelta) -> datetime:
    return now - max(retention, MINIMUM)


def prune(store: Store, *, now: datetime, retention: timedelta, batch: int = BATCH) -> PruneReport:
    """Delete stories older than `retention` (at least a day), in batches; safe to run from several instances."""
    before = cutoff(now, retention)
    deleted = unreferenced = 0
    while True:
        with write_lock(store.engine), store.engine.begin() as c:
            # The knowledge lock: a story saved meanwhile must not recount an entity while its mentions go.
            serialize(c, "knowledge")
            ids = _old_story_ids(c, before, batch)
            if not ids:
                break
            _remember(c, ids, now)
            named = _forget_mentions(c, ids)
            deleted += c.execute(delete(stories).where(stories.c.id.in_(ids))).rowcount
            writer = Writer(c)
            writer.touched.update(named)  # their story counts dropped
            unreferenced += len(writer.prune(named))
            writer.bump_version(now)
        if len(ids) < batch:
            break
    # Anyone left unreferenced some other way (a re-enriched story that stopped naming them, older data).
    unreferenced += store.knowledge.prune_unreferenced(now=now)
    with store.engine.begin() as c:
        orphans = c.execute(delete(clusters).where(not_(clusters.c.id.in_(
            select(stories.c.cluster_id).where(stories.c.cluster_id.is_not(None)))))).rowcount
    with store.engine.begin() as c:
        old_digests = _prune_digests(c, before)
    with store.engine.begin() as c:
        forgotten = c.execute(delete(pruned_stories).where(
            pruned_stories.c.seen_at < now - max(retention, REMEMBER))).rowcount
    metrics.retention_pruned(deleted)
    if deleted or old_digests or unreferenced:
        log.info("retention: pruned %d stories first seen and published before %s, %d digests, and %d people "
                 "and organisations nothing referred to any more", deleted, before.isoformat(), old_digests,
                 unreferenced)
    return PruneReport(deleted, orphans, before, old_digests, forgotten, unreferenced)


def _remember(c: Connection, story_ids: list[str], now: datetime) -> None:
    """Keep the identities of stories about to be deleted (see the module docstring)."""
    rows = [{"id": r.id, "canonical_url": r.canonical_url, "pruned_at": now, "seen_at": now}
            for r in c.execute(select(stories.c.id, stories.c.canonical_url).where(stories.c.id.in_(story_ids)))]
    if not rows:
        return
    dialect_insert = sqlite_insert if c.dialect.name == "sqlite" else pg_insert
    statement = dialect_insert(pruned_stories)
    c.execute(statement.on_conflict_do_update(index_elements=["id"], set_={
        "canonical_url": statement.excluded.canonical_url, "pruned_at": now, "seen_at": now}), rows)


def _prune_digests(c: Connection, before: datetime) -> int:
    """Finished digests and alerts older than the cutoff, with their deliveries (a foreign key cascade)."""
    unfinished = select(deliveries.c.digest_id).where(deliveries.c.status.in_(["pending", "sending"]))
    latest = select(func.max(digests.c.id)).group_by(digests.c.channel, digests.c.kind)
    doomed = [r.id for r in c.execute(select(digests.c.id).where(
        digests.c.created_at < before, not_(digests.c.id.in_(unfinished)), not_(digests.c.id.in_(latest))))]
    for start in range(0, len(doomed), BATCH):
        chunk = doomed[start:start + BATCH]
        c.execute(delete(deliveries).where(deliveries.c.digest_id.in_(chunk)))  # SQLite may run without FKs
        c.execute(delete(digests).where(digests.c.id.in_(chunk)))
    return len(doomed)


def _old_story_ids(c: Connection, before: datetime, limit: int) -> list[str]:
    query = (select(stories.c.id)
             .where(stories.c.first_seen_at < before,
                    or_(stories.c.published_at.is_(None), stories.c.published_at < before))
             .order_by(stories.c.first_seen_at).limit(limit))
    if c.dialect.name == "postgresql":
        # Another instance pruning at the same time skips the rows this one holds, so none is counted twice.
        query = query.with_for_update(skip_locked=True)
    return [str(r.id) for r in c.execute(query)]


def _forget_mentions(c: Connection, story_ids: list[str]) -> set[int]:
    """Keep entities.story_count equal to the mentions that remain (the invariant re-enrichment relies on).

    Returns the entities these stories named or quoted: those that may now be referred to by nothing.
    """
    lost = (select(func.count()).select_from(mentions)
            .where(and_(mentions.c.entity_id == entities.c.id, mentions.c.story_id.in_(story_ids)))
            .scalar_subquery())
    named = select(mentions.c.entity_id).where(mentions.c.story_id.in_(story_ids))
    affected = {int(r.entity_id) for r in c.execute(named.union(
        select(quotes.c.entity_id).where(quotes.c.story_id.in_(story_ids), quotes.c.entity_id.is_not(None))))}
    c.execute(update(entities).where(entities.c.id.in_(named)).values(story_count=entities.c.story_count - lost))
    return affected
