"""follows: people and channels following names, the hits waiting to be alerted, and a date index
on mentions for trending

Revision ID: 0009_follows
Revises: 0006_instance_leases
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_follows"
down_revision = "0008_pruned_identities"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "follows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(length=200), nullable=False),
        sa.Column("origin", sa.String(length=20), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=10), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        # An entity merged away leaves its followers unresolved; they find it again by name.
        sa.ForeignKeyConstraint(["entity_id"], ["entities.id"], name=op.f("fk_follows_entity_id_entities"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follows")),
        sa.UniqueConstraint("recipient", "key", name="uq_follows_recipient_key"),
    )
    with op.batch_alter_table("follows", schema=None) as batch_op:
        batch_op.create_index("ix_follows_entity_id", ["entity_id"], unique=False)
    op.create_table(
        "follow_hits",
        sa.Column("follow_id", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.String(length=64), nullable=False),
        sa.Column("recipient", sa.String(length=200), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["follow_id"], ["follows.id"], name=op.f("fk_follow_hits_follow_id_follows"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["story_id"], ["stories.id"], name=op.f("fk_follow_hits_story_id_stories"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("follow_id", "story_id", name=op.f("pk_follow_hits")),
    )
    with op.batch_alter_table("follow_hits", schema=None) as batch_op:
        batch_op.create_index("ix_follow_hits_recipient", ["recipient"], unique=False)
    # Trending counts every entity's mentions in a date range: (date, entity) serves it from the index.
    with op.batch_alter_table("mentions", schema=None) as batch_op:
        batch_op.create_index("ix_mentions_published_entity", ["published_at", "entity_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("mentions", schema=None) as batch_op:
        batch_op.drop_index("ix_mentions_published_entity")
    with op.batch_alter_table("follow_hits", schema=None) as batch_op:
        batch_op.drop_index("ix_follow_hits_recipient")
    op.drop_table("follow_hits")
    with op.batch_alter_table("follows", schema=None) as batch_op:
        batch_op.drop_index("ix_follows_entity_id")
    op.drop_table("follows")
