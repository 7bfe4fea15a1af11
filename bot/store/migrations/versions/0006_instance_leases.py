"""instances: leases on jobs (a channel's digest, its alerts) and on stories being enriched

Several instances on one database split the work by leases: feeds and deliveries already carry
theirs; this adds a table of named job leases and a lease on each story waiting for enrichment.

Revision ID: 0006_instance_leases
Revises: 0005_ingest_feed_state
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_instance_leases"
down_revision = "0005_ingest_feed_state"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "job_leases",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("owner", sa.String(length=100), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_job_leases")),
    )
    with op.batch_alter_table("stories") as batch_op:
        batch_op.add_column(sa.Column("enrich_owner", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("enrich_lease_expires_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("stories") as batch_op:
        batch_op.drop_column("enrich_lease_expires_at")
        batch_op.drop_column("enrich_owner")
    op.drop_table("job_leases")
