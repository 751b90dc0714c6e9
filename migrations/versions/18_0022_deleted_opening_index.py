"""An index of the threads whose opening post was deleted: every thread list asks it of
each row, and without it PostgreSQL hashed every opening post to answer (issue #17).

Revision ID: 0022
Revises: 0019
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0019"
branch_labels = None
depends_on = None

DELETED_OPENING = "parent_id IS NULL AND deleted_at IS NOT NULL"


def upgrade():
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_posts_deleted_opening",
            ["thread_id"],
            sqlite_where=sa.text(DELETED_OPENING),
            postgresql_where=sa.text(DELETED_OPENING),
        )


def downgrade():
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_index("ix_posts_deleted_opening")
