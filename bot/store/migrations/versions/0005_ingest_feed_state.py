"""ingest: feed body hash (unchanged bodies cost no parse) and when a feed started failing

Revision ID: 0005_ingest_feed_state
Revises: 0004_knowledge_events
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_ingest_feed_state"
down_revision = "0004_knowledge_events"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("feeds") as batch_op:
        batch_op.add_column(sa.Column("body_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("failing_since", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("feeds") as batch_op:
        batch_op.drop_column("failing_since")
        batch_op.drop_column("body_hash")
