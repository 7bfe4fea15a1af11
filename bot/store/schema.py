"""Tables, in SQLAlchemy Core: one definition shared by the code and the migrations.

Portable on purpose (SQLite and PostgreSQL): no dialect-specific types here. The one place that
speaks a dialect is `search.py`, which owns full-text search.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp stored as UTC and read back timezone-aware UTC, on every backend.

    SQLite has no timestamp type: SQLAlchemy writes the wall-clock digits and drops the offset, so
    14:00+02:00 would come back as 14:00 UTC and compare wrongly. PostgreSQL's timestamptz keeps the
    instant but hands it back in the session's time zone. Converting on the way in and out makes
    both agree. A naive value is taken as UTC, as `bot.clock.aware` does.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


TS = UtcDateTime()

feeds = Table(
    "feeds",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("url", Text, nullable=False),
    Column("origin", String(20), nullable=False, default="config"),  # config | command
    Column("added_by", String(200)),
    Column("topics", JSON),  # list of topic names, or null for every topic
    Column("interval_s", Integer),
    Column("full_text", String(10), nullable=False, default="auto"),
    Column("weight", Float, nullable=False, default=1.0),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("created_at", TS, nullable=False),
    # Fetch state, so a restart neither re-downloads everything nor floods channels.
    Column("etag", Text),
    Column("last_modified", Text),
    Column("initialized", Boolean, nullable=False, default=False),  # first poll done (backfill recorded)
    Column("last_fetch_at", TS),
    Column("last_success_at", TS),
    Column("next_due_at", TS),
    Column("consecutive_failures", Integer, nullable=False, default=0),
    Column("status", String(20), nullable=False, default="new"),  # new | ok | failing | disabled
    Column("last_error", Text),
    Column("last_status_code", Integer),
    Column("failing_notified_at", TS),
    Column("failing_since", TS),  # first failure of the current run of failures
    Column("body_hash", String(64)),  # hash of the last body parsed: the same bytes again cost no parse
    Column("title", Text),
    Column("item_count", Integer, nullable=False, default=0),
    # Leases let several instances share polling without doing it twice.
    Column("lease_owner", String(100)),
    Column("lease_expires_at", TS),
)
Index("ix_feeds_next_due_at", feeds.c.next_due_at)

clusters = Table(
    "clusters",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("created_at", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
    Column("lead_story_id", String(64)),
    Column("size", Integer, nullable=False, default=1),
)

stories = Table(
    "stories",
    metadata,
    Column("id", String(64), primary_key=True),  # stable id: see bot.ingest.identity
    Column("guid", Text),
    Column("url", Text),
    Column("canonical_url", Text),
    Column("title", Text, nullable=False),
    Column("title_key", String(64)),  # normalised title hash, to spot re-publications
    Column("author", Text),
    Column("published_at", TS),
    Column("first_seen_at", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
    Column("feed_summary", Text, nullable=False, default=""),  # what the feed said
    Column("text", Text, nullable=False, default=""),  # the fullest text we have (feed or article page)
    Column("text_source", String(20), nullable=False, default="feed"),  # feed | article
    Column("relevant", Boolean, nullable=False, default=False),
    Column("topics", JSON, nullable=False, default=list),  # topic names matched
    Column("topic_matches", JSON, nullable=False, default=list),  # why: [{topic, matched, reasons}]
    Column("announce", Boolean, nullable=False, default=True),  # false for backfill and stale items
    Column("summary", Text, nullable=False, default=""),
    Column("enriched_at", TS),
    Column("cluster_id", Integer, ForeignKey("clusters.id", ondelete="SET NULL")),
    Column("signature", JSON),  # clustering signature (e.g. MinHash), computed once
    # Enrichment claimed by one instance (see StoryRepo.claim_for_enrichment); another may take it when it ends.
    Column("enrich_owner", String(100)),
    Column("enrich_lease_expires_at", TS),
    # Why what was learned from the story could not be stored in full (it was stored without it); None when it was.
    Column("enrich_error", Text),
)
Index("ix_stories_published_at", stories.c.published_at)
Index("ix_stories_first_seen_at", stories.c.first_seen_at)
Index("ix_stories_canonical_url", stories.c.canonical_url)
Index("ix_stories_cluster_id", stories.c.cluster_id)
Index("ix_stories_title_key", stories.c.title_key)

story_sources = Table(
    "story_sources",
    metadata,
    Column("story_id", String(64), ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True),
    Column("feed_id", Integer, ForeignKey("feeds.id", ondelete="CASCADE"), primary_key=True),
    Column("source_name", Text, nullable=False),  # the outlet, as the feed names itself
    Column("url", Text),
    Column("seen_at", TS, nullable=False),
)
Index("ix_story_sources_feed_id", story_sources.c.feed_id)

facts = Table(
    "facts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("story_id", String(64), ForeignKey("stories.id", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("text", Text, nullable=False),
)
Index("ix_facts_story_id", facts.c.story_id)

entities = Table(
    "entities",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(10), nullable=False),  # person | org
    Column("name", Text, nullable=False),
    Column("key", String(200), nullable=False),  # normalised name, unique per kind
    Column("story_count", Integer, nullable=False, default=0),
    Column("first_seen_at", TS, nullable=False),
    Column("last_seen_at", TS, nullable=False),
    UniqueConstraint("kind", "key", name="uq_entities_kind_key"),
)
Index("ix_entities_key", entities.c.key)

entity_aliases = Table(
    "entity_aliases",
    metadata,
    Column("entity_id", Integer, ForeignKey("entities.id", ondelete="CASCADE"), primary_key=True),
    Column("alias_key", String(200), primary_key=True),  # normalised alias
    Column("alias", Text, nullable=False),
)
Index("ix_entity_aliases_alias_key", entity_aliases.c.alias_key)

mentions = Table(
    "mentions",
    metadata,
    Column("entity_id", Integer, ForeignKey("entities.id", ondelete="CASCADE"), primary_key=True),
    Column("story_id", String(64), ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True),
    Column("count", Integer, nullable=False, default=1),
    Column("published_at", TS),  # copied from the story so recent mentions need no join to sort
)
Index("ix_mentions_story_id", mentions.c.story_id)
Index("ix_mentions_entity_published", mentions.c.entity_id, mentions.c.published_at)
# Trending counts every entity's mentions in a date range: (date, entity) serves it from the index alone.
Index("ix_mentions_published_entity", mentions.c.published_at, mentions.c.entity_id)

quotes = Table(
    "quotes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("story_id", String(64), ForeignKey("stories.id", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("speaker", Text),
    Column("speaker_kind", String(10)),
    Column("entity_id", Integer, ForeignKey("entities.id", ondelete="SET NULL")),
    Column("partial", Boolean, nullable=False, default=False),
    Column("published_at", TS),
)
Index("ix_quotes_story_id", quotes.c.story_id)
Index("ix_quotes_entity_id", quotes.c.entity_id)
Index("ix_quotes_entity_published", quotes.c.entity_id, quotes.c.published_at)

roles = Table(
    "roles",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("entity_id", Integer, ForeignKey("entities.id", ondelete="CASCADE"), nullable=False),
    # SET NULL, not CASCADE: retention prunes stories, and the profile keeps the roles read from them.
    Column("story_id", String(64), ForeignKey("stories.id", ondelete="SET NULL")),
    Column("title", Text, nullable=False),
    Column("org", Text),
    Column("org_entity_id", Integer, ForeignKey("entities.id", ondelete="SET NULL")),
    Column("former", Boolean, nullable=False, default=False),
    Column("evidence", Text, nullable=False, default=""),
    Column("published_at", TS),  # the story's date: when this role was reported
)
Index("ix_roles_entity_id", roles.c.entity_id)
Index("ix_roles_story_id", roles.c.story_id)
Index("ix_roles_org_entity_id", roles.c.org_entity_id)
Index("ix_roles_entity_published", roles.c.entity_id, roles.c.published_at)

events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("entity_id", Integer, ForeignKey("entities.id", ondelete="CASCADE"), nullable=False),
    # Nullable like roles.story_id: an event outlives its story when retention prunes old stories.
    Column("story_id", String(64), ForeignKey("stories.id", ondelete="SET NULL")),
    Column("text", Text, nullable=False),  # "resigned over the Pentagon deal": past tense, no subject
    Column("kind", String(12), nullable=False),  # departure | arrival | action
    Column("org", Text),
    Column("headline", Boolean, nullable=False, default=False),
    Column("evidence", Text, nullable=False, default=""),
    Column("published_at", TS),
)
Index("ix_events_entity_published", events.c.entity_id, events.c.published_at)
Index("ix_events_story_id", events.c.story_id)

digests = Table(
    "digests",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("channel", String(100), nullable=False),
    Column("kind", String(10), nullable=False, default="digest"),  # digest | alert
    Column("created_at", TS, nullable=False),
    Column("since", TS),
    Column("until", TS, nullable=False),
    Column("body", JSON, nullable=False),  # the neutral digest, so a resend renders the same thing
    Column("story_ids", JSON, nullable=False, default=list),
    Column("slot", String(64)),  # the schedule slot it fills, so a crash cannot build it twice
    UniqueConstraint("channel", "slot", name="uq_digests_channel_slot"),
)
Index("ix_digests_channel_created", digests.c.channel, digests.c.created_at)

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("digest_id", Integer, ForeignKey("digests.id", ondelete="CASCADE"), nullable=False),
    Column("channel", String(100), nullable=False),
    Column("platform", String(20), nullable=False),
    Column("part", Integer, nullable=False),  # index of the message when a digest is split
    Column("idempotency_key", String(100), nullable=False, unique=True),
    Column("payload", JSON, nullable=False),
    Column("status", String(10), nullable=False, default="pending"),  # pending | sending | sent | failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", TS, nullable=False),
    Column("last_error", Text),
    Column("message_id", Text),
    Column("created_at", TS, nullable=False),
    Column("sent_at", TS),
    Column("lease_owner", String(100)),
    Column("lease_expires_at", TS),
)
Index("ix_deliveries_status_next", deliveries.c.status, deliveries.c.next_attempt_at)

channel_state = Table(
    "channel_state",
    metadata,
    Column("channel", String(100), primary_key=True),
    Column("last_digest_until", TS),  # stories after this go into the next digest
    Column("status", String(20), nullable=False, default="ok"),  # ok | failing
    Column("last_error", Text),
    Column("failing_since", TS),
    Column("updated_at", TS, nullable=False),
)

pruned_stories = Table(
    # Stories retention deleted, by identity only: an item still in its feed (or carried by another
    # feed) is recognised as one already read instead of being stored and announced again.
    "pruned_stories",
    metadata,
    Column("id", String(64), primary_key=True),  # the story's id (bot.ingest.identity)
    Column("canonical_url", Text),
    Column("pruned_at", TS, nullable=False),
    Column("seen_at", TS, nullable=False),  # last time a feed still carried it; forgotten long after
)
Index("ix_pruned_stories_canonical_url", pruned_stories.c.canonical_url)
Index("ix_pruned_stories_seen_at", pruned_stories.c.seen_at)

job_leases = Table(
    "job_leases",  # named jobs one instance at a time may run: a channel's digest, its alerts
    metadata,
    Column("name", String(200), primary_key=True),
    Column("owner", String(100), nullable=False),
    Column("expires_at", TS, nullable=False),
)

knowledge_changes = Table(
    "knowledge_changes",  # one row per knowledge write: the entities it touched (see store.knowledge_changes)
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("entity_ids", JSON),  # list of entity ids; null: anything may have changed (reload in full)
    Column("changed_at", TS, nullable=False),
)

kv = Table(
    "kv",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("value", JSON),
    Column("updated_at", TS, nullable=False),
)

follows = Table(
    "follows",  # who follows whom: a person (by direct message) or a channel, and the name they follow
    metadata,
    Column("id", Integer, primary_key=True),
    Column("recipient", String(200), nullable=False),  # a configured channel's name, or dm:PLATFORM:USER
    Column("origin", String(20), nullable=False, default="command"),  # command | config | cli
    Column("query", Text, nullable=False),  # as typed: "Kalinowski"
    Column("name", Text, nullable=False),  # the entity's name once resolved, else the query
    Column("key", String(200), nullable=False),  # name_key(name): how an unresolved follow meets its entity
    # SET NULL: an entity merged into another (or forgotten) leaves the follow to find it again by name.
    Column("entity_id", Integer, ForeignKey("entities.id", ondelete="SET NULL")),
    Column("kind", String(10)),  # person | org, once resolved
    Column("created_at", TS, nullable=False),
    UniqueConstraint("recipient", "key", name="uq_follows_recipient_key"),
)
Index("ix_follows_entity_id", follows.c.entity_id)

follow_hits = Table(
    "follow_hits",  # a new story naming a followed entity, waiting for the follow alert job
    metadata,
    Column("follow_id", Integer, ForeignKey("follows.id", ondelete="CASCADE"), primary_key=True),
    Column("story_id", String(64), ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True),
    Column("recipient", String(200), nullable=False),  # the follow's, so the job reads one recipient's hits
    Column("entity_id", Integer),  # the entity the story names (the follow's, as resolved then)
    Column("created_at", TS, nullable=False),
)
Index("ix_follow_hits_recipient", follow_hits.c.recipient)
