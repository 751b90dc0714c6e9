"""Guide articles name who wrote them and who last updated them.

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("guide_articles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("written_by", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("updated_by", sa.String(length=120), nullable=True))


def downgrade():
    with op.batch_alter_table("guide_articles", schema=None) as batch_op:
        batch_op.drop_column("updated_by")
        batch_op.drop_column("written_by")
