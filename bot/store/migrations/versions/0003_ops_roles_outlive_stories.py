"""ops: roles outlive their stories (retention prunes stories, entity profiles keep their roles)

roles.story_id becomes nullable and its foreign key ON DELETE SET NULL instead of CASCADE: a role
read from a story that retention deletes stays on the person's profile, with its title,
organisation, evidence sentence and report date.

Revision ID: 0003_ops_roles_outlive_stories
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_ops_roles_outlive_stories"
down_revision = "0002"
branch_labels = None
depends_on = None

FK = "fk_roles_story_id_stories"


def upgrade() -> None:
    with op.batch_alter_table("roles", schema=None) as batch_op:
        batch_op.drop_constraint(FK, type_="foreignkey")
        batch_op.alter_column("story_id", existing_type=sa.String(length=64), nullable=True)
        batch_op.create_foreign_key(FK, "stories", ["story_id"], ["id"], ondelete="SET NULL")


def downgrade() -> None:
    op.execute("DELETE FROM roles WHERE story_id IS NULL")
    with op.batch_alter_table("roles", schema=None) as batch_op:
        batch_op.drop_constraint(FK, type_="foreignkey")
        batch_op.alter_column("story_id", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_foreign_key(FK, "stories", ["story_id"], ["id"], ondelete="CASCADE")
