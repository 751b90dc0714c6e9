"""Review items keep why a post was held and which crisis phrase matched.

Revision ID: 0004
Revises: 0005
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("review_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("held_reason", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("crisis_phrase", sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table("review_items", schema=None) as batch_op:
        batch_op.drop_column("crisis_phrase")
        batch_op.drop_column("held_reason")
