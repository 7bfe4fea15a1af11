"""knowledge: events (what people did, for /whois descriptions) and an index to re-enrich by story

Revision ID: 0004_knowledge_events
Revises: 0003_ops_roles_outlive_stories
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_knowledge_events"
down_revision = "0003_ops_roles_outlive_stories"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.String(length=64), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("org", sa.Text(), nullable=True),
        sa.Column("headline", sa.Boolean(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["entity_id"], ["entities.id"], name=op.f("fk_events_entity_id_entities"),
                                ondelete="CASCADE"),
        # Like roles, events outlive their story under retention: /whois still says what happened.
        sa.ForeignKeyConstraint(["story_id"], ["stories.id"], name=op.f("fk_events_story_id_stories"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    # /whois reads an entity's newest roles, events and quotes: (entity, date) indexes serve them in order.
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index("ix_events_entity_published", ["entity_id", "published_at"], unique=False)
        batch_op.create_index("ix_events_story_id", ["story_id"], unique=False)
    with op.batch_alter_table("roles", schema=None) as batch_op:
        batch_op.create_index("ix_roles_story_id", ["story_id"], unique=False)
        batch_op.create_index("ix_roles_org_entity_id", ["org_entity_id"], unique=False)
        batch_op.create_index("ix_roles_entity_published", ["entity_id", "published_at"], unique=False)
    with op.batch_alter_table("quotes", schema=None) as batch_op:
        batch_op.create_index("ix_quotes_entity_published", ["entity_id", "published_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("quotes", schema=None) as batch_op:
        batch_op.drop_index("ix_quotes_entity_published")
    with op.batch_alter_table("roles", schema=None) as batch_op:
        batch_op.drop_index("ix_roles_entity_published")
        batch_op.drop_index("ix_roles_org_entity_id")
        batch_op.drop_index("ix_roles_story_id")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_story_id")
        batch_op.drop_index("ix_events_entity_published")
    op.drop_table("events")
