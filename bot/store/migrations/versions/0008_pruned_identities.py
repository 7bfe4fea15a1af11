"""retention: remember the identities of pruned stories, so a feed still carrying one does not bring it back

Revision ID: 0008_pruned_identities
Revises: 0006_instance_leases
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_pruned_identities"
down_revision = "0007_knowledge_integrity"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pruned_stories",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("canonical_url", sa.Text(), nullable=True),
        sa.Column("pruned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pruned_stories")),
    )
    op.create_index("ix_pruned_stories_canonical_url", "pruned_stories", ["canonical_url"])
    op.create_index("ix_pruned_stories_seen_at", "pruned_stories", ["seen_at"])


def downgrade() -> None:
    op.drop_index("ix_pruned_stories_seen_at", table_name="pruned_stories")
    op.drop_index("ix_pruned_stories_canonical_url", table_name="pruned_stories")
    op.drop_table("pruned_stories")
