"""A post's revision keeps the thread's topics and experience details it replaced.

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("post_revisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("details", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("post_revisions", schema=None) as batch_op:
        batch_op.drop_column("details")
