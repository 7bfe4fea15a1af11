"""knowledge: a change log for name caches, and the reason a story's knowledge could not be stored

`knowledge_changes` lists, per write, the entities it touched, so the /whois name index of every
instance updates by delta instead of reloading every name after each saved story. It replaces the
random `knowledge.version` number in `kv`. `stories.enrich_error` marks a story whose knowledge
could not be saved (it was stored without it, and is not claimed again).

Story counts are recomputed from the mentions once: a merge that failed half-way under the old
code could leave them off, and pruning relies on them.

Revision ID: 0007_knowledge_integrity
Revises: 0006_instance_leases
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_knowledge_integrity"
down_revision = "0006_instance_leases"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "knowledge_changes",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("entity_ids", sa.JSON(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_knowledge_changes")),
    )
    op.add_column("stories", sa.Column("enrich_error", sa.Text(), nullable=True))
    op.execute("UPDATE entities SET story_count = "
               "(SELECT count(*) FROM mentions WHERE mentions.entity_id = entities.id)")
    op.execute("DELETE FROM kv WHERE key = 'knowledge.version'")


def downgrade() -> None:
    # A plain ALTER TABLE, not a batch: on SQLite a batch rebuilds the table and drops the full-text
    # search triggers 0002 put on it. (SQLite has dropped columns in place since 3.35.)
    op.drop_column("stories", "enrich_error")
    op.drop_table("knowledge_changes")
